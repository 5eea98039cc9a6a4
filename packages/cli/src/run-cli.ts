/**
 * The `tributary` command line: dispatch to a command, and the one place where a failure
 * becomes a message on stderr and an exit code.
 */
import { CliFailure } from './cli-error.js';
import { writeOut, type CliIo } from './cli-io.js';
import { runBench } from './commands/bench.js';
import { runCluster } from './commands/cluster.js';
import { runConsume } from './commands/consume.js';
import { runGroups } from './commands/groups.js';
import { runProduce } from './commands/produce.js';
import { runTopics } from './commands/topics.js';
import { ExitCode } from './exit-codes.js';

export const mainUsage = `Usage: tributary <command> [options]

Commands:
  broker     run a broker (tributary broker --help)
  cluster    start a local cluster of brokers (tributary cluster up)
  topics     create, list, describe, alter and delete topics
  produce    send stdin lines to a topic as records
  consume    print records from a topic (alone, or as a member of a consumer group)
  groups     list and describe consumer groups, reset their offsets
  bench      produce or consume benchmark through kafkajs

Run 'tributary <command> --help' for a command's options.
`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/**
 * The broker command is built separately; this build may not have it. The specifier is a
 * variable so the CLI compiles either way.
 */
async function runBrokerCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const specifier = './commands/broker.js';
  let module: { runBroker?: (argv: string[]) => Promise<number> };
  try {
    module = (await import(specifier)) as typeof module;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes('commands/broker.js')) throw e;
    throw new CliFailure('the broker command is not available in this build of tributary', ExitCode.failure);
  }
  if (typeof module.runBroker !== 'function') throw new CliFailure('the broker command is not available in this build of tributary', ExitCode.failure);
  void io;
  return module.runBroker([...argv]);
}

const commands: Record<string, Command> = {
  broker: runBrokerCommand,
  cluster: runCluster,
  topics: runTopics,
  produce: runProduce,
  consume: runConsume,
  groups: runGroups,
  bench: runBench,
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await writeOut(name === undefined ? io.stderr : io.stdout, mainUsage);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const command = commands[name];
  if (command === undefined) {
    await writeOut(io.stderr, `tributary: unknown command "${name}"\n\n${mainUsage}`);
    return ExitCode.usage;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof CliFailure) {
      await writeOut(io.stderr, `tributary ${name}: ${e.message}\n`);
      if (e.exitCode === ExitCode.usage) await writeOut(io.stderr, `Run 'tributary ${name} --help' for usage.\n`);
      return e.exitCode;
    }
    throw e;
  }
}
