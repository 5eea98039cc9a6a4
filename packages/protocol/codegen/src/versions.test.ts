import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contains, parseVersions, versionCondition } from './versions.js';
import { lowerCamel } from './model.js';
import { kebab } from './emit.js';

test('parses Kafka version ranges', () => {
  assert.deepEqual(parseVersions('3+'), { min: 3, max: Infinity });
  assert.deepEqual(parseVersions('0-7'), { min: 0, max: 7 });
  assert.deepEqual(parseVersions('5'), { min: 5, max: 5 });
  assert.equal(parseVersions('none'), null);
  assert.equal(parseVersions(undefined), null);
  assert.ok(contains(parseVersions('2-4'), 4) && !contains(parseVersions('2-4'), 5));
});

test('version conditions simplify against the versions in play', () => {
  const valid = parseVersions('0-11');
  assert.equal(versionCondition(parseVersions('0+'), valid), 'true');
  assert.equal(versionCondition(parseVersions('3+'), valid), 'version >= 3');
  assert.equal(versionCondition(parseVersions('0-2'), valid), 'version <= 2');
  assert.equal(versionCondition(parseVersions('2-4'), valid), 'version >= 2 && version <= 4');
  assert.equal(versionCondition(parseVersions('12+'), valid), 'false');
  assert.equal(versionCondition(null, valid), 'false');
});

test('names: lower camel case properties and kebab-case files', () => {
  assert.equal(lowerCamel('ProducerId'), 'producerId');
  assert.equal(lowerCamel('ISRChangeOnly'), 'isrChangeOnly');
  assert.equal(lowerCamel('ID'), 'id');
  assert.equal(kebab('DescribeUserScramCredentials'), 'describe-user-scram-credentials');
  assert.equal(kebab('InitProducerId'), 'init-producer-id');
});
