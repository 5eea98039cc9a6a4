/**
 * Test support for the admin handlers: a real LocalTopicManager on a MemoryFileSystem inside a
 * broker context, and a call that goes through the wire codecs at the given version (request
 * encoded and decoded, response encoded and decoded), so a field a version lacks fails the test.
 */
import { MemoryFileSystem } from '@tributary/common';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type ApiKey, type ApiRequests, type ApiResponses } from '@tributary/protocol';
import type { BrokerContext } from '../../broker-context.js';
import { testBrokerConfig } from '../../config/load-config.js';
import { DEFAULT_KAFKA_LISTENER_NAME, type BrokerConfig } from '../../config/broker-config.js';
import { testBrokerContext } from '../../server/testing/test-broker-context.js';
import type { LocalTopicManager } from '../../state/local-topic-manager.js';
import { openManager } from '../../state/testing/topic-test-support.js';
import { CloseConnection, NO_RESPONSE, type HandlerSpec, type RequestContext } from '../handler.js';

export interface AdminBroker {
  readonly context: BrokerContext;
  readonly topics: LocalTopicManager;
  call<K extends ApiKey>(spec: HandlerSpec<K>, version: number, body: ApiRequests[K]): Promise<ApiResponses[K]>;
  close(): Promise<void>;
}

export async function adminBroker(configOverrides: Partial<BrokerConfig> = {}): Promise<AdminBroker> {
  const listeners = [{ name: DEFAULT_KAFKA_LISTENER_NAME, listen: { host: '0.0.0.0', port: 9092 }, advertise: { host: 'broker.example', port: 9092 } }];
  const config = testBrokerConfig('/data', { listeners, ...configOverrides });
  const topics = await openManager(new MemoryFileSystem(), '/data', { defaults: config.topicDefaults });
  const context: BrokerContext = { ...testBrokerContext(), config, topics };
  return {
    context,
    topics,
    async call(spec, version, body) {
      const frame = encodeRequest(spec.apiKey, version, 7, 'test-client', body);
      if (!frame.ok) throw frame.error;
      const decoded = decodeRequest(frame.value.subarray(4));
      if (!decoded.ok) throw decoded.error;
      const ctx: RequestContext = {
        header: decoded.value.header,
        apiVersion: version,
        connectionId: 1,
        clientAddress: '127.0.0.1:1',
        listenerName: DEFAULT_KAFKA_LISTENER_NAME,
        broker: context,
        signal: new AbortController().signal,
      };
      const response = await spec.handle(decoded.value.body as ApiRequests[typeof spec.apiKey], ctx);
      if (response === NO_RESPONSE || response instanceof CloseConnection) throw new Error('expected a response');
      const encoded = encodeResponse(spec.apiKey, version, 7, response);
      if (!encoded.ok) throw encoded.error;
      const back = decodeResponse(spec.apiKey, version, encoded.value.subarray(4));
      if (!back.ok) throw back.error;
      return back.value.body;
    },
    close: () => topics.close(),
  };
}
