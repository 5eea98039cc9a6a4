import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, apis, defaultApiVersionsRequest, type ApiVersionsResponse } from '@tributary/protocol';
import type { HandlerSpec } from './handler.js';
import { handlerSpecs } from './index.js';
import { adminBroker } from './testing/admin-broker.js';
import { API_VERSIONS_RANGE } from './api-versions.js';

test('ApiVersions advertises every handler in the table, MinVersion 0, within the codecs, at v0-3', async () => {
  const broker = await adminBroker();
  const spec = handlerSpecs.find((s) => s.apiKey === ApiKey.ApiVersions) as HandlerSpec<typeof ApiKey.ApiVersions> | undefined;
  assert.ok(spec);
  assert.deepEqual([spec.minVersion, spec.maxVersion], [API_VERSIONS_RANGE.minVersion, API_VERSIONS_RANGE.maxVersion]);
  for (let version = 0; version <= 3; version++) {
    const response: ApiVersionsResponse = await broker.call(spec, version, { ...defaultApiVersionsRequest(), ...(version >= 3 ? { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' } : {}) });
    assert.equal(response.errorCode, 0);
    assert.deepEqual(
      response.apiKeys.map((k) => k.apiKey),
      handlerSpecs.map((s) => s.apiKey).sort((a, b) => a - b),
    );
    for (const key of response.apiKeys) {
      const own = handlerSpecs.find((s) => s.apiKey === key.apiKey);
      assert.deepEqual([key.minVersion, key.maxVersion], [own?.minVersion, own?.maxVersion]);
      assert.equal(key.minVersion, 0, `${apis[key.apiKey as ApiKey].name} min version`);
      assert.ok(key.maxVersion <= apis[key.apiKey as ApiKey].maxVersion, `${apis[key.apiKey as ApiKey].name} max version`);
    }
  }
  await broker.close();
});

test('the table has one spec per API key, and the APIs every client needs', () => {
  const keys = handlerSpecs.map((s) => s.apiKey);
  assert.equal(new Set(keys).size, keys.length);
  for (const key of [ApiKey.ApiVersions, ApiKey.Metadata]) assert.ok(keys.includes(key));
});
