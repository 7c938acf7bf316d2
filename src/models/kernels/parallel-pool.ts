import { availableParallelism } from 'node:os';
import { ConfigurationError, describeError, StateError } from '../../streaming/errors.js';
import {
  JOB_BYTES,
  jobSlot,
  KERNELS,
  KernelWorkerError,
  LAYOUT,
  STOP,
  waitUntil,
} from './parallel-protocol.js';
import {
  answered,
  recordedFailure,
  request,
  startKernelThread,
  type KernelThread,
} from './parallel-thread.js';
import { runBlocks, wholeCacheLines, type BlockJob } from './wasm-job.js';
import { KernelAllocations } from './wasm-memory.js';
import { kernelRuntime } from './wasm-module.js';

/**
 * A small pool of worker threads that run the WebAssembly kernels on a batch's blocks. All
 * threads share the kernels' memory, so nothing is copied. The calling thread publishes a job,
 * wakes the idle workers, and claims blocks itself at once; each worker claims blocks once it is
 * awake, so no thread waits for another to start (parallel-protocol.ts). Partial results are per
 * block and merged in block order afterwards: the result doesn't depend on the number of threads
 * nor on which thread ran which block.
 */

export { KernelWorkerError } from './parallel-protocol.js';

/** Options of {@link KernelPool.start}. */
export interface KernelPoolOptions {
  /** Worker threads besides the calling thread; default availableParallelism() − 1. */
  readonly threads?: number;
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new KernelWorkerError(describeError(thrown));
}

/** The default number of worker threads: one per core beyond the calling thread's. */
export function defaultThreadCount(): number {
  return Math.max(0, availableParallelism() - 1);
}

/**
 * Worker threads for the kernels. Jobs run one at a time, in the order run() is called.
 *
 * @example
 * const pool = await KernelPool.start({ threads: 1 });
 * try {
 *   // pool.run(job) — normally through parallelClusterStatistics and friends
 * } finally {
 *   await pool.close();
 * }
 */
export class KernelPool {
  private queue: Promise<unknown> = Promise.resolve();
  private isClosed = false;
  private failure: KernelWorkerError | undefined;
  private jobs = 0;
  private readonly slots: ReturnType<typeof jobSlot>[];
  /** Per slot: the job last published there and the workers asked to join it. */
  private readonly slotUsers: { id: number; workers: readonly KernelThread[] }[];

  private constructor(
    private readonly workers: readonly KernelThread[],
    job: SharedArrayBuffer,
  ) {
    this.slots = Array.from({ length: LAYOUT.SLOTS }, (_, slot) => jobSlot(job, slot));
    this.slotUsers = this.slots.map(() => ({ id: 0, workers: [] }));
  }

  /** Starts the pool's threads; resolves once every one is ready. */
  static async start(options: KernelPoolOptions = {}): Promise<KernelPool> {
    const threads = options.threads ?? defaultThreadCount();
    if (!Number.isInteger(threads) || threads < 0 || threads > 256) {
      throw new ConfigurationError(
        `KernelPool: threads must be an integer from 0 to 256, got ${threads}`,
      );
    }
    const job = new SharedArrayBuffer(JOB_BYTES);
    const workers = await Promise.allSettled(
      Array.from({ length: threads }, (_, index) => startKernelThread(job, index)),
    );
    const started = workers.flatMap((w) => (w.status === 'fulfilled' ? [w.value] : []));
    const failed = workers.find((w) => w.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(started.map((w) => w.thread.terminate()));
      throw asError(failed.reason);
    }
    return new KernelPool(started, job);
  }

  /** Worker threads (the calling thread works on each job too). */
  get threads(): number {
    return this.workers.length;
  }

  /** False once closed, or once a worker thread has died (the pool then refuses jobs). */
  get isUsable(): boolean {
    return !this.isClosed && this.failure === undefined;
  }

  /** Runs `job` on the calling thread and the workers; resolves when every block is done. */
  run(job: BlockJob): Promise<void> {
    if (this.isClosed) {
      return Promise.reject(new StateError('KernelPool.run: the pool is closed; start a new one'));
    }
    if (!KERNELS.includes(job.kernel)) {
      const known = KERNELS.join(', ');
      return Promise.reject(
        new ConfigurationError(`KernelPool.run: unknown kernel '${job.kernel}'; known: ${known}`),
      );
    }
    if (!job.args.every((argument) => typeof argument === 'number')) {
      return Promise.reject(
        new ConfigurationError(
          'KernelPool.run: every argument must be a number (worker threads read kernel memory only, not arrays)',
        ),
      );
    }
    if (job.args.length > LAYOUT.maxArguments) {
      return Promise.reject(
        new ConfigurationError(`KernelPool.run: ${job.args.length} arguments, at most 32`),
      );
    }
    const turn = this.queue.then(() => this.runNow(job));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async runNow(job: BlockJob): Promise<void> {
    const dead = this.workers.find((worker) => !worker.isAlive);
    if (dead !== undefined) this.failure ??= new KernelWorkerError(dead.exitReason);
    if (this.failure !== undefined) {
      throw new KernelWorkerError(
        `KernelPool.run: a worker thread of this pool died (${this.failure.message}); start a new pool`,
      );
    }
    const id = ++this.jobs;
    const slot = await this.freeSlot(id);
    // Workers still busy with an older job sit this one out; beyond blocks − 1, helpers would
    // find nothing left to claim.
    const idle = this.workers.filter((worker) => answered(worker) === worker.requested);
    const helpers = idle.slice(0, Math.max(0, job.blocks - 1));
    const memory = new KernelAllocations();
    let failure: unknown;
    try {
      const share = wholeCacheLines(job.scratchBytes);
      const scratch = share > 0 ? memory.reserve(share * (this.workers.length + 1)) : 0;
      this.publish(slot, job, scratch, share);
      this.slotUsers[id % LAYOUT.SLOTS] = { id, workers: helpers };
      for (const worker of helpers) {
        worker.thread.ref(); // keep the process alive until this job's blocks are done
        request(worker, id);
      }
      failure = claimBlocks(job, slot.counters, scratch);
      try {
        await this.blocksDone(job, slot.counters, helpers);
      } catch (error) {
        failure ??= error;
        // No more claims; live workers finish their block before the memory goes.
        Atomics.store(slot.counters, LAYOUT.NEXT, job.blocks);
        const live = helpers.filter((worker) => worker.isAlive);
        await Promise.allSettled(live.map((worker) => this.answer(worker, id)));
      }
      for (const worker of helpers) failure ??= recordedFailure(worker);
    } finally {
      helpers.forEach((worker) => worker.thread.unref());
      memory.release();
    }
    if (failure !== undefined) throw asError(failure);
  }

  /** Job `id`'s slot, once every worker asked to join the slot's previous job is done with it. */
  private async freeSlot(id: number): Promise<ReturnType<typeof jobSlot>> {
    const previous = this.slotUsers[id % LAYOUT.SLOTS];
    for (const worker of previous.workers) {
      if (answered(worker) < previous.id) await this.answer(worker, previous.id);
    }
    return this.slots[id % LAYOUT.SLOTS];
  }

  /**
   * Waits until `worker` is done with job `id`, holding a reference to the thread meanwhile (an
   * awaited answer must keep the process alive); a death marks the pool failed.
   */
  private async answer(worker: KernelThread, id: number): Promise<void> {
    worker.thread.ref();
    try {
      const isAlive = () => worker.isAlive;
      const whyGone = () => worker.exitReason;
      await waitUntil(
        () => answered(worker) >= id,
        worker.words,
        LAYOUT.RESPONSE,
        isAlive,
        whyGone,
      );
    } catch (error) {
      this.failure = error as KernelWorkerError;
      throw error;
    } finally {
      worker.thread.unref();
    }
  }

  private publish(
    { counters, header }: ReturnType<typeof jobSlot>,
    job: BlockJob,
    scratch: number,
    scratchShare: number,
  ): void {
    header[LAYOUT.KERNEL] = KERNELS.indexOf(job.kernel);
    header[LAYOUT.ARGUMENT_COUNT] = job.args.length;
    header[LAYOUT.BLOCKS] = job.blocks;
    header[LAYOUT.SCRATCH] = scratch;
    header[LAYOUT.SCRATCH_BYTES] = scratchShare;
    header.set(job.args as readonly number[], LAYOUT.ARGUMENTS); // numbers: checked by run()
    Atomics.store(counters, LAYOUT.DONE, 0);
    Atomics.store(counters, LAYOUT.NEXT, 0);
  }

  /** Waits for the blocks still running on workers; rejects if one of those workers dies. */
  private async blocksDone(
    job: BlockJob,
    counters: Int32Array,
    helpers: readonly KernelThread[],
  ): Promise<void> {
    const allDone = () => Atomics.load(counters, LAYOUT.DONE) >= job.blocks;
    // A dead helper may have died holding a block, which then never finishes.
    const allAlive = () => helpers.every((worker) => worker.isAlive);
    const whyGone = () => helpers.find((worker) => !worker.isAlive)?.exitReason ?? '';
    try {
      await waitUntil(allDone, counters, LAYOUT.DONE, allAlive, whyGone);
    } catch (error) {
      this.failure = error as KernelWorkerError;
      throw error;
    }
  }

  /** Stops the threads once queued jobs are done; resolves when they have exited. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.queue;
    const id = ++this.jobs;
    const { header } = await this.freeSlot(id).catch(() => this.slots[id % LAYOUT.SLOTS]);
    header[LAYOUT.KERNEL] = STOP;
    for (const worker of this.workers) {
      worker.thread.ref(); // awaiting the exits must keep the process alive
      request(worker, id);
    }
    await Promise.all(this.workers.map((worker) => worker.exited));
  }
}

/** The calling thread's share: claims blocks until none is left; returns its first failure. */
function claimBlocks(job: BlockJob, counters: Int32Array, scratch: number): unknown {
  let failure: unknown;
  for (;;) {
    const block = Atomics.add(counters, LAYOUT.NEXT, 1);
    if (block >= job.blocks) return failure;
    try {
      runBlocks(job, scratch, block, block + 1, kernelRuntime().exports);
    } catch (error) {
      failure ??= error;
    }
    Atomics.add(counters, LAYOUT.DONE, 1);
  }
}
