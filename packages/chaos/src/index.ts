/**
 * @tributary/chaos: a Jepsen-style workload, checker and report for Kafka-compatible clusters,
 * and a nemesis for three Tributary brokers in network namespaces. `main.ts` is the command.
 */
export * from './history.js';
export { Recorder, writeHistory, parseHistory } from './recorder.js';
export { check } from './checker.js';
export * from './checker-types.js';
export { availability, longestGap } from './availability.js';
export { renderReport, writeReport, type RunMeta } from './report.js';
export { FAULT_KINDS, scheduleFaults, describeFault, type FaultKind, type ScheduledFault } from './nemesis/faults.js';
export { parseChaosArgs, parseDuration, type ChaosArgs } from './args.js';
export { HistoryBuilder } from './history-builder.js';
