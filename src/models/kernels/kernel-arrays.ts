import { StateError } from '../../streaming/errors.js';
import { allocateKernelArray, releaseKernelArray } from './wasm-memory.js';
import { KernelUnavailableError } from './wasm-module.js';

/**
 * Kernel-memory arrays that the models reuse from batch to batch. Every batch is packed into
 * kernel memory so the WebAssembly kernels (and their worker threads) read it in place, and a
 * fresh `allocateKernelArray` per batch would zero-fill the whole batch first (n·d values, about
 * 0.3 ms for 10,000 rows of 100) only for packing to overwrite it. Only a few arrays are out at
 * once (a batch's training rows and labels, one partition's predictions), so a short free list
 * serves every batch after the first.
 */

/** Smallest allocation (values), so small batches of varying size share one array. */
const MIN_CAPACITY = 4096;
/** Free allocations kept for reuse; beyond this the smallest go back to the kernels' allocator. */
const MAX_FREE = 8;

const free: Float64Array[] = [];
// A borrowed view → the whole allocation it is the start of.
const allocations = new WeakMap<Float64Array | Int32Array, Float64Array>();

/**
 * Up to this many values, allocations grow by powers of two so batches of similar sizes fit the
 * same one; beyond it (512 MiB) they are exact, as an allocation can't exceed 1 GiB.
 */
const MAX_ROUNDED_CAPACITY = 2 ** 26;

function capacityFor(length: number): number {
  if (length > MAX_ROUNDED_CAPACITY) return length;
  return Math.max(MIN_CAPACITY, 2 ** Math.ceil(Math.log2(Math.max(length, 1))));
}

/** A new allocation; when kernel memory is full, the free arrays go back first and it retries. */
function allocate(length: number): Float64Array {
  try {
    return allocateKernelArray(capacityFor(length));
  } catch (error) {
    // Memory full (not a refused size): the free arrays may hold the room it needs.
    if (!(error instanceof KernelUnavailableError) || free.length === 0) throw error;
    for (const array of free.splice(0)) releaseKernelArray(array);
    return allocateKernelArray(capacityFor(length));
  }
}

/**
 * `length` values of kernel memory, uninitialised (whatever the last borrower left): the caller
 * writes every value it reads. Give it back with {@link returnKernelArray} when done with it.
 *
 * @example
 * const data = borrowKernelArray(n * d); // pack row i at data[i*d .. i*d+d)
 * try { wasmNearestCenters({ kind: 'dense', n, d, data }, centers, k, out); }
 * finally { returnKernelArray(data); }
 */
export function borrowKernelArray(length: number): Float64Array {
  let best = -1;
  for (let i = 0; i < free.length; i++) {
    if (free[i].length >= length && (best < 0 || free[i].length < free[best].length)) best = i;
  }
  const allocation = best >= 0 ? free.splice(best, 1)[0] : allocate(length);
  const view = allocation.subarray(0, length);
  allocations.set(view, allocation);
  return view;
}

/**
 * {@link borrowKernelArray} for `length` 32-bit integers (positions, cluster indices); give it
 * back with {@link returnKernelArray} too.
 */
export function borrowKernelInt32Array(length: number): Int32Array {
  const floats = borrowKernelArray(Math.ceil(length / 2));
  const allocation = allocations.get(floats) as Float64Array;
  allocations.delete(floats);
  const view = new Int32Array(floats.buffer, floats.byteOffset, length);
  allocations.set(view, allocation);
  return view;
}

/**
 * Gives back an array from {@link borrowKernelArray} or {@link borrowKernelInt32Array}; neither it
 * nor its views may be used after.
 */
export function returnKernelArray(view: Float64Array | Int32Array): void {
  const allocation = allocations.get(view);
  if (allocation === undefined) {
    throw new StateError(
      `returnKernelArray: this ${view.constructor.name} (length ${view.length}) is not borrowed (returned twice, or not from borrowKernelArray); return each borrowed array exactly once`,
    );
  }
  allocations.delete(view);
  free.push(allocation);
  if (free.length > MAX_FREE) {
    let smallest = 0;
    for (let i = 1; i < free.length; i++) if (free[i].length < free[smallest].length) smallest = i;
    releaseKernelArray(free.splice(smallest, 1)[0]);
  }
}
