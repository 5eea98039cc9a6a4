import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultInitProducerIdRequest, type InitProducerIdRequest } from '@tributary/protocol';
import { Errors } from './data/error-codes.js';
import { testBroker } from './data/testing/fake-broker.js';
import { call } from './data/testing/wire.js';
import { initProducerIdHandler } from './init-producer-id.js';

const idempotent: InitProducerIdRequest = { ...defaultInitProducerIdRequest(), transactionalId: null, transactionTimeoutMs: 60_000 };

test('every version 0–4 allocates a fresh producer id with epoch 0', async () => {
  const broker = await testBroker();
  const ids = new Set<bigint>();
  for (let version = 0; version <= 4; version++) {
    for (let i = 0; i < 5; i++) {
      const response = await call(broker, initProducerIdHandler, version, idempotent);
      assert.equal(response.errorCode, Errors.NONE);
      assert.equal(response.producerEpoch, 0);
      ids.add(response.producerId);
    }
  }
  assert.equal(ids.size, 25, 'ids are unique across blocks (block size 10 in tests)');
});

test('a transactional id is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async () => {
  const broker = await testBroker();
  const response = await call(broker, initProducerIdHandler, 1, { ...idempotent, transactionalId: 'tx-1' });
  assert.deepEqual([response.errorCode, response.producerId, response.producerEpoch], [Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1n, -1]);
});

test('v3+ with an existing producer id bumps its epoch; a retried bump gets the same answer; older is fenced', async () => {
  const broker = await testBroker();
  const first = await call(broker, initProducerIdHandler, 4, idempotent);
  const bump = (producerEpoch: number) => call(broker, initProducerIdHandler, 4, { ...idempotent, producerId: first.producerId, producerEpoch });
  const bumped = await bump(0);
  assert.deepEqual([bumped.errorCode, bumped.producerId, bumped.producerEpoch], [Errors.NONE, first.producerId, 1]);
  const retried = await bump(0);
  assert.deepEqual([retried.producerId, retried.producerEpoch], [first.producerId, 1]);
  assert.equal((await bump(1)).producerEpoch, 2);
  assert.equal((await bump(0)).errorCode, Errors.INVALID_PRODUCER_EPOCH);
  // An id this broker never issued gets a fresh one.
  const stranger = await call(broker, initProducerIdHandler, 3, { ...idempotent, producerId: 1n << 40n, producerEpoch: 3 });
  assert.equal(stranger.errorCode, Errors.NONE);
  assert.notEqual(stranger.producerId, 1n << 40n);
  assert.equal(stranger.producerEpoch, 0);
});
