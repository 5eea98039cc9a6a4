/** What one step or tick produced, collected until the driver takes it with ready()/advance(). */
import type { Random } from '@tributary/common';
import type { Group } from './group-metadata.js';
import type { GroupCoordinatorConfig, GroupResponse, OffsetsRecord, PendingResponse } from './group-types.js';

export class Outbox {
  responses: PendingResponse[] = [];
  records: OffsetsRecord[] = [];
  durableResponses: PendingResponse[] = [];

  /** Delivered at once (it depends on nothing unwritten). */
  respond(requestId: number, response: GroupResponse): void {
    this.responses.push({ requestId, response });
  }

  /** Delivered once this step's records, and every earlier append, are durable. */
  respondWhenDurable(requestId: number, response: GroupResponse): void {
    this.durableResponses.push({ requestId, response });
  }

  append(key: Buffer, value: Buffer | null): void {
    this.records.push({ key, value });
  }

  get isEmpty(): boolean {
    return this.responses.length === 0 && this.records.length === 0 && this.durableResponses.length === 0;
  }

  clear(): void {
    this.responses = [];
    this.records = [];
    this.durableResponses = [];
  }
}

/** What the per-API functions work on. */
export interface CoordinatorContext {
  readonly config: GroupCoordinatorConfig;
  readonly random: Random;
  readonly out: Outbox;
  readonly groups: Map<string, Group>;
}
