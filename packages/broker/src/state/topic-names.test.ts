import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '@tributary/protocol';
import { collisionKey, isInternalTopic, validateTopicName } from './topic-names.js';

test('topic names are checked as Kafka checks them', () => {
  const table: Array<[name: string, valid: boolean, message?: RegExp]> = [
    ['orders', true],
    ['a.b_c-D9', true],
    ['x'.repeat(249), true],
    ['...', true],
    ['', false, /can't be empty/],
    ['.', false, /cannot be "\." or "\.\."/],
    ['..', false, /cannot be "\." or "\.\."/],
    ['x'.repeat(250), false, /longer than 249 characters/],
    ['with space', false, /contains a character other than ASCII alphanumerics/],
    ['slash/es', false, /illegal/],
    ['tilde~', false, /illegal/],
    ['ünïcode', false, /illegal/],
    ['new\nline', false, /illegal/],
  ];
  for (const [name, valid, message] of table) {
    const result = validateTopicName(name);
    assert.equal(result.ok, valid, `${JSON.stringify(name)}`);
    if (!result.ok) {
      assert.equal(result.error.code, ErrorCode.INVALID_TOPIC_EXCEPTION);
      assert.match(result.error.message, message!);
    }
  }
});

test('names colliding in . versus _ share a key; internal names are known', () => {
  assert.equal(collisionKey('a.b'), collisionKey('a_b'));
  assert.notEqual(collisionKey('a.b'), collisionKey('a-b'));
  assert.ok(isInternalTopic('__consumer_offsets'));
  assert.ok(isInternalTopic('__transaction_state'));
  assert.ok(!isInternalTopic('_consumer_offsets'));
});
