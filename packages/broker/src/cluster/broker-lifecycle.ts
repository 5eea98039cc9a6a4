/**
 * This broker's membership as the controller sees it (KIP-631's broker lifecycle): register with
 * a new incarnation id, then heartbeat every `heartbeatIntervalMs`. A broker starts fenced; it
 * reports itself caught up once its image has applied the metadata log up to its own
 * registration, and the controller then unfences it, making it eligible to lead partitions.
 * A heartbeat refused for an unknown or stale broker epoch (the controller fenced and forgot this
 * incarnation) registers again. On shutdown the broker asks to be fenced first (controlled
 * shutdown), so its leaderships move before it stops answering.
 */
import { randomBytes } from 'node:crypto';
import { realScheduler, type Random, type Scheduler } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';
import type { Logger } from 'pino';
import type { ControllerClient } from './controller-client.js';
import type { WireEndpoint } from './controller-proto.js';
import type { MetadataQuorum } from './metadata-quorum.js';

export interface BrokerLifecycleOptions {
  readonly brokerId: number;
  readonly endpoints: readonly WireEndpoint[];
  readonly rack: string | null;
  readonly quorum: MetadataQuorum;
  readonly controller: ControllerClient;
  readonly logger: Logger;
  readonly scheduler?: Scheduler;
  /** Source of the incarnation id; default the CSPRNG. */
  readonly random?: Random;
  /** Kafka's broker.heartbeat.interval.ms (default here 500: sessions are short, see README). */
  readonly heartbeatIntervalMs?: number;
}

export type LifecycleState = 'registering' | 'fenced' | 'active' | 'stopping' | 'stopped';

const STALE_BROKER_EPOCH = ErrorCode['STALE_BROKER_EPOCH']!;
const BROKER_ID_NOT_REGISTERED = ErrorCode['BROKER_ID_NOT_REGISTERED']!;

export class BrokerLifecycle {
  readonly incarnationId: string;
  private stateValue: LifecycleState = 'registering';
  private brokerEpoch = -1;
  /** The metadata offset of this incarnation's registration: caught up once the image passes it. */
  private registrationOffset = Number.POSITIVE_INFINITY;
  private timer: unknown;
  private running: Promise<void> | undefined;

  constructor(private readonly options: BrokerLifecycleOptions) {
    const random = options.random;
    this.incarnationId = random === undefined ? randomBytes(16).toString('hex') : Array.from({ length: 32 }, () => random.int(16).toString(16)).join('');
  }

  get state(): LifecycleState {
    return this.stateValue;
  }

  get epoch(): number {
    return this.brokerEpoch;
  }

  /** The image has applied everything up to this broker's registration. */
  get caughtUp(): boolean {
    return this.registeredIn(this.options.quorum.image.offset);
  }

  /** Whether an image at `imageOffset` includes this incarnation's registration. */
  registeredIn(imageOffset: number): boolean {
    return imageOffset >= this.registrationOffset;
  }

  start(): void {
    const interval = this.options.heartbeatIntervalMs ?? 500;
    this.timer = (this.options.scheduler ?? realScheduler).setInterval(() => this.beat(), interval);
    this.beat();
  }

  /** Controlled shutdown: asks to be fenced (moving leaderships away), bounded by `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.stateValue === 'stopped') return;
    if (this.timer !== undefined) (this.options.scheduler ?? realScheduler).clearInterval(this.timer);
    await this.running;
    const wasActive = this.stateValue === 'active';
    this.stateValue = 'stopping';
    if (wasActive) {
      const result = await this.options.controller.call(
        'brokerHeartbeat',
        { brokerId: this.options.brokerId, brokerEpoch: this.brokerEpoch, caughtUp: true, wantFence: true, wantShutdown: true },
        timeoutMs,
      );
      if (result.ok && result.response.outcome.errorCode === 0) {
        await this.options.quorum.waitForOffset(result.response.outcome.metadataOffset, timeoutMs);
        this.options.logger.info('controlled shutdown: fenced, leaderships moved');
      } else {
        this.options.logger.warn({ result }, 'controlled shutdown not acknowledged; stopping anyway');
      }
    }
    this.stateValue = 'stopped';
  }

  private beat(): void {
    if (this.running !== undefined || this.stateValue === 'stopping' || this.stateValue === 'stopped') return;
    this.running = (this.stateValue === 'registering' ? this.register() : this.heartbeat())
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'broker heartbeat failed'))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async register(): Promise<void> {
    const { brokerId, endpoints, rack } = this.options;
    const result = await this.options.controller.call('registerBroker', { brokerId, incarnationId: this.incarnationId, endpoints: [...endpoints], rack: rack ?? '' }, 5_000);
    if (!result.ok) {
      this.options.logger.debug({ message: result.message }, 'registration not answered; retrying');
      return;
    }
    const { outcome, brokerEpoch } = result.response;
    if (outcome.errorCode !== 0) {
      this.options.logger.warn({ errorCode: outcome.errorCode, message: outcome.errorMessage }, 'registration refused; retrying');
      return;
    }
    this.brokerEpoch = brokerEpoch;
    this.registrationOffset = outcome.metadataOffset;
    this.stateValue = 'fenced';
    this.options.logger.info({ brokerEpoch, incarnationId: this.incarnationId, offset: outcome.metadataOffset }, 'registered with the controller');
  }

  private async heartbeat(): Promise<void> {
    const request = { brokerId: this.options.brokerId, brokerEpoch: this.brokerEpoch, caughtUp: this.caughtUp, wantFence: false, wantShutdown: false };
    const result = await this.options.controller.call('brokerHeartbeat', request, 2_000);
    if (!result.ok) {
      this.options.logger.debug({ message: result.message }, 'heartbeat not answered');
      return;
    }
    const { outcome, isFenced } = result.response;
    if (outcome.errorCode === STALE_BROKER_EPOCH || outcome.errorCode === BROKER_ID_NOT_REGISTERED) {
      this.options.logger.warn({ errorCode: outcome.errorCode, message: outcome.errorMessage }, 'the controller no longer knows this incarnation; registering again');
      this.stateValue = 'registering';
      this.registrationOffset = Number.POSITIVE_INFINITY;
      return;
    }
    if (outcome.errorCode !== 0) {
      this.options.logger.warn({ errorCode: outcome.errorCode, message: outcome.errorMessage }, 'heartbeat refused');
      return;
    }
    const next: LifecycleState = isFenced ? 'fenced' : 'active';
    if (next !== this.stateValue) this.options.logger.info({ brokerEpoch: this.brokerEpoch, state: next }, next === 'active' ? 'unfenced: serving as a full member' : 'fenced by the controller');
    this.stateValue = next;
  }
}
