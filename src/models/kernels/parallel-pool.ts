import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  ConfigurationError,
  describeError,
  MillraceError,
  StateError,
} from '../../streaming/errors.js';
import { runBlocks, type BlockJob } from './wasm-job.js';
import { KernelAllocations } from './wasm-memory.js';
import { kernelRuntime, type BlockKernelName } from './wasm-module.js';

/**
 * A small pool of worker threads that run the WebAssembly kernels on ranges of a batch's blocks.
 * All threads share the kernels' memory, so nothing is copied: the calling thread writes a job's
 * arguments into each worker's control block and wakes it with Atomics.notify, runs the first
 * range itself, and waits for the others. Partial results are per block and merged in block order
 * afterwards, so the result doesn't depend on the number of threads or on timing.
 */

/** A kernel worker thread failed or died while running a job. */
export class KernelWorkerError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_KERNEL_WORKER', message, options);
  }
}

// The control block's layout, passed to parallel-worker.mjs so it is written down once.
const KERNELS: readonly BlockKernelName[] = ['kmeansAssign', 'gradientSums', 'linearPredict'];
const STOP = -1;
const LAYOUT = {
  REQUEST: 0,
  RESPONSE: 1,
  STATUS: 2,
  MESSAGE_LENGTH: 3,
  words: 4,
  argumentsOffset: 16,
  maxArguments: 32,
  messageOffset: 16 + 34 * 8,
  messageBytes: 1024,
  kernels: KERNELS,
};
const CONTROL_BYTES = LAYOUT.messageOffset + LAYOUT.messageBytes;
// How long the calling thread blocks for a worker before yielding to the event loop: a worker
// is normally done within microseconds of the caller (their shares are equal); past this, the
// wait goes on asynchronously, where a worker's exit can be noticed.
const BLOCKING_WAIT_MS = 2;

/** Options of {@link KernelPool.start}. */
export interface KernelPoolOptions {
  /** Worker threads besides the calling thread; default availableParallelism() − 1. */
  readonly threads?: number;
}

interface PoolWorker {
  readonly thread: Worker;
  readonly words: Int32Array;
  readonly args: Float64Array;
  readonly message: Uint8Array;
  /** Resolves when the thread exits, with a description of why. */
  readonly exited: Promise<string>;
  requests: number;
}

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new KernelWorkerError(describeError(thrown));
}

/** The default number of worker threads: one per core beyond the calling thread's. */
export function defaultThreadCount(): number {
  return Math.max(0, availableParallelism() - 1);
}

function startWorker(): Promise<PoolWorker> {
  const { module, memory } = kernelRuntime();
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const thread = new Worker(new URL('./parallel-worker.mjs', import.meta.url), {
    workerData: { module, memory, control, layout: LAYOUT },
    // The worker is plain JavaScript that needs no flags, and some of the parent's can't apply
    // to it (node --input-type=module -e … makes every inheriting worker fail to start).
    execArgv: [],
  });
  let failure: unknown;
  thread.on('error', (error) => (failure = error));
  const exited = new Promise<string>((resolve) =>
    thread.once('exit', (code) => {
      const reason = failure instanceof Error ? failure.message : 'no error reported';
      resolve(`kernel worker thread exited with code ${code} (${reason})`);
    }),
  );
  const worker: PoolWorker = {
    thread,
    words: new Int32Array(control, 0, LAYOUT.words),
    args: new Float64Array(control, LAYOUT.argumentsOffset, LAYOUT.maxArguments + 2),
    message: new Uint8Array(control, LAYOUT.messageOffset, LAYOUT.messageBytes),
    exited,
    requests: 0,
  };
  return new Promise((resolve, reject) => {
    thread.once('message', () => {
      thread.unref(); // an idle pool never keeps the process alive
      resolve(worker);
    });
    void exited.then((reason) => reject(new KernelWorkerError(`can't start: ${reason}`)));
  });
}

/** Sends `args` as request number `worker.requests + 1` and wakes the worker. */
function request(worker: PoolWorker, kernel: number, args: readonly number[]): void {
  worker.args[0] = kernel;
  worker.args[1] = args.length;
  worker.args.set(args, 2);
  worker.requests += 1;
  Atomics.store(worker.words, LAYOUT.REQUEST, worker.requests);
  Atomics.notify(worker.words, LAYOUT.REQUEST);
}

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/** Waits until `worker` has answered its latest request; rejects if it exits first. */
async function response(worker: PoolWorker): Promise<void> {
  const { words, requests } = worker;
  for (;;) {
    const answered = Atomics.load(words, LAYOUT.RESPONSE);
    if (answered === requests) break;
    if (Atomics.wait(words, LAYOUT.RESPONSE, answered, BLOCKING_WAIT_MS) !== 'timed-out') continue;
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    const pending = waitAsync(words, LAYOUT.RESPONSE, answered);
    if (!pending.async) continue;
    const outcome = await Promise.race([pending.value, worker.exited.then((reason) => reason)]);
    if (
      outcome !== 'ok' &&
      outcome !== 'timed-out' &&
      Atomics.load(words, LAYOUT.RESPONSE) !== requests
    ) {
      throw new KernelWorkerError(outcome);
    }
  }
  if (Atomics.load(words, LAYOUT.STATUS) !== 0) {
    const length = Atomics.load(words, LAYOUT.MESSAGE_LENGTH);
    const text = new TextDecoder().decode(worker.message.slice(0, length));
    throw new KernelWorkerError(`a kernel failed on a worker thread: ${text}`);
  }
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

  private constructor(private readonly workers: readonly PoolWorker[]) {}

  /** Starts the pool's threads; resolves once every one is ready. */
  static async start(options: KernelPoolOptions = {}): Promise<KernelPool> {
    const threads = options.threads ?? defaultThreadCount();
    if (!Number.isInteger(threads) || threads < 0 || threads > 256) {
      throw new ConfigurationError(
        `KernelPool: threads must be an integer from 0 to 256, got ${threads}`,
      );
    }
    const workers = await Promise.allSettled(Array.from({ length: threads }, startWorker));
    const started = workers.flatMap((w) => (w.status === 'fulfilled' ? [w.value] : []));
    const failed = workers.find((w) => w.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(started.map((w) => w.thread.terminate()));
      throw asError(failed.reason);
    }
    return new KernelPool(started);
  }

  /** Worker threads (the calling thread runs a share of each job too). */
  get threads(): number {
    return this.workers.length;
  }

  /** False once closed, or once a worker thread has died (the pool then refuses jobs). */
  get isUsable(): boolean {
    return !this.isClosed && this.failure === undefined;
  }

  /** Runs `job` on the calling thread and the workers; resolves when every share is done. */
  run(job: BlockJob): Promise<void> {
    if (this.isClosed) {
      return Promise.reject(new StateError('KernelPool.run: the pool is closed; start a new one'));
    }
    if (this.failure !== undefined) {
      const reason = this.failure.message;
      return Promise.reject(
        new KernelWorkerError(
          `KernelPool.run: a worker thread of this pool died (${reason}); start a new pool`,
        ),
      );
    }
    if (!KERNELS.includes(job.kernel)) {
      const known = KERNELS.join(', ');
      return Promise.reject(
        new ConfigurationError(`KernelPool.run: unknown kernel '${job.kernel}'; known: ${known}`),
      );
    }
    const turn = this.queue.then(() => this.runNow(job));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async runNow(job: BlockJob): Promise<void> {
    const shares = Math.max(1, Math.min(this.workers.length + 1, job.blocks));
    const busy = this.workers.slice(0, shares - 1);
    const memory = new KernelAllocations();
    const scratch = job.scratchBytes > 0 ? memory.reserve(job.scratchBytes * shares) : 0;
    const scratchOf = (share: number) => (scratch === 0 ? 0 : scratch + share * job.scratchBytes);
    const bound = (share: number) => Math.round((job.blocks * share) / shares);
    let failure: unknown;
    try {
      busy.forEach((worker, w) => {
        worker.thread.ref(); // keep the process alive until this job's answers are in
        const args = [...job.args, scratchOf(w + 1), bound(w + 1), bound(w + 2)];
        request(worker, KERNELS.indexOf(job.kernel), args);
      });
      try {
        runBlocks(job, scratchOf(0), 0, bound(1));
      } catch (error) {
        failure = error;
      }
      // Every worker must be done before the memory is released, whatever failed.
      for (const answer of await Promise.allSettled(busy.map(response))) {
        if (answer.status === 'rejected') failure ??= answer.reason;
      }
      const dead = busy.find((w) => Atomics.load(w.words, LAYOUT.RESPONSE) !== w.requests);
      if (dead !== undefined) this.failure = failure as KernelWorkerError; // it can't answer again
    } finally {
      busy.forEach((worker) => worker.thread.unref());
      memory.release();
    }
    if (failure !== undefined) throw asError(failure);
  }

  /** Stops the threads once queued jobs are done; resolves when they have exited. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.queue;
    for (const worker of this.workers) request(worker, STOP, []);
    await Promise.all(this.workers.map((worker) => worker.exited));
  }
}
