/**
 * The active controller: while this node leads the metadata quorum it runs a QuorumController
 * over the committed image, turns each request into records, proposes them and answers once they
 * commit. A controller is built only once the leader's image holds its whole log (so it decides
 * from every earlier leader's records), and dropped when leadership is lost or a proposal fails,
 * since its speculative image may then hold records that never committed.
 *
 * Broker sessions are soft state: a new controller gives every registered broker a fresh session,
 * so a broker that died during the election is fenced one session timeout after it.
 */
import { realScheduler, type Clock, type Random, type Scheduler } from '@tributary/common';
import { ErrorCode } from '@tributary/protocol';
import {
  QuorumController,
  defaultQuorumControllerConfig,
  type ControllerResult,
  type Decision,
  type QuorumControllerConfig,
} from '@tributary/metadata';
import type { Logger } from 'pino';
import type { MetadataQuorum } from './metadata-quorum.js';

/** A refusal the caller passes on: a Kafka error code and a message. */
export interface ControllerFailure {
  readonly code: number;
  readonly message: string;
}

export type ControllerAnswer<T> =
  | { readonly ok: true; readonly value: T; readonly offset: number }
  | { readonly ok: false; readonly error: ControllerFailure };

export interface ActiveControllerOptions {
  readonly quorum: MetadataQuorum;
  readonly clock: Clock;
  readonly scheduler?: Scheduler;
  readonly random: Random;
  readonly logger: Logger;
  readonly config?: Partial<QuorumControllerConfig>;
  /** How often broker sessions are checked (and leadership noticed). */
  readonly tickIntervalMs?: number;
  /** Brokers this node's failure detector holds dead (fenced once also silent; see QuorumController.tick). */
  readonly reportedDead?: () => ReadonlySet<number>;
}

const NOT_CONTROLLER = ErrorCode['NOT_CONTROLLER']!;
const REQUEST_TIMED_OUT = ErrorCode['REQUEST_TIMED_OUT']!;

export class ActiveController {
  private controller: QuorumController | undefined;
  private controllerTerm = -1;
  /** The offset of the last record list proposed; a no-change answer waits for it too. */
  private lastProposedOffset = -1;
  private readonly timer: unknown;
  private readonly scheduler: Scheduler;
  private readonly config: QuorumControllerConfig;

  constructor(private readonly options: ActiveControllerOptions) {
    this.config = { ...defaultQuorumControllerConfig, ...options.config };
    this.scheduler = options.scheduler ?? realScheduler;
    this.timer = this.scheduler.setInterval(() => this.tick(), options.tickIntervalMs ?? 250);
  }

  /** True while this node is the active controller and ready to decide. */
  get isActive(): boolean {
    return this.current() !== undefined;
  }

  /**
   * Runs one decision and commits its records. Decisions are taken in call order on the
   * controller's speculative image, so several may be in flight at once, as in KRaft.
   */
  async decide<T>(decision: (controller: QuorumController) => ControllerResult<Decision<T>>): Promise<ControllerAnswer<T>> {
    const controller = this.current();
    if (controller === undefined) return { ok: false, error: { code: NOT_CONTROLLER, message: 'this node is not the active controller' } };
    const decided = decision(controller);
    if (!decided.ok) return { ok: false, error: { code: decided.error.code, message: decided.error.message } };
    const { records, response } = decided.value;
    if (records.length === 0) {
      return { ok: true, value: response, offset: Math.max(this.lastProposedOffset, this.options.quorum.image.offset) };
    }
    const outcome = await this.options.quorum.propose(records);
    if (outcome.kind === 'committed') {
      this.lastProposedOffset = Math.max(this.lastProposedOffset, outcome.offset);
      return { ok: true, value: response, offset: outcome.offset };
    }
    // The speculative image holds records that may never commit: start again from the log.
    this.drop(`proposal ${outcome.kind}`);
    if (outcome.kind === 'timeout') return { ok: false, error: { code: REQUEST_TIMED_OUT, message: 'the metadata change did not commit in time' } };
    return { ok: false, error: { code: NOT_CONTROLLER, message: 'controller leadership changed; retry' } };
  }

  close(): void {
    this.scheduler.clearInterval(this.timer);
    this.controller = undefined;
  }

  /** The controller, when this node leads; built on first use in each term. */
  private current(): QuorumController | undefined {
    const quorum = this.options.quorum;
    if (quorum.role !== 'leader') {
      if (this.controller !== undefined) this.drop('leadership lost');
      return undefined;
    }
    if (this.controller !== undefined && this.controllerTerm === quorum.term) return this.controller;
    if (!quorum.leaderCaughtUp) return undefined;
    this.controller = new QuorumController(quorum.image, this.options.clock.monotonicMs(), this.options.random, this.config);
    this.controllerTerm = quorum.term;
    this.lastProposedOffset = quorum.image.offset;
    this.options.logger.info({ term: quorum.term, offset: quorum.image.offset, brokers: quorum.image.brokers.size }, 'became the active controller');
    return this.controller;
  }

  private drop(reason: string): void {
    if (this.controller === undefined) return;
    this.options.logger.info({ term: this.controllerTerm, reason }, 'no longer the active controller');
    this.controller = undefined;
    this.controllerTerm = -1;
  }

  /** Fences brokers whose sessions expired. */
  private tick(): void {
    if (this.current() === undefined) return;
    void this.decide((controller) => {
      const decision = controller.tick(this.options.clock.monotonicMs(), this.options.reportedDead?.());
      if (decision.response.fencedBrokerIds.length > 0) {
        this.options.logger.warn({ brokers: decision.response.fencedBrokerIds }, 'fencing brokers whose sessions expired');
      }
      if (decision.response.preferredLeaderMoves > 0) {
        this.options.logger.info({ partitions: decision.response.preferredLeaderMoves }, 'moving leaderships back to preferred replicas');
      }
      return { ok: true, value: decision };
    });
  }
}
