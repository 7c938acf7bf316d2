import { ManualClock, SystemClock, type Clock } from './clock.js';
import type { DeadLetter } from './dead-letters.js';
import { DStream } from './dstream.js';
import { ConfigurationError, MillraceError, StateError, describeError } from './errors.js';
import { DStreamGraph } from './graph.js';
import {
  ListenerBus,
  type BatchInfo,
  type ReceiverInfo,
  type StreamingListener,
} from './listener.js';
import type { StatefulComponent } from './node.js';
import { JobGenerator, type ClockMode } from './scheduler/job-generator.js';
import { JobScheduler } from './scheduler/job-scheduler.js';

/** Options of a {@link StreamingContext}. */
export interface StreamingContextOptions {
  /** Interval between batches, in milliseconds (a positive integer). */
  batchIntervalMs: number;
  /**
   * - `'system'` (default): batches run on wall-clock time.
   * - a `ManualClock`: time moves only when the test moves it (`ssc.advance(n)`).
   * - `'replay'`: the next batch starts as soon as the previous one ends; batch times still step
   *   by the interval; the context stops by itself once every finite source is exhausted.
   */
  clock?: 'system' | 'replay' | ManualClock;
}

/** Options of {@link StreamingContext.stop}. */
export interface StopOptions {
  /**
   * `true` (default, unlike Spark): stop taking in data, run batches until everything already
   * taken in has been processed, then stop. `false`: finish the running batch and drop the
   * queued ones.
   */
  graceful?: boolean;
}

type LifecycleState = 'initialized' | 'active' | 'stopped';

/**
 * The entry point: holds the stream graph, its clock and the scheduler that runs a batch every
 * `batchIntervalMs` (Spark's StreamingContext).
 *
 * @example
 * import { StreamingContext, ManualClock, queueStream } from 'millrace';
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * const counts: number[] = [];
 * queueStream(ssc, [[1, 2, 3], [4]]).count().foreachBatch((items) => { counts.push(items[0]); });
 * ssc.start();
 * await ssc.advance(2); // counts is now [3, 1]
 * await ssc.stop();
 */
export class StreamingContext {
  readonly batchIntervalMs: number;
  /** The clock batch times are read from (a wall clock, the test's ManualClock, or a virtual one). */
  readonly clock: Clock;
  readonly clockMode: ClockMode;
  /** The stream graph; sources and models attach nodes and outputs to it. */
  readonly graph: DStreamGraph;
  private readonly bus = new ListenerBus();
  private readonly scheduler: JobScheduler;
  private readonly generator: JobGenerator;
  private lifecycle: LifecycleState = 'initialized';
  private failure: Error | undefined;
  private stopping: Promise<void> | undefined;
  private readonly terminated: Promise<void>;
  private resolveTerminated!: () => void;
  private deadLetterStream: DStream<DeadLetter> | undefined;
  private generatorDone: Promise<void> = Promise.resolve();

  constructor(options: StreamingContextOptions) {
    const { batchIntervalMs, clock = 'system' } = options;
    if (!Number.isInteger(batchIntervalMs) || batchIntervalMs <= 0) {
      throw new ConfigurationError(
        `batchIntervalMs must be a positive integer, got ${String(batchIntervalMs)}`,
      );
    }
    this.batchIntervalMs = batchIntervalMs;
    if (clock === 'system') {
      this.clock = new SystemClock();
      this.clockMode = 'system';
    } else if (clock === 'replay') {
      this.clock = new ManualClock(Math.floor(Date.now() / batchIntervalMs) * batchIntervalMs);
      this.clockMode = 'replay';
    } else if (clock instanceof ManualClock) {
      this.clock = clock;
      this.clockMode = 'manual';
    } else {
      throw new ConfigurationError(
        `clock must be 'system', 'replay' or a ManualClock, got ${String(clock)}`,
      );
    }
    this.graph = new DStreamGraph(batchIntervalMs);
    // Under replay, batch times are virtual; delays are measured on the wall clock to stay real.
    const measure =
      this.clockMode === 'replay'
        ? () => performance.timeOrigin + performance.now()
        : () => this.clock.now();
    this.scheduler = new JobScheduler(this.graph, this.bus, measure, (error) => this.fail(error));
    this.generator = new JobGenerator(
      this.graph,
      this.clock,
      this.clockMode,
      this.scheduler,
      () => {
        void this.stop({ graceful: true });
      },
    );
    this.terminated = new Promise((resolve) => (this.resolveTerminated = resolve));
  }

  /** `'initialized'` until `start()`, `'active'` while running, `'stopped'` after. */
  get state(): LifecycleState {
    return this.lifecycle;
  }

  /** Starts generating batches. The graph can't change afterwards. */
  start(): void {
    if (this.lifecycle !== 'initialized') {
      throw new StateError(
        `StreamingContext.start() called when the context is ${this.lifecycle}; a context starts once`,
      );
    }
    // Spark's alignment: the first batch falls on the next multiple of the interval.
    const zeroTime = Math.floor(this.clock.now() / this.batchIntervalMs) * this.batchIntervalMs;
    this.graph.start(zeroTime);
    this.lifecycle = 'active';
    this.bus.post('onStreamingStarted', { time: this.clock.now() });
    this.generator.initialize(zeroTime);
    this.generatorDone = this.runGenerator();
  }

  private async runGenerator(): Promise<void> {
    try {
      // Started together, synchronously within start(), so no input misses early records.
      await Promise.all(
        this.graph.inputs.map(async (input) => {
          await input.start();
        }),
      );
      await this.generator.run();
    } catch (error) {
      this.fail(
        error instanceof Error ? error : new MillraceError('ERR_SOURCE', describeError(error)),
      );
    }
  }

  /**
   * Stops the context; resolves once the last batch has finished and every input has stopped.
   * Calling it again returns the same promise.
   */
  stop(options: StopOptions = {}): Promise<void> {
    if (this.lifecycle === 'initialized') {
      this.lifecycle = 'stopped';
      this.bus.post('onStreamingStopped', { time: this.clock.now() });
      this.resolveTerminated();
      return Promise.resolve();
    }
    this.stopping ??= this.shutDown(options.graceful ?? true);
    return this.stopping;
  }

  private async shutDown(graceful: boolean): Promise<void> {
    if (!graceful) {
      // Before any await: otherwise the scheduler could start a queued batch in the meantime.
      this.generator.requestStop(false);
      this.scheduler.discardQueued();
    }
    // Inputs stop taking in data before a graceful stop is requested, so the generator's drain
    // sees everything they took in.
    for (const input of this.graph.inputs) await input.stop();
    this.generator.requestStop(graceful);
    await this.generatorDone;
    await this.scheduler.idle();
    this.lifecycle = 'stopped';
    this.scheduler.rejectWaiters(
      this.failure ?? new StateError('the StreamingContext stopped before this batch ran'),
    );
    this.bus.post('onStreamingStopped', {
      time: this.clock.now(),
      ...(this.failure ? { error: this.failure } : {}),
    });
    this.resolveTerminated();
  }

  /** Resolves when the context stops; rejects with the error that stopped it, if one did. */
  async awaitTermination(): Promise<void> {
    await this.terminated;
    if (this.failure) throw this.failure;
  }

  /**
   * Like `awaitTermination`, but gives up after `timeoutMs` of wall time: resolves `true` if the
   * context stopped, `false` on time-out; rejects with the error that stopped it, if one did.
   */
  async awaitTerminationOrTimeout(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>(
      (resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)),
    );
    const stopped = await Promise.race([this.terminated.then(() => true as const), timedOut]);
    clearTimeout(timer);
    if (stopped && this.failure) throw this.failure;
    return stopped;
  }

  /**
   * ManualClock only: runs the next `n` batches, moving the clock to each batch time in turn, and
   * resolves with their infos. Rejects with the batch's error if one fails.
   */
  async advance(n = 1): Promise<BatchInfo[]> {
    if (this.clockMode !== 'manual') {
      throw new StateError(
        `advance() needs a context built with a ManualClock; this one uses the ${this.clockMode} clock`,
      );
    }
    if (this.lifecycle !== 'active' || this.stopping) {
      throw new StateError(
        `advance() needs an active context; this one is ${this.stopping ? 'stopping' : this.lifecycle}`,
      );
    }
    if (!Number.isInteger(n) || n < 0)
      throw new ConfigurationError(`advance(n) needs a whole number n >= 0, got ${n}`);
    const clock = this.clock as ManualClock;
    const infos: BatchInfo[] = [];
    for (let i = 0; i < n; i++) {
      // The batch after the later of the last one advanced to and the clock's own position (a
      // test may also move the ManualClock directly).
      const lastDue = Math.floor(clock.now() / this.batchIntervalMs) * this.batchIntervalMs;
      const time = Math.max(lastDue, this.graph.zeroTime) + this.batchIntervalMs;
      const completed = this.scheduler.waitForBatch(time);
      clock.setTime(time);
      infos.push(await completed);
    }
    return infos;
  }

  addStreamingListener(listener: StreamingListener): void {
    this.bus.add(listener);
  }

  removeStreamingListener(listener: StreamingListener): void {
    this.bus.remove(listener);
  }

  /**
   * The stream of records that stages could not parse or use (`{ stage, reason, record,
   * batchTime }`). Jobs reading it run after the batch's other jobs, so each batch's
   * dead-letter batch holds what that batch rejected.
   */
  deadLetters(): DStream<DeadLetter> {
    this.deadLetterStream ??= new DStream(this, this.graph.getDeadLetterNode());
    return this.deadLetterStream;
  }

  /** For operator and model authors: routes a rejected record to the dead-letter stream. */
  reportDeadLetter(letter: DeadLetter): void {
    this.graph.deadLetterSink.report(letter);
  }

  /** For model authors: keeps `component`'s state in the graph under `name` (for checkpoints). */
  registerState(name: string, component: StatefulComponent): void {
    this.graph.registerState(name, component);
  }

  /**
   * For receiver authors: tells the listeners that a receiver started, hit an error, or stopped
   * (`onReceiverStarted` / `onReceiverError` / `onReceiverStopped`).
   */
  postReceiverEvent(kind: 'started' | 'error' | 'stopped', info: ReceiverInfo): void {
    const events = {
      started: 'onReceiverStarted',
      error: 'onReceiverError',
      stopped: 'onReceiverStopped',
    } as const;
    this.bus.post(events[kind], info);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    void this.stop({ graceful: false });
  }
}
