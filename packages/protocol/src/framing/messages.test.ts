import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './messages.js';
import { requestHeaderVersion, responseHeaderVersion } from './headers.js';
import { UnsupportedApiError, KafkaDecodeError, KafkaEncodeError } from '../codec/errors.js';
import { ApiKey } from '../generated/api.js';
import { defaultApiVersionsResponse } from '../generated/api-versions.js';
import { defaultMetadataRequest } from '../generated/metadata.js';

const body = (frame: Buffer): Buffer => frame.subarray(4);

test('header versions follow Kafka: flexible → v2/v1, ApiVersions response always v0', () => {
  assert.equal(requestHeaderVersion(ApiKey.Produce, 8), 1);
  assert.equal(requestHeaderVersion(ApiKey.Produce, 9), 2);
  assert.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
  assert.equal(responseHeaderVersion(ApiKey.Fetch, 12), 1);
  assert.equal(responseHeaderVersion(ApiKey.Fetch, 11), 0);
  assert.equal(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
});

test('a request round-trips through its frame, header included', () => {
  for (const version of [0, 1, 4, 9, 12]) {
    const request = { ...defaultMetadataRequest(), topics: version === 0 ? [] : null };
    const frame = encodeRequest(ApiKey.Metadata, version, 77, 'client-1', request);
    assert.ok(frame.ok);
    assert.equal(frame.value.readInt32BE(0), frame.value.length - 4);
    const decoded = decodeRequest(body(frame.value));
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
    assert.equal(decoded.value.apiKey, ApiKey.Metadata);
    assert.deepEqual(decoded.value.header, { requestApiKey: 3, requestApiVersion: version, correlationId: 77, clientId: 'client-1' });
    assert.deepEqual(decoded.value.body, request);
  }
});

test('ApiVersions v3 response: header v0 (no tag byte) then a flexible body', () => {
  const response = { ...defaultApiVersionsResponse(), apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] };
  const frame = encodeResponse(ApiKey.ApiVersions, 3, 5, response);
  assert.ok(frame.ok);
  // size, correlation id, then the body's int16 error code straight away.
  assert.equal(frame.value.readInt32BE(4), 5);
  assert.equal(frame.value.readInt16BE(8), 0);
  assert.equal(frame.value[10], 2, 'compact array of one api key');
  const decoded = decodeResponse(ApiKey.ApiVersions, 3, body(frame.value));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value.body, response);
});

test('an unknown API or version is a typed error that keeps the header', () => {
  const frame = Buffer.alloc(8 + 2 + 3);
  frame.writeInt16BE(9999, 0);
  frame.writeInt16BE(0, 2);
  frame.writeInt32BE(1234, 4);
  frame.writeInt16BE(3, 8);
  frame.write('abc', 10);
  const result = decodeRequest(frame);
  assert.ok(!result.ok);
  assert.ok(result.error instanceof UnsupportedApiError);
  assert.equal(result.error.code, 35);
  assert.equal(result.header?.correlationId, 1234);
  assert.equal(result.header?.clientId, 'abc');
  frame.writeInt16BE(ApiKey.ApiVersions, 0);
  frame.writeInt16BE(99, 2);
  const tooNew = decodeRequest(frame);
  assert.ok(!tooNew.ok && tooNew.error instanceof UnsupportedApiError && tooNew.header?.requestApiVersion === 99);
});

test('trailing bytes and short frames are decode errors', () => {
  const frame = encodeRequest(ApiKey.Metadata, 1, 1, null, { ...defaultMetadataRequest(), topics: null });
  assert.ok(frame.ok);
  const padded = Buffer.concat([body(frame.value), Buffer.from([0])]);
  const result = decodeRequest(padded);
  assert.ok(!result.ok && result.error instanceof KafkaDecodeError && result.header?.correlationId === 1);
  const short = decodeRequest(Buffer.from([0, 3, 0]));
  assert.ok(!short.ok && short.error instanceof KafkaDecodeError && short.header === null);
});

test('encoding a value that does not fit the version is a typed error', () => {
  const bad = encodeRequest(ApiKey.Metadata, 0, 1, null, { ...defaultMetadataRequest(), topics: null });
  assert.ok(!bad.ok && bad.error instanceof KafkaEncodeError, 'null topics cannot be written at v0');
  const outOfRange = encodeRequest(ApiKey.Metadata, 1, 1, null, { ...defaultMetadataRequest(), topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'x'.repeat(40000) }] });
  assert.ok(!outOfRange.ok && outOfRange.error instanceof KafkaEncodeError);
});
