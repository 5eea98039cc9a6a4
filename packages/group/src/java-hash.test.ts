import { test } from 'node:test';
import assert from 'node:assert/strict';
import { javaStringHashCode, offsetsPartitionFor } from './java-hash.js';
import { newMemberId } from './member-id.js';
import { seededRandom } from '@tributary/common';

test("Java's String.hashCode and Kafka's partitionFor", () => {
  assert.equal(javaStringHashCode(''), 0);
  assert.equal(javaStringHashCode('a'), 97);
  assert.equal(javaStringHashCode('hello'), 99162322);
  assert.equal(javaStringHashCode('Aa'), javaStringHashCode('BB'));
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
  assert.equal(offsetsPartitionFor('polygenelubricants', 50), 0, 'Utils.abs(MIN_VALUE) is 0');
  assert.equal(offsetsPartitionFor('hello', 50), 99162322 % 50);
  assert.equal(offsetsPartitionFor('hello', 1), 0);
  assert.equal(javaStringHashCode('é😀'), ((0xe9 * 31 + 0xd83d) * 31 + 0xde00) | 0, 'UTF-16 code units');
});

test('member ids are clientId-uuid from the injected random, reproducible per seed', () => {
  const a = newMemberId('rdkafka', seededRandom(7));
  assert.match(a, /^rdkafka-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(newMemberId('rdkafka', seededRandom(7)), a);
});
