/** A BrokerContext for listener tests: no topics, metrics counted in memory. */
import { systemClock } from '@tributary/common';
import type { Logger } from 'pino';
import { singleBrokerAddresses, type BrokerContext } from '../../broker-context.js';
import type { BrokerMetrics } from '../../http/broker-metrics.js';
import { testBrokerConfig } from '../../config/load-config.js';
import type { TopicManager } from '../../state/topic-manager.js';
import type { ProducerStateManager } from '../../state/producer-state.js';
import type { PartitionWaiters } from '../../state/partition-waiters.js';
import { silentLogger } from '../../logging.js';

export class CountingMetrics implements BrokerMetrics {
  readonly requests: Array<{ api: string; failed: boolean }> = [];
  recordRequest(apiName: string, _durationMs: number, failed: boolean): void {
    this.requests.push({ api: apiName, failed });
  }
  recordProduced(): void {}
  recordFetched(): void {}
}

function unused(what: string): never {
  throw new Error(`${what} is not available in this test context`);
}

const noTopics = new Proxy({} as TopicManager, {
  get: (_target, name) => (name === 'topics' ? () => [] : name === 'topic' || name === 'topicById' || name === 'partition' ? () => undefined : () => unused(`topics.${String(name)}`)),
});

export function testBrokerContext(logger: Logger = silentLogger()): BrokerContext & { metrics: CountingMetrics } {
  return {
    nodeId: 1,
    clusterId: 'test-cluster',
    config: testBrokerConfig('/nonexistent'),
    clock: systemClock,
    topics: noTopics,
    producers: new Proxy({} as ProducerStateManager, { get: (_t, name) => () => unused(`producers.${String(name)}`) }),
    waiters: new Proxy({} as PartitionWaiters, { get: (_t, name) => () => unused(`waiters.${String(name)}`) }),
    metrics: new CountingMetrics(),
    logger,
    brokers(listenerName) {
      return singleBrokerAddresses(this.config, listenerName);
    },
    controllerId: () => 1,
  };
}
