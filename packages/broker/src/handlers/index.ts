/**
 * The table of every Kafka API this broker serves: one HandlerSpec per API, from one file each.
 * ApiVersions advertises exactly this table.
 */
import { ApiKey } from '@tributary/protocol';
import type { AnyHandlerSpec } from './handler.js';
import { createApiVersionsHandler } from './api-versions.js';
import { metadataHandler } from './metadata.js';
import { produceHandler } from './produce.js';
import { fetchHandler } from './fetch.js';
import { listOffsetsHandler } from './list-offsets.js';
import { initProducerIdHandler } from './init-producer-id.js';
import { deleteRecordsHandler } from './delete-records.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { createPartitionsHandler } from './create-partitions.js';
import { describeConfigsHandler } from './describe-configs.js';
import { alterConfigsHandler } from './alter-configs.js';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs.js';
import { describeClusterHandler } from './describe-cluster.js';
import { findCoordinatorHandler } from './find-coordinator.js';
import { joinGroupHandler } from './join-group.js';
import { syncGroupHandler } from './sync-group.js';
import { heartbeatHandler } from './heartbeat.js';
import { leaveGroupHandler } from './leave-group.js';
import { offsetCommitHandler } from './offset-commit.js';
import { offsetFetchHandler } from './offset-fetch.js';
import { listGroupsHandler } from './list-groups.js';
import { describeGroupsHandler } from './describe-groups.js';
import { deleteGroupsHandler } from './delete-groups.js';
import { offsetDeleteHandler } from './offset-delete.js';

/** A complete table: `specs` plus an ApiVersions handler advertising them all. */
export function withApiVersions(specs: readonly AnyHandlerSpec[]): readonly AnyHandlerSpec[] {
  const table: AnyHandlerSpec[] = [...specs.filter((s) => s.apiKey !== ApiKey.ApiVersions)];
  table.push(createApiVersionsHandler(() => table));
  return table;
}

export const handlerSpecs: readonly AnyHandlerSpec[] = withApiVersions([
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  createPartitionsHandler,
  incrementalAlterConfigsHandler,
  describeClusterHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  syncGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  listGroupsHandler,
  describeGroupsHandler,
  deleteGroupsHandler,
  offsetDeleteHandler,
]);
