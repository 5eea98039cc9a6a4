/**
 * Structured logs: one pino root per process, one child per component tagged
 * `{ component, nodeId }`, so every line says which node and which part of it spoke.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (logLevels as readonly string[]).includes(value);
}

/** The root logger: JSON lines on stdout (or the given stream), ISO timestamps. */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, timestamp: pino.stdTimeFunctions.isoTime, base: { pid: process.pid } };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** A logger that drops everything: the default in tests and embedding code that brings none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** The child logger of one component of one node. */
export function componentLogger(root: Logger, component: string, nodeId: number): Logger {
  return root.child({ component, nodeId });
}
