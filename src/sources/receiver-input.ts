import type { StreamingContext } from '../streaming/context.js';
import { SourceError, StateError, describeError } from '../streaming/errors.js';
import { InputDStreamNode, type GeneratedInput } from '../streaming/input.js';
import { BlockGenerator } from './receiver-block-generator.js';
import type { ResolvedReceiverOptions } from './receiver-options.js';

/** One block allocated to a batch, as recorded in the batch's `InputInfo.metadata.blocks`. */
export interface ReceivedBlockInfo {
  readonly blockId: number;
  readonly numRecords: number;
}

/**
 * `created` until the context starts it; `starting` while its source is being started;
 * `receiving`; `stopping` while its source winds down (records still arriving are kept);
 * `stopped` once it takes nothing more in.
 */
type ReceiverPhase = 'created' | 'starting' | 'receiving' | 'stopping' | 'stopped';

/**
 * The input node behind every receiver-based source (Spark's ReceiverInputDStream and
 * ReceiverSupervisor in one): it owns the bounded block store, cuts blocks on the clock, allocates
 * every complete block to the next batch, posts the receiver's listener events, and turns a
 * failed source into a `SourceError` once what it delivered has been processed.
 *
 * Subclasses say how records come in: pushed ones call `storeRecord`; pulled ones wait for
 * `hasRoom` before pulling, and under the manual and replay clocks fill the buffer on demand.
 */
export abstract class ReceiverInputNode<T> extends InputDStreamNode<T> {
  protected readonly blocks: BlockGenerator<T>;
  readonly blockIntervalMs: number;
  private phase: ReceiverPhase = 'created';
  private hasCompleted = false;
  private failure: SourceError | undefined;
  private isOverflowing = false;
  private recordsReceived = 0;
  private nextBatchTime = 0;
  private lastDeliveryTime = -Infinity;
  private lastCompletedBatchTime = -Infinity;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly blockTimer = new AbortController();
  private blockTimerDone: Promise<void> = Promise.resolve();

  constructor(
    protected readonly context: StreamingContext,
    kind: string,
    options: ResolvedReceiverOptions,
  ) {
    super(context.graph, kind);
    this.blockIntervalMs = options.blockIntervalMs;
    this.blocks = new BlockGenerator(options.maxBufferedRecords);
  }

  /** Begins taking records in (subscribe, connect, open the iterator). */
  protected abstract startReceiving(): Promise<void> | void;

  /** Stops taking records in; records stored before it returns are still delivered. */
  protected abstract stopReceiving(): Promise<void> | void;

  /**
   * Under the manual and replay clocks, called as each batch is fixed, before and after its
   * allocation: a pulled source fills the buffer here, so each batch is decided by the data, never
   * by timing, and the source's end is known as soon as its last record is allocated. Pushed
   * sources have nothing to do.
   */
  protected fillBuffer(): Promise<void> | void {}

  /** Whether the source may still hand records in. */
  protected get isTakingIn(): boolean {
    const open = this.phase === 'starting' || this.phase === 'receiving';
    return open && !this.hasCompleted && this.failure === undefined;
  }

  /** Whether the receiver has stopped (or is stopping): it completed, failed, or was stopped. */
  get isStopped(): boolean {
    return !this.isTakingIn && this.phase !== 'created';
  }

  /** Records still arriving while the source winds down are kept, unless it ended on its own. */
  private get acceptsRecords(): boolean {
    const endedOnItsOwn = this.hasCompleted || this.failure !== undefined;
    return this.isTakingIn || (this.phase === 'stopping' && !endedOnItsOwn);
  }

  override start(): Promise<void> {
    this.starting ??= this.startReceiver();
    return this.starting;
  }

  private async startReceiver(): Promise<void> {
    this.nextBatchTime = this.graph.zeroTime + this.graph.batchIntervalMs;
    // The batch that delivered the last records must have run before a failure is raised,
    // because raising it stops the context without running the batches still queued.
    this.context.addStreamingListener({
      onBatchCompleted: (info) => (this.lastCompletedBatchTime = info.batchTime),
    });
    this.phase = 'starting';
    this.postEvent('started');
    try {
      await this.startReceiving();
    } catch (error) {
      this.fail(error);
    }
    if (!this.isTakingIn) {
      void this.stop(); // completed or failed while starting
      return;
    }
    this.phase = 'receiving';
    if (this.context.clockMode === 'system') this.blockTimerDone = this.runBlockTimer();
  }

  override stop(): Promise<void> {
    this.stopping ??= this.stopReceiver();
    return this.stopping;
  }

  private async stopReceiver(): Promise<void> {
    if (this.phase === 'created') {
      this.phase = 'stopped';
      return;
    }
    this.phase = 'stopping';
    this.blockTimer.abort();
    this.blocks.wakeRoomWaiters();
    await this.starting;
    await this.blockTimerDone;
    try {
      await this.stopReceiving();
    } catch (error) {
      this.postEvent('error', `stopping the receiver failed: ${describeError(error)}`);
    }
    this.phase = 'stopped';
    this.postEvent('stopped', this.failure?.message);
  }

  /** Cuts a block every block interval of the system clock, until the receiver stops. */
  private async runBlockTimer(): Promise<void> {
    const { clock } = this.context;
    const interval = this.blockIntervalMs;
    try {
      for (;;) {
        // Re-read the clock each time: after a long pause, skip missed boundaries instead of
        // cutting a burst of empty blocks.
        await clock.waitUntil(
          (Math.floor(clock.now() / interval) + 1) * interval,
          this.blockTimer.signal,
        );
        this.blocks.cutBlock();
      }
    } catch {
      // The only rejection is the abort at stop; allocation still cuts the last open block.
    }
  }

  /**
   * Takes a record in. Returns false when it is refused, and then the record goes to the
   * dead-letter stream with the reason: the buffer is full (a pushed source outran the batches),
   * or the receiver no longer takes records in.
   */
  storeRecord(record: T): boolean {
    if (this.phase === 'created') {
      throw new StateError(
        `source "${this.name}" was handed a record before the StreamingContext started: store records from onStart() on`,
      );
    }
    if (!this.acceptsRecords) {
      this.reportDeadLetter(
        record,
        `receiver stopped: source "${this.name}" takes no more records in`,
      );
      return false;
    }
    if (this.blocks.tryAdd(record)) {
      this.recordsReceived++;
      this.isOverflowing = false;
      return true;
    }
    const reason = `receiver buffer full (maxBufferedRecords=${this.blocks.maxBufferedRecords})`;
    this.reportDeadLetter(record, reason);
    if (!this.isOverflowing) {
      this.isOverflowing = true;
      this.postEvent(
        'error',
        `${reason}: records go to the dead-letter stream until a batch frees room; raise maxBufferedRecords or shorten the batch interval`,
      );
    }
    return false;
  }

  /** The source has nothing more: once what it stored is delivered, the stream is exhausted. */
  markCompleted(): void {
    if (this.hasCompleted || this.failure) return;
    this.hasCompleted = true;
    if (this.phase === 'receiving') void this.stop();
  }

  /** Reports a problem the source recovered from: a receiver error event, nothing stops. */
  reportError(message: string, error?: unknown): void {
    this.postEvent('error', error === undefined ? message : `${message}: ${describeError(error)}`);
  }

  /**
   * The source failed: it stops taking records in, the records it stored are still delivered,
   * then the context stops with a `SourceError` naming the source. After a stop, a failure is
   * only reported.
   */
  fail(error: unknown): void {
    this.postEvent('error', describeError(error));
    if (!this.isTakingIn) return;
    const received = `${this.recordsReceived} record${this.recordsReceived === 1 ? '' : 's'}`;
    this.failure = new SourceError(
      `source "${this.name}" failed after receiving ${received}: ${describeError(error)}. ` +
        'The records received before the failure were delivered; fix the source, or have it handle the error ' +
        '(a Receiver can call reportError() and keep going)',
      { cause: error },
    );
    if (this.phase === 'receiving') void this.stop();
  }

  override async generateBatch(time: number): Promise<GeneratedInput<T>> {
    if (
      this.failure &&
      this.blocks.bufferedRecords === 0 &&
      this.lastCompletedBatchTime >= this.lastDeliveryTime
    ) {
      throw this.failure;
    }
    await this.fillOnDemand();
    const blocks = this.blocks.allocateBlocks();
    this.nextBatchTime = time + this.graph.batchIntervalMs;
    if (blocks.length > 0) this.lastDeliveryTime = time;
    await this.fillOnDemand();
    const blockInfos: ReceivedBlockInfo[] = blocks.map((block) => ({
      blockId: block.blockId,
      numRecords: block.records.length,
    }));
    return { partitions: blocks.map((block) => block.records), metadata: { blocks: blockInfos } };
  }

  private async fillOnDemand(): Promise<void> {
    if (this.context.clockMode !== 'system' && this.isTakingIn) await this.fillBuffer();
  }

  override isExhausted(): boolean {
    return this.hasCompleted && this.blocks.bufferedRecords === 0;
  }

  /** Stored records await a batch, or a failure awaits being raised after them. */
  override hasPendingData(): boolean {
    return this.blocks.bufferedRecords > 0 || this.failure !== undefined;
  }

  private reportDeadLetter(record: T, reason: string): void {
    // The record would have gone into the next batch, so it is counted there.
    this.context.reportDeadLetter({
      stage: this.name,
      reason,
      record,
      batchTime: this.nextBatchTime,
    });
  }

  private postEvent(kind: 'started' | 'error' | 'stopped', lastError?: string): void {
    this.context.postReceiverEvent(kind, {
      inputStreamId: this.id,
      name: this.name,
      ...(lastError === undefined ? {} : { lastError }),
    });
  }
}
