import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { classifySendError } from './kafka.js';

// kafkajs is CommonJS and spreads its error classes into its exports: no named ESM imports.
const { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } = kafkajs;

const protocolError = (type: string): Error => Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type });

test('a send is a definite failure only when its one attempt was refused before any append', () => {
  const once = (cause: Error, retryCount: number): Error => new KafkaJSNumberOfRetriesExceeded(cause, { retryCount, retryTime: 100 });
  assert.equal(classifySendError(once(protocolError('NOT_ENOUGH_REPLICAS'), 0)), 'fail');
  assert.equal(classifySendError(once(protocolError('NOT_ENOUGH_REPLICAS'), 2)), 'info', 'earlier attempts may have landed');
  assert.equal(classifySendError(once(protocolError('NOT_ENOUGH_REPLICAS_AFTER_APPEND'), 0)), 'info');
  assert.equal(classifySendError(once(protocolError('NOT_LEADER_OR_FOLLOWER'), 0)), 'info', 'a leader may append, then lose leadership');
  assert.equal(classifySendError(once(protocolError('REQUEST_TIMED_OUT'), 0)), 'info');
  assert.equal(classifySendError(once(new Error('Connection timeout'), 0)), 'info');
  assert.equal(classifySendError(new KafkaJSNonRetriableError(protocolError('NOT_ENOUGH_REPLICAS'))), 'info', 'retries unknown');
  assert.equal(classifySendError(new Error('send timed out')), 'info');
  assert.equal(classifySendError('weird'), 'info');
});
