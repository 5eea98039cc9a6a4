import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, kafkaError, kafkaErrors } from './error-codes.js';

test('error codes are unique, contiguous from -1, and named once', () => {
  const codes = kafkaErrors.map((e) => e.code);
  assert.deepEqual(codes, Array.from({ length: codes.length }, (_, i) => i - 1));
  assert.equal(new Set(kafkaErrors.map((e) => e.name)).size, kafkaErrors.length);
});

test('well-known codes clients act on', () => {
  assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
  assert.equal(ErrorCode['OUT_OF_ORDER_SEQUENCE_NUMBER'], 45);
  assert.equal(ErrorCode['FENCED_LEADER_EPOCH'], 74);
  assert.equal(ErrorCode['MEMBER_ID_REQUIRED'], 79);
  assert.equal(kafkaError(6).retriable, true);
  assert.equal(kafkaError(10).retriable, false);
  assert.equal(kafkaError(4242).name, 'UNKNOWN_ERROR_CODE_4242');
});
