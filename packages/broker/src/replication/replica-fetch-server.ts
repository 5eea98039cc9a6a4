/**
 * The leader's side of tributary.replication.v1.Replication. Fetch records each follower's
 * progress (its fetch offset is what it holds durably), which may advance the high watermark,
 * then returns the records from that offset on, long-polling up to max_wait_ms when there are
 * none yet. OffsetForLeaderEpoch answers from the leader-epoch cache (KIP-101). Every partition
 * gets its own error code; a handler never throws.
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { leaderEpoch as asLeaderEpoch } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';
import type { Logger } from 'pino';
import type { ReplicaHandle } from '../cluster/local-replicas.js';
import type { AdditionalRpcService } from '../rpc/rpc-server.js';
import type { PartitionWaiters } from '../state/partition-waiters.js';
import {
  loadReplicationProto,
  type EpochAnswer,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
  type PartitionData,
  type PartitionFetch,
  type ReplicaFetchRequest,
  type ReplicaFetchResponse,
} from './replication-proto.js';

export interface ReplicaFetchServerOptions {
  /** The replica held here for a topic id and partition. */
  readonly replica: (topicId: string, partition: number) => ReplicaHandle | undefined;
  readonly waiters: PartitionWaiters;
  /** The high watermark of a partition advanced: consumers long-polling on it may read more. */
  readonly onHighWatermark: (handle: ReplicaHandle) => void;
  readonly logger: Logger;
  /** Bounds on one fetch, whatever the follower asks. */
  readonly maxWaitMs?: number;
  readonly maxBytes?: number;
}

const E = ErrorCode;

/** Checks the partition is led here at the follower's epoch; the error code otherwise. */
function leaderCheck(handle: ReplicaHandle | undefined, currentLeaderEpoch: number): number {
  if (handle === undefined || handle.replicated.role !== 'leader') return E.NOT_LEADER_OR_FOLLOWER;
  const epoch = handle.replicated.leaderEpoch;
  if (currentLeaderEpoch < epoch) return E['FENCED_LEADER_EPOCH']!;
  if (currentLeaderEpoch > epoch) return E['UNKNOWN_LEADER_EPOCH']!;
  return E.NONE;
}

function emptyData(p: { topicId: string; partition: number }, errorCode: number, handle?: ReplicaHandle): PartitionData {
  return {
    topicId: p.topicId,
    partition: p.partition,
    errorCode,
    highWatermark: handle?.highWatermark ?? 0,
    logStartOffset: handle?.log.logStartOffset ?? 0,
    logEndOffset: handle?.log.logEndOffset ?? 0,
    records: new Uint8Array(0),
  };
}

export class ReplicaFetchServer {
  constructor(private readonly options: ReplicaFetchServerOptions) {}

  async fetch(request: ReplicaFetchRequest): Promise<ReplicaFetchResponse> {
    const maxWaitMs = Math.min(request.maxWaitMs, this.options.maxWaitMs ?? 1_000);
    // Progress first (it may move the HW), then subscribe before reading so no append is missed.
    for (const p of request.partitions) this.recordProgress(request.replicaId, p);
    const keys = request.partitions
      .map((p) => this.options.replica(p.topicId, p.partition))
      .filter((h): h is ReplicaHandle => h !== undefined)
      .map((h) => ({ topic: h.topic, partition: h.index }));
    const watch = maxWaitMs > 0 ? this.options.waiters.watch(keys) : null;
    let response = await this.readAll(request);
    if (watch !== null) {
      const hasData = response.partitions.some((p) => p.records.length > 0 || p.errorCode !== E.NONE);
      if (hasData) watch.cancel();
      // The watch's own timer (the injected scheduler's) bounds the wait; nothing else aborts it.
      else if ((await watch.wait(maxWaitMs, new AbortController().signal)) === 'notified') response = await this.readAll(request);
    }
    return response;
  }

  offsetForLeaderEpoch(request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
    const partitions = request.partitions.map((q): EpochAnswer => {
      const handle = this.options.replica(q.topicId, q.partition);
      const error = leaderCheck(handle, q.currentLeaderEpoch);
      if (error !== E.NONE || handle === undefined) return { topicId: q.topicId, partition: q.partition, errorCode: error, leaderEpoch: -1, endOffset: -1, logStartOffset: 0 };
      const answer = handle.replicated.epochCache.endOffsetFor(asLeaderEpoch(q.leaderEpoch), handle.log.logEndOffset);
      return { topicId: q.topicId, partition: q.partition, errorCode: E.NONE, leaderEpoch: answer.epoch, endOffset: answer.endOffset, logStartOffset: handle.log.logStartOffset };
    });
    return { partitions };
  }

  rpcService(): AdditionalRpcService {
    const fail = (what: string, error: unknown) => this.options.logger.error({ err: error }, `${what} failed`);
    const implementation = {
      fetch: (call: ServerUnaryCall<ReplicaFetchRequest, ReplicaFetchResponse>, callback: sendUnaryData<ReplicaFetchResponse>) => {
        this.fetch(call.request).then(
          (response) => callback(null, response),
          (error: unknown) => {
            fail('replica fetch', error);
            callback(null, { partitions: call.request.partitions.map((p) => emptyData(p, E.UNKNOWN_SERVER_ERROR)) });
          },
        );
      },
      offsetForLeaderEpoch: (call: ServerUnaryCall<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>, callback: sendUnaryData<OffsetForLeaderEpochResponse>) => {
        try {
          callback(null, this.offsetForLeaderEpoch(call.request));
        } catch (error) {
          fail('offset for leader epoch', error);
          callback(null, { partitions: [] });
        }
      },
    };
    return { service: loadReplicationProto().service, implementation };
  }

  private recordProgress(replicaId: number, p: PartitionFetch): void {
    const handle = this.options.replica(p.topicId, p.partition);
    if (handle === undefined || leaderCheck(handle, p.currentLeaderEpoch) !== E.NONE) return;
    if (p.fetchOffset > handle.log.logEndOffset) return; // out of range: answered in readAll
    const outcome = handle.replicated.onFollowerFetch(replicaId, p.fetchOffset);
    if (outcome.highWatermarkAdvanced) this.options.onHighWatermark(handle);
  }

  private async readAll(request: ReplicaFetchRequest): Promise<ReplicaFetchResponse> {
    let remaining = Math.min(request.maxBytes, this.options.maxBytes ?? 16 * 1024 * 1024);
    const partitions: PartitionData[] = [];
    for (const p of request.partitions) {
      const handle = this.options.replica(p.topicId, p.partition);
      const error = leaderCheck(handle, p.currentLeaderEpoch);
      if (error !== E.NONE || handle === undefined) {
        partitions.push(emptyData(p, error, handle));
        continue;
      }
      const log = handle.log;
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.logEndOffset) {
        partitions.push(emptyData(p, E.OFFSET_OUT_OF_RANGE, handle));
        continue;
      }
      if (remaining <= 0 || p.fetchOffset === log.logEndOffset) {
        partitions.push(emptyData(p, E.NONE, handle));
        continue;
      }
      const read = await log.read(p.fetchOffset, { maxBytes: Math.min(p.maxBytes, remaining), minOneBatch: true });
      if (!read.ok) {
        partitions.push(emptyData(p, E['KAFKA_STORAGE_ERROR']!, handle));
        continue;
      }
      remaining -= read.value.records.length;
      partitions.push({ ...emptyData(p, E.NONE, handle), records: read.value.records });
    }
    return { partitions };
  }
}
