/**
 * `tributary cluster up`: a local cluster of broker processes (combined mode: each a controller
 * voter and a broker) for a laptop, no containers. Prints the bootstrap string once every node is
 * ready and stops them all cleanly on Ctrl-C (SIGINT) or SIGTERM. Flags after `--` go to every
 * broker (e.g. `-- --num-partitions 6`).
 */
import { resolve } from 'node:path';
import { bootstrapOption, connectClient, intOption, parseCommand, resolveBootstrap } from '../cli-args.js';
import { printClusterStatus } from './cluster-status.js';
import { CliFailure, usageError } from '../cli-error.js';
import { writeOut, type CliIo } from '../cli-io.js';
import { LocalCluster } from '../cluster/local-cluster.js';
import { ExitCode } from '../exit-codes.js';

export const clusterUsage = `Usage: tributary cluster up [options] [-- broker flags...]
       tributary cluster status [--bootstrap HOST:PORT] [--json]

status: the cluster id, active controller, live brokers, and every partition's leader, epoch,
replicas and ISR, with under-replicated and offline partitions counted and marked.

up: starts a local cluster of broker processes, each a controller voter and a broker, and stops
them on Ctrl-C. Topics get min(3, brokers) replicas by default (and min.insync.replicas 2 with 3). Node i listens for Kafka on PORT+i-1, gRPC on PORT+100+i-1 and HTTP
(/health, /ready, /metrics) on PORT+200+i-1; its data is DIR/node-i and its log DIR/node-i.log.

Options:
  --brokers N        how many brokers (default 3)
  --data-dir DIR     where data and logs go (default ./data)
  --port PORT        Kafka port of node 1 (default 9092)
  --host HOST        address to listen on and advertise (default 127.0.0.1)
`;

const options = {
  ...bootstrapOption,
  json: { type: 'boolean' },
  brokers: { type: 'string' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

export async function runCluster(argv: readonly string[], io: CliIo): Promise<number> {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const brokerArgs = split === -1 ? [] : argv.slice(split + 1);
  const parsed = parseCommand(own, options);
  const [action, ...extra] = parsed.positionals;
  if (parsed.values.help || action === undefined) {
    await writeOut(parsed.values.help ? io.stdout : io.stderr, clusterUsage);
    return parsed.values.help ? ExitCode.ok : ExitCode.usage;
  }
  if (extra.length > 0) throw usageError(`unexpected arguments: ${extra.join(' ')}`);
  if (action === 'status') {
    const client = await connectClient(resolveBootstrap(parsed.values.bootstrap, io.env));
    try {
      await printClusterStatus(client, parsed.values.json === true, io);
    } finally {
      client.close();
    }
    return ExitCode.ok;
  }
  if (action !== 'up') throw usageError(`unknown action "${action}" (up or status)`);
  const brokers = intOption(parsed.values.brokers, '--brokers', 1, 9) ?? 3;
  const port = intOption(parsed.values.port, '--port', 1, 65_535 - 300) ?? 9092;
  const dataDir = resolve(parsed.values['data-dir'] ?? './data');
  // Topics are replicated by default (up to 3 copies); flags after `--` come later and win.
  const defaults = ['--default-replication-factor', String(Math.min(3, brokers))];
  const cluster = await LocalCluster.create({ brokers, dataDir, kafkaBasePort: port, brokerArgs: [...defaults, ...brokerArgs], ...(parsed.values.host === undefined ? {} : { host: parsed.values.host }) });
  await writeOut(io.stderr, `starting ${brokers} brokers in ${dataDir} (logs: node-N.log there)...\n`);
  try {
    await cluster.start(60_000);
  } catch (error) {
    await cluster.stop();
    throw new CliFailure(`the cluster did not start: ${(error as Error).message}`, ExitCode.failure);
  }
  await writeOut(io.stdout, `${cluster.bootstrap}\n`);
  await writeOut(io.stderr, `cluster up: bootstrap ${cluster.bootstrap}; HTTP ${cluster.nodes.map((n) => n.httpPort).join(', ')}. Ctrl-C stops it.\n`);
  for (const node of cluster.nodes) {
    node.process?.once('exit', (code, signal) => {
      void writeOut(io.stderr, `node ${node.nodeId} exited (${signal ?? `code ${code}`}); see ${node.logFile}\n`);
    });
  }
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await writeOut(io.stderr, 'stopping the cluster...\n');
  await cluster.stop();
  await writeOut(io.stderr, 'cluster stopped\n');
  return ExitCode.ok;
}
