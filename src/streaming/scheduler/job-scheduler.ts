import { BatchFailedError, describeError } from '../errors.js';
import type { DStreamGraph } from '../graph.js';
import type { BatchInfo, InputInfo, ListenerBus, OutputOperationInfo } from '../listener.js';

interface PendingBatch {
  readonly time: number;
  readonly info: BatchInfo;
}

interface BatchWaiter {
  readonly time: number;
  resolve(info: BatchInfo): void;
  reject(error: Error): void;
}

/**
 * Runs submitted batches one at a time, in submission order, each batch's jobs in order
 * (Spark's default of one concurrent job). Builds each batch's `BatchInfo` and posts the
 * listener events. The first failing job fails its batch; the scheduler then runs nothing more
 * and hands the error to `onFailure`.
 */
export class JobScheduler {
  private readonly queue: PendingBatch[] = [];
  private waiters: BatchWaiter[] = [];
  private idleWaiters: (() => void)[] = [];
  private isRunning = false;
  private failure: Error | undefined;

  constructor(
    private readonly graph: DStreamGraph,
    private readonly bus: ListenerBus,
    /** Time source for submission and processing times (wall time under the replay clock). */
    private readonly now: () => number,
    private readonly onFailure: (error: Error) => void,
  ) {}

  get hasFailed(): boolean {
    return this.failure !== undefined;
  }

  submit(time: number, inputInfos: readonly InputInfo[]): void {
    let numRecords = 0;
    for (const input of inputInfos) numRecords += input.numRecords;
    const info: BatchInfo = {
      batchTime: time,
      numRecords,
      inputInfos,
      submissionTime: this.now(),
      outputOperationInfos: [],
      numDeadLetters: 0,
    };
    this.queue.push({ time, info });
    this.bus.post('onBatchSubmitted', info);
    if (!this.isRunning) void this.drain();
  }

  /** Resolves with the batch's info once the batch at `time` completes; rejects if it fails. */
  waitForBatch(time: number): Promise<BatchInfo> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ time, resolve, reject }));
  }

  /** Resolves once no batch is queued or running. */
  idle(): Promise<void> {
    if (!this.isRunning && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops batches not yet started (a non-graceful stop) and returns their times. */
  discardQueued(): number[] {
    return this.queue.splice(0).map((batch) => batch.time);
  }

  private async drain(): Promise<void> {
    this.isRunning = true;
    while (this.queue.length > 0 && this.failure === undefined) {
      const batch = this.queue.shift() as PendingBatch;
      const completed = await this.runBatch(batch);
      this.settleWaiters(batch.time, completed);
    }
    this.isRunning = false;
    const idle = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of idle) resolve();
  }

  private async runBatch({ time, info }: PendingBatch): Promise<BatchInfo> {
    const processingStartTime = this.now();
    const started: BatchInfo = {
      ...info,
      processingStartTime,
      schedulingDelay: processingStartTime - info.submissionTime,
    };
    this.bus.post('onBatchStarted', started);
    const outputInfos: OutputOperationInfo[] = [];
    let error: BatchFailedError | undefined;
    let stage = '';
    try {
      for (const node of this.graph.statefulNodesDueAt(time)) {
        stage = node.name;
        node.getOrCompute(time);
      }
    } catch (cause) {
      error = new BatchFailedError(time, stage, cause);
    }
    for (const job of error ? [] : this.graph.jobsAt(time)) {
      const startTime = this.now();
      this.bus.post('onOutputOperationStarted', {
        batchTime: time,
        id: job.id,
        name: job.name,
        startTime,
      });
      let failureReason: string | undefined;
      try {
        await job.run(time);
      } catch (cause) {
        failureReason = describeError(cause);
        error = new BatchFailedError(time, job.name, cause);
      }
      const endTime = this.now();
      const opInfo: OutputOperationInfo = {
        batchTime: time,
        id: job.id,
        name: job.name,
        startTime,
        endTime,
        duration: endTime - startTime,
        ...(failureReason === undefined ? {} : { failureReason }),
      };
      outputInfos.push(opInfo);
      this.bus.post('onOutputOperationCompleted', opInfo);
      if (error) break;
    }
    const processingEndTime = this.now();
    const completed: BatchInfo = {
      ...started,
      processingEndTime,
      processingDelay: processingEndTime - processingStartTime,
      totalDelay: processingEndTime - info.submissionTime,
      outputOperationInfos: outputInfos,
      numDeadLetters: this.graph.deadLetterSink.takeCount(time),
    };
    this.graph.clearOldBatches(time);
    this.bus.post('onBatchCompleted', completed);
    if (error) {
      this.failure = error;
      this.onFailure(error);
    }
    return completed;
  }

  private settleWaiters(time: number, info: BatchInfo): void {
    const due = this.waiters.filter((w) => w.time <= time);
    this.waiters = this.waiters.filter((w) => w.time > time);
    for (const waiter of due) {
      if (this.failure) waiter.reject(this.failure);
      else waiter.resolve(info);
    }
    if (this.failure) {
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
    }
  }

  /** Rejects every waiter (the context stopped before their batches ran). */
  rejectWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
