/**
 * kafkajs as the workload uses it: short timeouts and few retries so that faults show, a log
 * file with a size bound instead of the console, and the classification of a failed send as
 * definite ('fail') or indeterminate ('info').
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import type { Outcome } from '../history.js';

export const CLIENT_TIMEOUTS = {
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 5000,
  /** The broker-side wait for the in-sync replicas (Produce `timeout`); below the request timeout. */
  ackTimeoutMs: 3000,
  retries: 2,
  metadataMaxAgeMs: 1000,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  rebalanceTimeoutMs: 10000,
} as const;

/** kafkajs's log lines, as JSON lines in a file, up to `maxBytes` (then counted, not written). */
export class KafkaLog {
  #fd: number | null;
  #bytes = 0;
  #dropped = 0;

  constructor(path: string | null, private readonly maxBytes = 20 * 1024 * 1024) {
    this.#fd = path === null ? null : openSync(path, 'a');
  }

  write(line: string): void {
    if (this.#fd === null) return;
    if (this.#bytes + line.length + 1 > this.maxBytes) {
      this.#dropped++;
      return;
    }
    this.#bytes += line.length + 1;
    try {
      writeSync(this.#fd, `${line}\n`);
    } catch {
      this.#dropped++;
    }
  }

  readonly creator: logCreator = () => (entry) => {
    const { timestamp, message, ...rest } = entry.log;
    this.write(JSON.stringify({ t: timestamp, level: logLevel[entry.level], ns: entry.namespace, label: entry.label, message, ...rest }));
  };

  get dropped(): number {
    return this.#dropped;
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

export function createKafka(brokers: readonly string[], clientId: string, log: KafkaLog, retries: number = CLIENT_TIMEOUTS.retries): Kafka {
  const config: KafkaConfig = {
    clientId,
    brokers: [...brokers],
    connectionTimeout: CLIENT_TIMEOUTS.connectionTimeoutMs,
    authenticationTimeout: CLIENT_TIMEOUTS.connectionTimeoutMs,
    requestTimeout: CLIENT_TIMEOUTS.requestTimeoutMs,
    enforceRequestTimeout: true,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 },
    logLevel: logLevel.INFO,
    logCreator: log.creator,
  };
  return new Kafka(config);
}

/**
 * Errors a broker returns before appending anything (Kafka and Tributary alike). Not
 * NOT_LEADER_OR_FOLLOWER: a leader that appended and then lost its leadership answers that too;
 * not timeouts, NOT_ENOUGH_REPLICAS_AFTER_APPEND, storage errors or lost connections.
 */
const REJECTED_BEFORE_APPEND = new Set([
  'NOT_ENOUGH_REPLICAS',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_REQUIRED_ACKS',
  'TOPIC_AUTHORIZATION_FAILED',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

interface KafkaJsErrorShape {
  readonly name?: string;
  readonly retryCount?: number;
  readonly cause?: unknown;
  readonly type?: string;
}

/**
 * A failed send is definite only when kafkajs made exactly one attempt (a producer with
 * `retries: 0` gives up with KafkaJSNumberOfRetriesExceeded at retry count 0) and the broker
 * answered it with an error that comes before any append. Every other failure is indeterminate:
 * an earlier attempt may have been written although its answer was lost.
 */
export function classifySendError(error: unknown): Outcome {
  const e = error as KafkaJsErrorShape | null;
  if (e === null || typeof e !== 'object') return 'info';
  if (e.name !== 'KafkaJSNumberOfRetriesExceeded' || e.retryCount !== 0) return 'info';
  const cause = e.cause as KafkaJsErrorShape | undefined;
  if (cause?.name !== 'KafkaJSProtocolError' || cause.type === undefined) return 'info';
  return REJECTED_BEFORE_APPEND.has(cause.type) ? 'fail' : 'info';
}
