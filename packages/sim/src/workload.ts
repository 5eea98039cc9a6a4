/**
 * What the simulated clients do: create the topic (3 partitions, 3 replicas, min.insync.replicas
 * 2), then one producer per partition writing unique values with acks=all, one request at a time
 * and never retrying a value (a failed send is simply indeterminate), and a standalone group
 * committing, for each partition, how many of its writes were acknowledged. Every acknowledgement
 * and every commit outcome is recorded for the checks.
 */
import {
  ApiKey,
  defaultCreateTopicsRequest,
  defaultFindCoordinatorRequest,
  defaultMetadataRequest,
  defaultOffsetCommitRequest,
  defaultOffsetFetchRequest,
  defaultProduceRequest,
} from '@tributary/protocol';
import type { Random } from '@tributary/common';
import { singleRecordBatch, type SimKafkaClient } from './sim-kafka-client.js';
import type { VirtualTime } from './virtual-time.js';

export const TOPIC = 'sim';
export const PARTITIONS = 3;
export const GROUP = 'sim-group';
const REQUEST_TIMEOUT_MS = 1_500;
const OWNER = 'client';

export interface Ack {
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
  readonly atMs: number;
  readonly nodeId: number;
}

export interface CommitRecord {
  readonly partition: number;
  readonly offset: number;
  /** ok: acknowledged; unknown: no answer or an error (it may still have been applied). */
  readonly outcome: 'ok' | 'unknown';
}

export class Workload {
  readonly acks: Ack[] = [];
  readonly commits: CommitRecord[] = [];
  sent = 0;
  failed = 0;
  topicReady = false;
  lastAckAtMs = -1;
  private running = true;
  private readonly leaders = new Map<number, number>();
  private coordinator: number | undefined;
  private readonly ackedPerPartition = new Array<number>(PARTITIONS).fill(0);
  private sequence = 0;

  constructor(
    private readonly time: VirtualTime,
    private readonly client: SimKafkaClient,
    private readonly nodeIds: readonly number[],
    private readonly random: Random,
    /** Called at each acknowledgement, before it is recorded (the ack-only-if-committed check). */
    private readonly onAck: (ack: Ack) => void,
  ) {}

  start(): void {
    void this.createTopic().then(() => {
      for (let p = 0; p < PARTITIONS; p++) void this.produceLoop(p);
      void this.commitLoop();
    });
  }

  stop(): void {
    this.running = false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.time.schedule(OWNER, ms, resolve));
  }

  private anyNode(): number {
    return this.nodeIds[this.random.int(this.nodeIds.length)]!;
  }

  private async createTopic(): Promise<void> {
    while (this.running) {
      const response = await this.client.call(this.anyNode(), ApiKey.CreateTopics, 4, {
        ...defaultCreateTopicsRequest(),
        timeoutMs: REQUEST_TIMEOUT_MS,
        topics: [{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: [{ name: 'min.insync.replicas', value: '2' }] }],
      }, REQUEST_TIMEOUT_MS * 2);
      const code = response?.topics[0]?.errorCode;
      if (code === 0 || code === 36 /* TOPIC_ALREADY_EXISTS */) {
        this.topicReady = true;
        return;
      }
      await this.sleep(100);
    }
  }

  private async refreshLeaders(): Promise<void> {
    const response = await this.client.call(this.anyNode(), ApiKey.Metadata, 9, { ...defaultMetadataRequest(), topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: TOPIC }], allowAutoTopicCreation: false }, REQUEST_TIMEOUT_MS);
    for (const p of response?.topics.find((t) => t.name === TOPIC)?.partitions ?? []) if (p.leaderId >= 0) this.leaders.set(p.partitionIndex, p.leaderId);
  }

  private async produceLoop(partition: number): Promise<void> {
    while (this.running) {
      let leader = this.leaders.get(partition);
      if (leader === undefined) {
        await this.refreshLeaders();
        leader = this.leaders.get(partition);
        if (leader === undefined) {
          await this.sleep(50);
          continue;
        }
      }
      const value = `p${partition}-${++this.sequence}`;
      this.sent++;
      const records = await singleRecordBatch(value, this.time.now);
      const response = await this.client.call(leader, ApiKey.Produce, 8, {
        ...defaultProduceRequest(),
        acks: -1,
        timeoutMs: REQUEST_TIMEOUT_MS,
        topicData: [{ name: TOPIC, partitionData: [{ index: partition, records }] }],
      }, REQUEST_TIMEOUT_MS + 500);
      const result = response?.responses[0]?.partitionResponses[0];
      if (result !== undefined && result.errorCode === 0) {
        const ack: Ack = { partition, offset: Number(result.baseOffset), value, atMs: this.time.now, nodeId: leader };
        this.onAck(ack);
        this.acks.push(ack);
        this.ackedPerPartition[partition]!++;
        this.lastAckAtMs = this.time.now;
        continue;
      }
      this.failed++;
      this.leaders.delete(partition);
      await this.sleep(20 + this.random.int(50));
    }
  }

  private async findCoordinator(): Promise<number | undefined> {
    const response = await this.client.call(this.anyNode(), ApiKey.FindCoordinator, 2, { ...defaultFindCoordinatorRequest(), key: GROUP, keyType: 0 }, REQUEST_TIMEOUT_MS);
    return response !== undefined && response.errorCode === 0 ? response.nodeId : undefined;
  }

  private async commitLoop(): Promise<void> {
    while (this.running) {
      await this.sleep(200);
      this.coordinator ??= await this.findCoordinator();
      if (this.coordinator === undefined) continue;
      const partition = this.random.int(PARTITIONS);
      const offset = this.ackedPerPartition[partition]!;
      const response = await this.client.call(this.coordinator, ApiKey.OffsetCommit, 6, {
        ...defaultOffsetCommitRequest(),
        groupId: GROUP,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: partition, committedOffset: BigInt(offset), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
      }, REQUEST_TIMEOUT_MS);
      const code = response?.topics[0]?.partitions[0]?.errorCode;
      if (code === 0) this.commits.push({ partition, offset, outcome: 'ok' });
      else {
        // No answer, or an error such as REQUEST_TIMED_OUT or NOT_COORDINATOR after the record was
        // appended: the commit may still take effect, so it stays a possible value.
        this.commits.push({ partition, offset, outcome: 'unknown' });
        this.coordinator = undefined;
      }
    }
  }

  /** The committed offsets as the coordinator reads them back (undefined if it cannot answer). */
  async fetchCommitted(): Promise<Map<number, number> | undefined> {
    const coordinator = await this.findCoordinator();
    if (coordinator === undefined) return undefined;
    const response = await this.client.call(coordinator, ApiKey.OffsetFetch, 6, {
      ...defaultOffsetFetchRequest(),
      groupId: GROUP,
      topics: [{ name: TOPIC, partitionIndexes: [0, 1, 2] }],
    }, REQUEST_TIMEOUT_MS);
    if (response === undefined || response.errorCode !== 0) return undefined;
    const out = new Map<number, number>();
    for (const p of response.topics[0]?.partitions ?? []) {
      if (p.errorCode !== 0) return undefined;
      out.set(p.partitionIndex, Number(p.committedOffset));
    }
    return out;
  }
}
