import { Worker } from 'node:worker_threads';
import { CONTROL_BYTES, KernelWorkerError, LAYOUT } from './parallel-protocol.js';
import { kernelRuntime } from './wasm-module.js';

/**
 * One kernel worker thread of a pool, seen from the calling thread: starting it, asking it to
 * join a job, and reading its answer and failures from its control block (parallel-protocol.ts).
 */

/** A worker thread and its control block. */
export interface KernelThread {
  /** Position among the pool's threads: it uses scratch share index + 1. */
  readonly index: number;
  readonly thread: Worker;
  readonly words: Int32Array;
  readonly message: Uint8Array;
  /** Resolves when the thread has exited. */
  readonly exited: Promise<void>;
  isAlive: boolean;
  /** Why the thread exited (once it has). */
  exitReason: string;
  /** The last job it was asked to join (0: none yet). */
  requested: number;
}

/** The number of the last job `worker` is done with. */
export function answered(worker: KernelThread): number {
  return Atomics.load(worker.words, LAYOUT.RESPONSE);
}

/**
 * Starts worker thread number `index` over the kernels' module and memory and the pool's job
 * region `job`; resolves once it is ready, unreferenced (an idle thread never keeps the process
 * alive), or rejects if it exits first.
 */
export function startKernelThread(job: SharedArrayBuffer, index: number): Promise<KernelThread> {
  const { module, memory } = kernelRuntime();
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const thread = new Worker(new URL('./parallel-worker.mjs', import.meta.url), {
    workerData: { module, memory, control, job, layout: LAYOUT, index },
    // The worker is plain JavaScript that needs no flags, and some of the parent's can't apply
    // to it (node --input-type=module -e … makes every inheriting worker fail to start).
    execArgv: [],
  });
  let failure: unknown;
  thread.on('error', (error) => (failure = error));
  const worker: KernelThread = {
    index,
    thread,
    words: new Int32Array(control, 0, LAYOUT.controlWords),
    message: new Uint8Array(control, LAYOUT.messageOffset, LAYOUT.messageBytes),
    exited: new Promise<void>((resolve) =>
      thread.once('exit', (code) => {
        const reason = failure instanceof Error ? failure.message : 'no error reported';
        worker.exitReason = `kernel worker thread exited with code ${code} (${reason})`;
        worker.isAlive = false;
        resolve();
      }),
    ),
    isAlive: true,
    exitReason: '',
    requested: 0,
  };
  return new Promise((resolve, reject) => {
    thread.once('message', () => {
      thread.unref(); // an idle pool never keeps the process alive
      resolve(worker);
    });
    void worker.exited.then(() =>
      reject(new KernelWorkerError(`can't start: ${worker.exitReason}`)),
    );
  });
}

/** The failure a worker recorded during its current job, if any. */
export function recordedFailure(worker: KernelThread): KernelWorkerError | undefined {
  if (Atomics.load(worker.words, LAYOUT.STATUS) === 0) return undefined;
  const length = Atomics.load(worker.words, LAYOUT.MESSAGE_LENGTH);
  const text = new TextDecoder().decode(worker.message.slice(0, length));
  return new KernelWorkerError(`a kernel failed on a worker thread: ${text}`);
}

/** Asks `worker` to join job `id` (published in its slot). */
export function request(worker: KernelThread, id: number): void {
  Atomics.store(worker.words, LAYOUT.STATUS, 0);
  worker.requested = id;
  Atomics.store(worker.words, LAYOUT.REQUEST, id);
  Atomics.notify(worker.words, LAYOUT.REQUEST);
}
