/**
 * `tributary broker`: runs one broker node until SIGTERM or SIGINT, then shuts down gracefully
 * (stop accepting, finish requests in flight, flush logs) and returns 0. A bad setting returns 2
 * with a message naming it; a failed start returns 1. A second signal during shutdown exits at once.
 */
import { readFileSync } from 'node:fs';
import { componentLogger, configHelp, createRootLogger, loadConfig, startBroker, wantsHelp, type Logger, type RunningBroker } from '@tributary/broker';
import { processIo, writeOut, type CliIo } from '../cli-io.js';
import { ExitCode } from '../exit-codes.js';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** Exit code after a second signal cuts a shutdown short (128 + SIGINT, as shells report it). */
const FORCED_EXIT_CODE = 130;

export const brokerUsage = `${configHelp()}\n`;

/** Resolves with the name of the first shutdown signal; a second one exits the process at once. */
function firstSignal(logger: Logger): { received: Promise<string>; dispose: () => void } {
  let count = 0;
  let resolve: (signal: string) => void = () => {};
  const received = new Promise<string>((r) => (resolve = r));
  const onSignal = (signal: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      resolve(signal);
      return;
    }
    logger.warn({ signal }, 'second signal during shutdown: exiting now');
    process.exit(FORCED_EXIT_CODE);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  return { received, dispose: () => SHUTDOWN_SIGNALS.forEach((s) => process.off(s, onSignal)) };
}

export async function runBroker(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  if (wantsHelp(argv)) {
    await writeOut(io.stdout, brokerUsage);
    return ExitCode.ok;
  }
  const loaded = loadConfig({ argv, env: io.env, readFile: (path) => readFileSync(path, 'utf8') });
  if (!loaded.ok) {
    await writeOut(io.stderr, `tributary broker: ${loaded.error.message}\nRun 'tributary broker --help' for usage.\n`);
    return ExitCode.usage;
  }
  const { config, notes } = loaded.value;
  const root = createRootLogger(config.logLevel);
  const logger = componentLogger(root, 'cli', config.nodeId);
  for (const note of notes) logger.warn(note);
  const signals = firstSignal(logger);
  let broker: RunningBroker;
  // Like Kafka halting when its log directory fails: a node that cannot persist its metadata
  // stops at once, so the controller moves its leaderships, instead of lingering half-alive.
  let onFatal: (error: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => {
    onFatal = resolve;
  });
  try {
    broker = await startBroker(config, { logger: root, onFatal: (error) => onFatal(error) });
  } catch (e) {
    signals.dispose();
    await writeOut(io.stderr, `tributary broker: ${(e as Error).message}\n`);
    return ExitCode.failure;
  }
  const stop = await Promise.race([signals.received.then((signal) => ({ signal })), fatal.then((error) => ({ error }))]);
  if ('error' in stop) {
    signals.dispose();
    logger.fatal({ err: stop.error }, 'storage failed: exiting');
    await writeOut(io.stderr, `tributary broker: storage failed: ${stop.error.message}\n`);
    process.exit(ExitCode.failure);
  }
  const signal = stop.signal;
  logger.info({ signal }, 'signal received: shutting down');
  try {
    await broker.close();
  } finally {
    signals.dispose();
  }
  return ExitCode.ok;
}
