/**
 * The versions of each API this client speaks. The lower bounds are what our code needs
 * (record batch v2 needs Produce 3 and Fetch 4; null topics in Metadata need v1); the upper
 * bounds are the versions we have exercised against real brokers' behaviour.
 */
import type { VersionRange } from './api-version-table.js';

export const apiRanges = {
  metadata: { minVersion: 1, maxVersion: 8 },
  produce: { minVersion: 3, maxVersion: 7 },
  fetch: { minVersion: 4, maxVersion: 11 },
  listOffsets: { minVersion: 1, maxVersion: 5 },
  createTopics: { minVersion: 0, maxVersion: 4 },
  deleteTopics: { minVersion: 0, maxVersion: 3 },
  createPartitions: { minVersion: 0, maxVersion: 1 },
  describeConfigs: { minVersion: 0, maxVersion: 3 },
  alterConfigs: { minVersion: 0, maxVersion: 1 },
  incrementalAlterConfigs: { minVersion: 0, maxVersion: 1 },
  // Consumer groups, classic protocol: the versions before KIP-848's member epochs.
  findCoordinator: { minVersion: 0, maxVersion: 3 },
  joinGroup: { minVersion: 0, maxVersion: 7 },
  syncGroup: { minVersion: 0, maxVersion: 5 },
  heartbeat: { minVersion: 0, maxVersion: 4 },
  leaveGroup: { minVersion: 0, maxVersion: 4 },
  offsetCommit: { minVersion: 2, maxVersion: 8 },
  offsetFetch: { minVersion: 1, maxVersion: 7 },
  listGroups: { minVersion: 0, maxVersion: 4 },
  describeGroups: { minVersion: 0, maxVersion: 5 },
} as const satisfies Record<string, VersionRange>;
