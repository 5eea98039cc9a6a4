/**
 * The workload's Kafka client: real request frames (the protocol package's codecs) carried over
 * the simulated network to a node's request dispatcher, and the response frames back. A request
 * to a node that is down, cut off or crashed meanwhile simply times out.
 */
import { ApiKey, decodeResponse, encodeRecordBatch, encodeRequest, type ApiRequests, type ApiResponses } from '@tributary/protocol';
import type { SimNetwork } from './sim-network.js';
import type { SimNode } from './sim-node.js';
import type { VirtualTime } from './virtual-time.js';

/** The client's id on the simulated network (nodes are 1..n). */
export const CLIENT_ID = 0;
const OWNER = 'client';

export class SimKafkaClient {
  private correlationId = 0;
  /** Nodes the client is cut off from (both ways). */
  readonly cutOff = new Set<number>();

  constructor(
    private readonly time: VirtualTime,
    private readonly network: SimNetwork,
    private readonly nodes: ReadonlyMap<number, SimNode>,
  ) {}

  /** Resolves with the response, or undefined at the timeout. */
  call<K extends ApiKey>(nodeId: number, apiKey: K, version: number, body: ApiRequests[K], timeoutMs: number): Promise<ApiResponses[K] | undefined> {
    const correlationId = ++this.correlationId;
    const encoded = encodeRequest(apiKey, version, correlationId, 'sim', body);
    if (!encoded.ok) throw encoded.error;
    const frame = encoded.value.subarray(4);
    return new Promise((resolve) => {
      let settled = false;
      const settle = (value: ApiResponses[K] | undefined): void => {
        if (settled) return;
        settled = true;
        resolve(value);
      };
      this.time.schedule(OWNER, timeoutMs, () => settle(undefined));
      const there = this.passage(nodeId);
      if (there === undefined) return;
      this.time.schedule('network', there, () => {
        const node = this.nodes.get(nodeId);
        const incarnation = node?.incarnation;
        const pending = node?.request(frame);
        if (pending === undefined) return;
        void pending.then((outcome) => {
          if (outcome.kind !== 'respond' || node?.incarnation !== incarnation) return;
          const back = this.passage(nodeId);
          if (back === undefined) return;
          this.time.schedule('network', back, () => {
            const decoded = decodeResponse(apiKey, version, outcome.frame.subarray(4));
            if (!decoded.ok) throw decoded.error;
            settle(decoded.value.body);
          });
        });
      });
    });
  }

  private passage(nodeId: number): number | undefined {
    if (this.cutOff.has(nodeId)) return undefined;
    return this.network.passage(CLIENT_ID, nodeId);
  }
}

/** One record batch holding one record with `value`. */
export function singleRecordBatch(value: string, timestampMs: number): Promise<Buffer> {
  return encodeRecordBatch({
    baseTimestamp: BigInt(timestampMs),
    records: [{ attributes: 0, timestampDelta: 0, offsetDelta: 0, key: null, value: Buffer.from(value), headers: [] }],
  });
}
