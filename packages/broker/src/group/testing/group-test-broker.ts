/** Test support: the handlers' fake broker with a real GroupService over its fake topic manager. */
import { seededRandom } from '@tributary/common';
import { testBroker, type TestBroker } from '../../handlers/data/testing/fake-broker.js';
import { silentLogger } from '../../logging.js';
import { GroupService, type GroupServiceSettings } from '../group-service.js';

export async function groupTestBroker(settings: Partial<GroupServiceSettings> = {}): Promise<{ broker: TestBroker; service: GroupService }> {
  const base = await testBroker();
  const service = new GroupService({
    topics: base.topics,
    clock: base.context.clock,
    random: seededRandom(1),
    logger: silentLogger(),
    settings: { offsetsTopicPartitions: 3, ...settings, coordinator: { initialRebalanceDelayMs: 0, minSessionTimeoutMs: 1_000, ...settings.coordinator } },
  });
  service.start();
  const context = { ...base.context, groups: service };
  const broker: TestBroker = { ...base, context, request: (apiKey, apiVersion, controller) => ({ ...base.request(apiKey, apiVersion, controller), broker: context }) };
  return { broker, service };
}
