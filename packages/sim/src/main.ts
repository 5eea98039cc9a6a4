#!/usr/bin/env node
/**
 * npm run sim -- [--seeds N] [--from F] [--seed S] [--fault-ms MS] [--log-level L]
 * Runs seeds F..F+N-1 (default 1..10) and prints one line each; --seed S runs one seed and, if it
 * fails, prints its fault timeline and each node's last log lines. Exits 1 if any seed fails.
 */
import { parseArgs } from 'node:util';
import { runSimulation, type SimulationResult } from './run-simulation.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    'fault-ms': { type: 'string', default: '20000' },
    'log-level': { type: 'string', default: 'info' },
    verbose: { type: 'boolean', default: false },
  },
});

function summary(result: SimulationResult): string {
  const stats = Object.entries(result.stats).map(([k, v]) => `${k}=${v}`).join(' ');
  return `seed ${result.seed}: ${result.ok ? 'ok' : 'FAILED'} (${result.steps} steps, ${(result.simulatedMs / 1000).toFixed(1)} s simulated, trace ${result.traceHash}) ${stats}`;
}

function details(result: SimulationResult): void {
  console.log('  timeline:');
  for (const line of result.timeline) console.log(`    ${line}`);
  for (const [nodeId, lines] of result.nodeLogs) {
    console.log(`  node ${nodeId}, last log lines:`);
    for (const line of lines.slice(-60)) console.log(`    ${line}`);
  }
}

const faultMs = Number(values['fault-ms']);
const seeds = values.seed !== undefined ? [Number(values.seed)] : Array.from({ length: Number(values.seeds) }, (_, i) => Number(values.from) + i);
let failed = 0;
for (const seed of seeds) {
  const started = performance.now();
  const result = await runSimulation({ seed, faultMs, logLevel: values['log-level'] });
  console.log(`${summary(result)} [${((performance.now() - started) / 1000).toFixed(1)} s]`);
  if (!result.ok) {
    failed++;
    for (const v of result.violations) console.log(`  violation: ${v}`);
    if (values.seed !== undefined || values.verbose) details(result);
    else console.log(`  replay: npm run sim -- --seed ${seed}`);
  }
}
console.log(`${seeds.length - failed} of ${seeds.length} seeds ok`);
process.exit(failed === 0 ? 0 : 1);
