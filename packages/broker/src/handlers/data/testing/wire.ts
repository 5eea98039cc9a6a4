/**
 * Test support: calls a handler the way the listener will, through the wire codecs: the request
 * is encoded and decoded at `version`, the response encoded and decoded back, so a field a
 * version lacks or a bad value fails the test.
 */
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type ApiKey, type ApiRequests, type ApiResponses } from '@tributary/protocol';
import { CloseConnection, NO_RESPONSE, type HandlerSpec } from '../../handler.js';
import type { TestBroker } from './fake-broker.js';

export async function callOverWire<K extends ApiKey>(
  broker: TestBroker,
  spec: HandlerSpec<K>,
  version: number,
  body: ApiRequests[K],
  controller?: AbortController,
): Promise<ApiResponses[K] | typeof NO_RESPONSE | CloseConnection> {
  const frame = encodeRequest(spec.apiKey, version, 7, 'test-client', body);
  if (!frame.ok) throw frame.error;
  const decoded = decodeRequest(frame.value.subarray(4));
  if (!decoded.ok) throw decoded.error;
  const response = await spec.handle(decoded.value.body as ApiRequests[K], broker.request(spec.apiKey, version, controller));
  if (response === NO_RESPONSE || response instanceof CloseConnection) return response;
  const encoded = encodeResponse(spec.apiKey, version, 7, response);
  if (!encoded.ok) throw encoded.error;
  const back = decodeResponse(spec.apiKey, version, encoded.value.subarray(4));
  if (!back.ok) throw back.error;
  return back.value.body;
}

/** The same, for a response that must be there. */
export async function call<K extends ApiKey>(
  broker: TestBroker,
  spec: HandlerSpec<K>,
  version: number,
  body: ApiRequests[K],
  controller?: AbortController,
): Promise<ApiResponses[K]> {
  const response = await callOverWire(broker, spec, version, body, controller);
  if (response === NO_RESPONSE || response instanceof CloseConnection) throw new Error('expected a response');
  return response;
}
