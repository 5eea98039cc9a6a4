import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configHelp, loadConfig, type ConfigSources } from './load-config.js';
import { defaultLimits, defaultTopicDefaults } from './broker-config.js';

function sources(argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}): ConfigSources {
  return {
    argv,
    env,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file '${path}'`);
      return text;
    },
  };
}

function load(argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}) {
  const result = loadConfig(sources(argv, env, files));
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

function loadError(argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}) {
  const result = loadConfig(sources(argv, env, files));
  assert.ok(!result.ok, 'expected a config error');
  return result.error;
}

test('defaults: single node 1, 0.0.0.0:9092 advertised as 127.0.0.1, rpc 9093, http 9644', () => {
  const { config, notes } = load(['--data-dir', '/d']);
  assert.equal(config.nodeId, 1);
  assert.equal(config.dataDir, '/d');
  assert.deepEqual(config.listeners, [{ name: 'PLAINTEXT', listen: { host: '0.0.0.0', port: 9092 }, advertise: { host: '127.0.0.1', port: 9092 } }]);
  assert.deepEqual(config.rpcListen, { host: '0.0.0.0', port: 9093 });
  assert.deepEqual(config.httpListen, { host: '0.0.0.0', port: 9644 });
  assert.deepEqual(config.voters, [{ nodeId: 1, host: '127.0.0.1', port: 9093 }]);
  assert.deepEqual(config.limits, defaultLimits);
  assert.deepEqual(config.topicDefaults, defaultTopicDefaults);
  assert.equal(config.autoCreateTopics, true);
  assert.equal(config.logLevel, 'info');
  assert.match(notes.join('\n'), /advertising 127\.0\.0\.1/);
});

test('a specific listen host is advertised as is, and the other listeners follow it', () => {
  const { config, notes } = load(['--data-dir=/d', '--kafka-listen', '10.0.0.5:19092']);
  assert.deepEqual(config.listeners[0].advertise, { host: '10.0.0.5', port: 19092 });
  assert.deepEqual(config.rpcListen, { host: '10.0.0.5', port: 9093 });
  assert.deepEqual(config.httpListen, { host: '10.0.0.5', port: 9644 });
  assert.equal(notes.length, 0);
});

test('IPv6 addresses in brackets', () => {
  const { config } = load(['--data-dir', '/d', '--kafka-listen', '[::1]:9092', '--advertise', '[fe80::1]:19092']);
  assert.deepEqual(config.listeners, [{ name: 'PLAINTEXT', listen: { host: '::1', port: 9092 }, advertise: { host: 'fe80::1', port: 19092 } }]);
});

test('precedence: flag > environment > file > default', () => {
  const files = { '/c.json': JSON.stringify({ 'num.partitions': 3, 'max.connections': 7, 'log.level': 'debug', 'node.id': 9 }) };
  const env = { TRIBUTARY_CONFIG: '/c.json', TRIBUTARY_NUM_PARTITIONS: '4', TRIBUTARY_NODE_ID: '5', TRIBUTARY_DATA_DIR: '/env' };
  const { config } = load(['--num-partitions', '6'], env, files);
  assert.equal(config.topicDefaults.numPartitions, 6, 'flag wins');
  assert.equal(config.nodeId, 5, 'env beats file');
  assert.equal(config.limits.connectionsMax, 7, 'file beats default');
  assert.equal(config.logLevel, 'debug');
  assert.equal(config.dataDir, '/env');
  assert.equal(config.limits.frameBytesMax, defaultLimits.frameBytesMax, 'default otherwise');
});

test('the config file takes Kafka dotted names, BrokerConfig paths and nested groups', () => {
  const file = {
    'data.dir': '/f',
    'auto.create.topics.enable': false,
    'log.retention.ms': '3600000',
    'message.max.bytes': 2000000,
    'socket.request.max.bytes': 5000000,
    'limits.inFlightRequestsPerConnectionMax': 4,
    topicDefaults: { segmentBytes: 1048576 },
    logLevel: 'warn',
  };
  const { config } = load(['--config', '/c.json'], {}, { '/c.json': JSON.stringify(file) });
  assert.equal(config.dataDir, '/f');
  assert.equal(config.autoCreateTopics, false);
  assert.equal(config.topicDefaults.retentionMs, 3_600_000);
  assert.equal(config.topicDefaults.maxMessageBytes, 2_000_000);
  assert.equal(config.topicDefaults.segmentBytes, 1_048_576);
  assert.equal(config.limits.frameBytesMax, 5_000_000);
  assert.equal(config.limits.inFlightRequestsPerConnectionMax, 4);
  assert.equal(config.logLevel, 'warn');
});

test('voters: parsed, must include this node, need an explicit node id', () => {
  const { config } = load(['--data-dir', '/d', '--node-id', '2', '--voters', '1@a:9093,2@b:9093,3@c:9093']);
  assert.deepEqual(config.voters, [
    { nodeId: 1, host: 'a', port: 9093 },
    { nodeId: 2, host: 'b', port: 9093 },
    { nodeId: 3, host: 'c', port: 9093 },
  ]);
  assert.equal(loadError(['--data-dir', '/d', '--voters', '1@a:9093']).setting, 'node.id');
  assert.match(loadError(['--data-dir', '/d', '--node-id', '4', '--voters', '1@a:9093']).message, /node id 4 is not among the voters \(1\)/);
  assert.match(loadError(['--data-dir', '/d', '--node-id', '1', '--voters', '1@a:9093,1@b:9093']).message, /appears twice/);
  assert.match(loadError(['--data-dir', '/d', '--node-id', '1', '--voters', '1-a:9093']).message, /invalid voters.*ID@HOST:PORT/);
});

test('bad values name the setting and the source', () => {
  const cases: Array<[string[], Record<string, string>, string, RegExp]> = [
    [['--node-id', 'abc'], {}, 'node.id', /invalid node\.id \(from --node-id\): expected an integer, got 'abc'/],
    [['--node-id', '-1'], {}, 'node.id', /out of range/],
    [[], { TRIBUTARY_KAFKA_LISTEN: 'localhost' }, 'kafka.listen', /from TRIBUTARY_KAFKA_LISTEN.*HOST:PORT/],
    [['--kafka-listen', 'h:70000'], {}, 'kafka.listen', /port .*out of range/],
    [['--auto-create-topics-enable', 'yes'], {}, 'auto.create.topics.enable', /expected true or false/],
    [['--log-level', 'loud'], {}, 'log.level', /expected one of trace/],
    [['--num-partitions', '0'], {}, 'num.partitions', /out of range/],
    [['--max-connections', '1.5'], {}, 'max.connections', /expected an integer/],
    [['--bogus', '1'], {}, '--bogus', /unknown option '--bogus'/],
    [['--node-id'], {}, 'node.id', /--node-id needs a value/],
  ];
  for (const [argv, env, setting, pattern] of cases) {
    const error = loadError(['--data-dir', '/d', ...argv], env);
    assert.equal(error.setting, setting, argv.join(' '));
    assert.match(error.message, pattern);
  }
});

test('file problems: unreadable, not JSON, not an object, unknown key, bad value', () => {
  assert.match(loadError(['--config', '/missing.json']).message, /cannot read config file \/missing\.json: ENOENT/);
  assert.match(loadError(['--config', '/c.json'], {}, { '/c.json': '{ nope' }).message, /cannot read config file \/c\.json/);
  assert.match(loadError(['--config', '/c.json'], {}, { '/c.json': '[1]' }).message, /must hold a JSON object/);
  const unknown = loadError(['--config', '/c.json'], {}, { '/c.json': '{"num.partition": 3}' });
  assert.equal(unknown.setting, 'num.partition');
  assert.match(unknown.message, /unknown setting 'num.partition' in config file \/c\.json/);
  const bad = loadError(['--data-dir', '/d', '--config', '/c.json'], {}, { '/c.json': '{"log.retention.ms": true}' });
  assert.match(bad.message, /invalid log\.retention\.ms \(from 'log\.retention\.ms' in \/c\.json\): expected an integer/);
});

test('the data directory is required', () => {
  const error = loadError([]);
  assert.equal(error.setting, 'data.dir');
  assert.match(error.message, /--data-dir DIR or TRIBUTARY_DATA_DIR/);
});

test('listeners on one fixed port clash; port 0 never does', () => {
  assert.match(loadError(['--data-dir', '/d', '--rpc-listen', '0.0.0.0:9092']).message, /kafka\.listen and rpc\.listen both use port 9092/);
  const { config } = load(['--data-dir', '/d', '--kafka-listen', '127.0.0.1:0', '--rpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0']);
  assert.equal(config.listeners[0].listen.port, 0);
});

test('--help lists every flag with its environment variable', () => {
  const help = configHelp();
  for (const name of ['--node-id', 'TRIBUTARY_NODE_ID', '--data-dir', '--kafka-listen', '--advertise', '--rpc-listen', '--http-listen', '--voters', '--config', 'TRIBUTARY_LOG_RETENTION_MS']) {
    assert.ok(help.includes(name), name);
  }
});

test('consumer-group settings: Kafka defaults, flags, environment and file', () => {
  const defaults = load(['--data-dir', '/d']).config.groups;
  assert.deepEqual(defaults, { offsetsTopicPartitions: 50, offsetsTopicReplicationFactor: 3, minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 1800000, initialRebalanceDelayMs: 3000 });
  const set = load(['--data-dir', '/d', '--offsets-topic-num-partitions', '3', '--config', '/c.json'], { TRIBUTARY_GROUP_INITIAL_REBALANCE_DELAY_MS: '0' }, {
    '/c.json': JSON.stringify({ 'group.min.session.timeout.ms': 1000 }),
  }).config.groups;
  assert.deepEqual(set, { offsetsTopicPartitions: 3, offsetsTopicReplicationFactor: 3, minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 1800000, initialRebalanceDelayMs: 0 });
  assert.match(loadError(['--data-dir', '/d', '--offsets-topic-num-partitions', '0']).message, /offsets\.topic\.num\.partitions/);
});

test('cluster mode: only with --voters; the cluster id is derived from the voter list unless given', () => {
  assert.equal(load(['--data-dir', '/d']).config.cluster, null);
  const one = load(['--data-dir', '/d', '--node-id', '2', '--voters', '1@a:9093,2@b:9093,3@c:9093']).config.cluster;
  const other = load(['--data-dir', '/e', '--node-id', '3', '--voters', '3@c:9093,1@a:9093,2@b:9093']).config.cluster;
  assert.ok(one !== null && other !== null);
  assert.equal(one.clusterId, other.clusterId, 'every node of one voter list derives the same id');
  assert.match(one.clusterId, /^[A-Za-z0-9_-]{22}$/);
  assert.deepEqual({ ...one, clusterId: '' }, { clusterId: '', brokerSessionTimeoutMs: 800, brokerHeartbeatIntervalMs: 150, metadataSnapshotIntervalEntries: 1000, replicaLagTimeMaxMs: 10000, autoLeaderRebalance: true, leaderImbalanceCheckIntervalMs: 30000 });
  const given = load(['--data-dir', '/d', '--node-id', '1', '--voters', '1@a:9093', '--cluster-id', 'my-cluster', '--broker-session-timeout-ms', '9000']).config.cluster;
  assert.equal(given?.clusterId, 'my-cluster');
  assert.equal(given?.brokerSessionTimeoutMs, 9000);
});

test('named listeners: --listeners and --advertised-listeners matched by name; the first leads the other defaults', () => {
  const { config, notes } = load([
    '--data-dir', '/d',
    '--listeners', 'INTERNAL://0.0.0.0:19092, EXTERNAL://0.0.0.0:9092',
    '--advertised-listeners', 'EXTERNAL://localhost:9093,INTERNAL://broker-2:19092',
  ]);
  assert.deepEqual(config.listeners, [
    { name: 'INTERNAL', listen: { host: '0.0.0.0', port: 19092 }, advertise: { host: 'broker-2', port: 19092 } },
    { name: 'EXTERNAL', listen: { host: '0.0.0.0', port: 9092 }, advertise: { host: 'localhost', port: 9093 } },
  ]);
  assert.deepEqual(config.rpcListen, { host: '0.0.0.0', port: 9093 });
  assert.deepEqual(config.voters, [{ nodeId: 1, host: 'broker-2', port: 9093 }], 'a single node is its own voter at the first advertised host');
  assert.deepEqual(notes, []);
});

test('named listeners: an unadvertised one is advertised as it listens (127.0.0.1 for a wildcard); NAME://:PORT is every interface', () => {
  const { config, notes } = load(['--data-dir', '/d', '--listeners', 'A://10.0.0.5:9092,B://:9094,C_2://[::1]:0']);
  assert.deepEqual(
    config.listeners.map((l) => [l.name, l.listen, l.advertise]),
    [
      ['A', { host: '10.0.0.5', port: 9092 }, { host: '10.0.0.5', port: 9092 }],
      ['B', { host: '0.0.0.0', port: 9094 }, { host: '127.0.0.1', port: 9094 }],
      ['C_2', { host: '::1', port: 0 }, { host: '::1', port: 0 }],
    ],
  );
  assert.equal(notes.length, 1);
  assert.match(notes[0], /listener B listens on 0\.0\.0\.0, so advertising 127\.0\.0\.1.*--advertised-listeners/);
});

test('named listeners from the environment and the config file (a string or a JSON array)', () => {
  const env = { TRIBUTARY_LISTENERS: 'IN://127.0.0.1:0,OUT://127.0.0.1:0', TRIBUTARY_ADVERTISED_LISTENERS: 'OUT://example.com:443' };
  assert.deepEqual(load(['--data-dir', '/d'], env).config.listeners.map((l) => [l.name, l.advertise.host]), [['IN', '127.0.0.1'], ['OUT', 'example.com']]);
  const file = { 'data.dir': '/f', listeners: ['IN://127.0.0.1:9001', 'OUT://0.0.0.0:9002'], 'advertised.listeners': 'OUT://h:9002' };
  const { config } = load(['--config', '/c.json'], {}, { '/c.json': JSON.stringify(file) });
  assert.deepEqual(config.listeners.map((l) => `${l.name} ${l.listen.host}:${l.listen.port} ${l.advertise.host}:${l.advertise.port}`), ['IN 127.0.0.1:9001 127.0.0.1:9001', 'OUT 0.0.0.0:9002 h:9002']);
});

test('--advertised-listeners alone applies to the default listener, PLAINTEXT://0.0.0.0:9092', () => {
  const { config, notes } = load(['--data-dir', '/d', '--advertised-listeners', 'PLAINTEXT://kafka.example:9092']);
  assert.deepEqual(config.listeners, [{ name: 'PLAINTEXT', listen: { host: '0.0.0.0', port: 9092 }, advertise: { host: 'kafka.example', port: 9092 } }]);
  assert.deepEqual(notes, []);
});

test('bad listener values name the setting', () => {
  const cases: Array<[string[], string, RegExp]> = [
    [['--listeners', 'internal://h:9092'], 'listeners', /invalid listeners \(from --listeners\): listener name 'internal'.*upper-case/],
    [['--listeners', 'A://h:9092,A://h:9093'], 'listeners', /listener name A appears twice/],
    [['--listeners', 'h:9092'], 'listeners', /expected NAME:\/\/HOST:PORT, got 'h:9092'/],
    [['--listeners', 'A://h'], 'listeners', /in 'A:\/\/h': expected HOST:PORT/],
    [['--listeners', 'A://h:65536'], 'listeners', /port .*out of range/],
    [['--listeners', 'A://:99999'], 'listeners', /port .*out of range/],
    [['--listeners', ''], 'listeners', /expected NAME:\/\/HOST:PORT,\.\.\./],
    [['--listeners', 'RPC://h:9092'], 'listeners', /RPC is reserved/],
    [['--listeners', 'A://h:9092', '--advertised-listeners', 'B://h:9092'], 'advertised.listeners', /advertised listener B is not among the listeners \(A\)/],
    [['--listeners', 'A://h:9092', '--advertised-listeners', 'A://0.0.0.0:9092'], 'advertised.listeners', /'0\.0\.0\.0' is not an address clients can connect to/],
    [['--listeners', 'A://h:9092', '--advertised-listeners', 'A://:9092'], 'advertised.listeners', /'' is not an address/],
    [['--listeners', 'A://0.0.0.0:9092,B://h:9092'], 'listeners', /listener A and listener B both use port 9092/],
    [['--listeners', 'A://h:9092', '--http-listen', 'h:9092'], 'http.listen', /listener A and http\.listen both use port 9092/],
  ];
  for (const [argv, setting, pattern] of cases) {
    const error = loadError(['--data-dir', '/d', ...argv]);
    assert.equal(error.setting, setting, argv.join(' '));
    assert.match(error.message, pattern, argv.join(' '));
  }
  const apart = load(['--data-dir', '/d', '--listeners', 'A://10.0.0.1:9092,B://10.0.0.2:9092,C://127.0.0.1:0,D://127.0.0.1:0']).config;
  assert.equal(apart.listeners.length, 4, 'one port on different hosts, and port 0 twice, do not clash');
});

test('--kafka-listen/--advertise and --listeners/--advertised-listeners cannot be mixed, from any source', () => {
  const cases: Array<[string[], Record<string, string>, string, RegExp]> = [
    [['--kafka-listen', 'h:1', '--listeners', 'A://h:2'], {}, 'kafka.listen', /kafka\.listen \(from --kafka-listen\) cannot be combined with listeners \(from --listeners\)/],
    [['--advertise', 'h:1', '--advertised-listeners', 'PLAINTEXT://h:1'], {}, 'advertise', /advertise .* cannot be combined with advertised\.listeners/],
    [['--advertise', 'h:1'], { TRIBUTARY_LISTENERS: 'A://h:2' }, 'advertise', /cannot be combined with listeners \(from TRIBUTARY_LISTENERS\)/],
    [['--kafka-listen', 'h:1', '--advertised-listeners', 'PLAINTEXT://h:1'], {}, 'kafka.listen', /cannot be combined with advertised\.listeners/],
  ];
  for (const [argv, env, setting, pattern] of cases) {
    const error = loadError(['--data-dir', '/d', ...argv], env);
    assert.equal(error.setting, setting, argv.join(' '));
    assert.match(error.message, pattern);
  }
});

test('--help lists the listener settings', () => {
  const help = configHelp();
  for (const name of ['--listeners', 'TRIBUTARY_LISTENERS', '--advertised-listeners', 'TRIBUTARY_ADVERTISED_LISTENERS']) assert.ok(help.includes(name), name);
});
