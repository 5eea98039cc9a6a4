import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, ErrorCode } from '@tributary/protocol';
import { testBroker } from './data/testing/fake-broker.js';
import { call } from './data/testing/wire.js';
import { findCoordinatorHandler } from './find-coordinator.js';
import { handlerSpecs } from './index.js';

test('FindCoordinator is advertised from v0 and answers COORDINATOR_NOT_AVAILABLE until groups exist', async () => {
  const spec = handlerSpecs.find((s) => s.apiKey === ApiKey.FindCoordinator);
  assert.equal(spec?.minVersion, 0, 'librdkafka enables lz4 only when FindCoordinator v0 is advertised');
  const broker = await testBroker();
  for (const version of [0, 1, 2]) {
    const response = await call(broker, findCoordinatorHandler, version, { key: 'g', keyType: 0, coordinatorKeys: [] });
    assert.equal(response.errorCode, ErrorCode['COORDINATOR_NOT_AVAILABLE']);
    assert.equal(response.nodeId, -1);
    if (version >= 1) assert.match(response.errorMessage ?? '', /group coordinator/);
  }
});
