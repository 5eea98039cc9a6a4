import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { defaultTopicDefaults } from '../config/broker-config.js';
import { applyAlteration } from './config-alterations.js';
import { describeTopicConfigs, resolveTopicConfig, topicConfigDefinitions, validateConfigValue, validateOverrides } from './topic-configs.js';

test('config values are validated against their definitions', () => {
  const table: Array<[name: string, value: string, valid: boolean]> = [
    ['cleanup.policy', 'delete', true],
    ['cleanup.policy', 'compact', true],
    ['cleanup.policy', 'compact, delete', true],
    ['cleanup.policy', 'shred', false],
    ['cleanup.policy', '', false],
    ['compression.type', 'zstd', true],
    ['compression.type', 'brotli', false],
    ['max.message.bytes', '1048588', true],
    ['max.message.bytes', '-1', false],
    ['max.message.bytes', '2147483648', false],
    ['message.timestamp.type', 'LogAppendTime', true],
    ['message.timestamp.type', 'logappendtime', false],
    ['min.insync.replicas', '0', false],
    ['retention.ms', '-1', true],
    ['retention.ms', '-2', false],
    ['retention.ms', '9223372036854775807', true],
    ['retention.ms', '9223372036854775808', false],
    ['retention.ms', '1.5', false],
    ['retention.bytes', '-5', true],
    ['segment.bytes', '13', false],
    ['segment.bytes', '14', true],
    ['segment.ms', '0', false],
    ['unclean.leader.election.enable', 'TRUE', true],
    ['unclean.leader.election.enable', 'yes', false],
    ['min.cleanable.dirty.ratio', '0.75', true],
    ['min.cleanable.dirty.ratio', '1.5', false],
    ['flush.messages', '1', true],
    ['delete.retention.ms', ' 100 ', true],
  ];
  for (const [name, value, valid] of table) {
    const result = validateConfigValue(name, value);
    assert.equal(result.ok, valid, `${name}=${JSON.stringify(value)}`);
    if (!result.ok) {
      assert.equal(result.error.code, ErrorCode.INVALID_CONFIG);
      assert.match(result.error.message, new RegExp(`^Invalid value .* for configuration ${name.replaceAll('.', '\\.')}: `));
    }
  }
  const unknown = validateOverrides({ 'retention.ms': '1', 'log.retention.ms': '1' });
  assert.ok(!unknown.ok && unknown.error.message === 'Unknown topic config name: log.retention.ms');
  assert.ok(!validateConfigValue('retention.ms', null).ok);
  const trimmed = validateConfigValue('delete.retention.ms', ' 100 ');
  assert.ok(trimmed.ok);
  assert.equal(trimmed.value, '100');
});

test('every definition has a doc, a Kafka type and a default that passes its own check', () => {
  assert.ok(topicConfigDefinitions.size >= 15);
  for (const definition of topicConfigDefinitions.values()) {
    assert.ok(definition.doc.length > 10, definition.name);
    assert.ok(definition.type >= 1 && definition.type <= 9, definition.name);
    assert.equal(definition.check(definition.kafkaDefault), null, `${definition.name} default ${definition.kafkaDefault}`);
    if (definition.fromDefaults) assert.equal(definition.fromDefaults(defaultTopicDefaults), definition.kafkaDefault, definition.name);
  }
});

test('the resolved config takes overrides over broker defaults, clamped for the log', () => {
  const defaults = { ...defaultTopicDefaults, retentionMs: 5000, segmentBytes: 1 << 20 };
  const config = resolveTopicConfig({ 'retention.ms': '9223372036854775807', 'retention.bytes': '-7', 'message.timestamp.type': 'LogAppendTime' }, defaults);
  assert.equal(config.retentionMs, Number.MAX_SAFE_INTEGER);
  assert.equal(config.retentionBytes, -1);
  assert.equal(config.segmentBytes, 1 << 20);
  assert.equal(config.messageTimestampType, 'LogAppendTime');
  assert.equal(config.cleanupPolicy, 'delete');
  assert.equal(config.uncleanLeaderElectionEnable, false);
  assert.equal(resolveTopicConfig({}, defaults).retentionMs, 5000);
});

test('describe lists every config with its source; a filter keeps the named ones', () => {
  const all = describeTopicConfigs({ 'cleanup.policy': 'compact' }, defaultTopicDefaults, null);
  assert.equal(all.length, topicConfigDefinitions.size);
  const cleanup = all.find((e) => e.name === 'cleanup.policy')!;
  assert.deepEqual([cleanup.value, cleanup.isExplicit, cleanup.source], ['compact', true, 1]);
  assert.deepEqual(
    cleanup.synonyms.map((s) => [s.name, s.value, s.source]),
    [
      ['cleanup.policy', 'compact', 1],
      ['log.cleanup.policy', 'delete', 5],
    ],
  );
  assert.deepEqual(
    describeTopicConfigs({}, defaultTopicDefaults, ['segment.ms']).map((e) => [e.name, e.source]),
    [['segment.ms', 5]],
  );
});

test('incremental alterations start from the current value, the default when not overridden', () => {
  const appended = applyAlteration({}, { mode: 'incremental', operations: [{ name: 'cleanup.policy', op: 2, value: 'compact,delete' }] }, defaultTopicDefaults);
  assert.ok(appended.ok);
  assert.deepEqual(appended.value, { 'cleanup.policy': 'delete,compact' });
  const replaced = applyAlteration({ 'retention.ms': '5' }, { mode: 'replace', configs: { 'segment.ms': '10' } }, defaultTopicDefaults);
  assert.ok(replaced.ok);
  assert.deepEqual(replaced.value, { 'segment.ms': '10' });
  const nulled = applyAlteration({}, { mode: 'replace', configs: { 'segment.ms': null } }, defaultTopicDefaults);
  assert.ok(!nulled.ok && nulled.error.code === ErrorCode.INVALID_CONFIG);
});
