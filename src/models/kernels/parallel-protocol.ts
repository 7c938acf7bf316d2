import { MillraceError } from '../../streaming/errors.js';
import type { BlockKernelName } from './wasm-module.js';

/**
 * How the calling thread and the kernel worker threads talk: through shared memory only, so a
 * job costs no message passing. Jobs are numbered; job J lives in slot J mod SLOTS of the job
 * region (its kernel, arguments and two counters). A worker's control block holds the number of
 * the job it is asked to join (REQUEST), of the last job it has finished with (RESPONSE), and a
 * failure flag and message. Threads claim blocks one at a time from the job's NEXT counter, so a
 * worker that wakes late, or is slowed by another process, simply gets fewer blocks (none, if
 * the calling thread has taken them all); DONE counts finished blocks. A worker still busy with
 * an older job is left out of the next one, and a slot is reused only once every worker asked to
 * join its previous job is done with it: no thread ever waits for another to wake up.
 * parallel-worker.mjs reads the same LAYOUT.
 */

/** A kernel worker thread failed or died while running a job. */
export class KernelWorkerError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_KERNEL_WORKER', message, options);
  }
}

/** The kernels a worker runs, by index in this list; any other index stops the worker. */
export const KERNELS: readonly BlockKernelName[] = [
  'kmeansAssign',
  'gradientSums',
  'linearPredict',
  'gramSums',
];
export const STOP = -1;

export const LAYOUT = {
  // A worker's control block: Int32 words, then its failure message (UTF-8).
  REQUEST: 0,
  RESPONSE: 1,
  STATUS: 2,
  MESSAGE_LENGTH: 3,
  controlWords: 4,
  messageOffset: 16,
  messageBytes: 1024,
  // The job region: SLOTS slots of slotBytes; in each, the Int32 counters on a cache line of
  // their own (every thread updates them), then the Float64 header and arguments.
  SLOTS: 16,
  slotBytes: 384,
  NEXT: 0,
  DONE: 1,
  counterWords: 2,
  headerOffset: 64,
  KERNEL: 0,
  ARGUMENT_COUNT: 1,
  BLOCKS: 2,
  SCRATCH: 3,
  SCRATCH_BYTES: 4,
  ARGUMENTS: 5,
  maxArguments: 32,
  kernels: KERNELS,
};
export const CONTROL_BYTES = LAYOUT.messageOffset + LAYOUT.messageBytes;
export const JOB_BYTES = LAYOUT.SLOTS * LAYOUT.slotBytes;

/** The counters and header of job slot `slot` in the job region `job`. */
export function jobSlot(job: SharedArrayBuffer, slot: number) {
  const base = slot * LAYOUT.slotBytes;
  return {
    counters: new Int32Array(job, base, LAYOUT.counterWords),
    header: new Float64Array(
      job,
      base + LAYOUT.headerOffset,
      LAYOUT.ARGUMENTS + LAYOUT.maxArguments,
    ),
  };
}

// How long a wait spins before going asynchronous. The waits are short: for the blocks still
// in flight on other threads (one each at most), or for a worker's answer that is normally
// already there. Sleeping in the kernel instead costs ~30-50 µs to wake on this project's
// virtual machines, as much as a block of work.
const SPIN_MS = 1;

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeout: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

// While waiting asynchronously, how often to check that the threads being waited for are alive
// (a thread's exit is only known from its 'exit' event, delivered by the event loop).
const LIVENESS_CHECK_MS = 20;

/**
 * Resolves once `isDone()` holds, rechecked whenever `words[index]` changes (whoever changes it
 * calls Atomics.notify). Spins first, then waits without blocking the event loop, checking
 * `isAlive()` now and then: if the threads it waits for are gone and `isDone()` still doesn't
 * hold, it rejects with `whyGone()`.
 */
export async function waitUntil(
  isDone: () => boolean,
  words: Int32Array,
  index: number,
  isAlive: () => boolean,
  whyGone: () => string,
): Promise<void> {
  const spinUntil = performance.now() + SPIN_MS;
  while (!isDone() && performance.now() < spinUntil);
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  while (!isDone()) {
    if (!isAlive()) throw new KernelWorkerError(whyGone());
    const pending = waitAsync(words, index, Atomics.load(words, index), LIVENESS_CHECK_MS);
    if (pending.async) await pending.value;
  }
}
