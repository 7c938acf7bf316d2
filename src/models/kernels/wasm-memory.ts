import { ConfigurationError, StateError } from '../../streaming/errors.js';
import { KernelUnavailableError, kernelRuntime, type KernelArgument } from './wasm-module.js';

/**
 * Views of and allocations in the kernels' shared memory. The memory grows in place, and every
 * view made before a growth stays valid (shared memory never detaches), so a view is only ever
 * too short for allocations made after it: views are made fresh after allocating.
 */

const LINE_BYTES = 64;
// Every buffer object the memory has handed out: an array on one of them is kernel memory.
const kernelBuffers = new WeakSet<SharedArrayBuffer>();
// Addresses handed out by allocateKernelArray and not yet released.
const liveArrays = new Set<number>();

function currentBuffer(): SharedArrayBuffer {
  const buffer = kernelRuntime().memory.buffer;
  kernelBuffers.add(buffer);
  return buffer;
}

// The allocator's largest block (AssemblyScript's TLSF: 1 GiB less its header).
const MAX_ALLOCATION_BYTES = 2 ** 30 - 64;

/** The address of `bytes` of kernel memory, with the limits explained when they are hit. */
function allocate(bytes: number): number {
  if (!(bytes <= MAX_ALLOCATION_BYTES)) {
    throw new ConfigurationError(
      `kernel memory: ${bytes} bytes at once is more than the kernels can allocate (1 GiB per array); split the batch`,
    );
  }
  try {
    return kernelRuntime().exports.allocate(bytes);
  } catch (error) {
    throw new KernelUnavailableError(
      `kernel memory is full: can't find ${bytes} more bytes (4 GiB in all); release the kernel arrays no longer needed, or use smaller batches`,
      { cause: error },
    );
  }
}

/** `length` f64 values at byte address `address` of kernel memory. */
export function float64At(address: number, length: number): Float64Array {
  return new Float64Array(currentBuffer(), address, length);
}

/** `length` i32 values at byte address `address` of kernel memory. */
export function int32At(address: number, length: number): Int32Array {
  return new Int32Array(currentBuffer(), address, length);
}

/** The byte address of `array` when it lives in kernel memory, else undefined. */
export function kernelAddress(array: Float64Array | Int32Array): number | undefined {
  return array.buffer instanceof SharedArrayBuffer && kernelBuffers.has(array.buffer)
    ? array.byteOffset
    : undefined;
}

/**
 * Memory for one kernel call: inputs copied in (unless already in kernel memory), scratch and
 * outputs reserved, everything released together by release().
 */
export class KernelAllocations {
  private readonly addresses: number[] = [];
  private readonly outputs: { array: Float64Array | Int32Array; address: number }[] = [];

  /**
   * @param inPlace pass input and output arrays as themselves instead of copying them through
   *   kernel memory: only for a call that runs on this thread on the native kernels, which read
   *   typed arrays in place (worker threads see kernel memory only).
   */
  constructor(private readonly inPlace = false) {}

  /**
   * `bytes` of uninitialised memory starting on a cache line (64 bytes), so that what one
   * thread writes there never shares a line with another reservation.
   */
  reserve(bytes: number): number {
    // One line extra to align within; it also keeps zero-length inputs (n = 0) at a real,
    // distinct address.
    const address = allocate(bytes + LINE_BYTES);
    this.addresses.push(address);
    return Math.ceil(address / LINE_BYTES) * LINE_BYTES;
  }

  /**
   * The address of `array`'s values in kernel memory, copying them there if needed (or the
   * array itself, in place).
   */
  input(array: Float64Array | Int32Array): KernelArgument {
    if (this.inPlace) return array;
    const address = kernelAddress(array);
    if (address !== undefined) return address;
    const copy = this.reserve(array.byteLength);
    if (array instanceof Float64Array) float64At(copy, array.length).set(array);
    else int32At(copy, array.length).set(array);
    return copy;
  }

  /**
   * An address the kernel writes `array`'s values to: the array itself when it is in kernel
   * memory, else a reservation that copyOutputs() copies back (or the array itself, in place).
   */
  output(array: Float64Array | Int32Array): KernelArgument {
    if (this.inPlace) return array;
    const address = kernelAddress(array);
    if (address !== undefined) return address;
    const reserved = this.reserve(array.byteLength);
    this.outputs.push({ array, address: reserved });
    return reserved;
  }

  /** Copies the kernel's results into the arrays given to output(). */
  copyOutputs(): void {
    for (const { array, address } of this.outputs) {
      array.set(
        array instanceof Float64Array
          ? float64At(address, array.length)
          : int32At(address, array.length),
      );
    }
  }

  /** Returns every reservation to the allocator. */
  release(): void {
    const kernels = kernelRuntime().exports;
    for (const address of this.addresses) kernels.release(address);
    this.addresses.length = 0;
    this.outputs.length = 0;
  }
}

/**
 * A Float64Array of `length` zeros in the kernels' shared memory. Pack a batch into it and the
 * kernels (and their worker threads) read it in place instead of copying it; give it back with
 * {@link releaseKernelArray} when the batch is done.
 *
 * @example
 * const data = allocateKernelArray(n * d); // fill row i at data[i*d .. i*d+d)
 * const stats = kmeansStatistics({ kind: 'dense', n, d, data }, centers, k);
 * releaseKernelArray(data);
 */
export function allocateKernelArray(length: number): Float64Array {
  const address = allocate(Math.max(length * 8, 16));
  liveArrays.add(address);
  return float64At(address, length).fill(0);
}

/** Releases an array from {@link allocateKernelArray}; it must not be used afterwards. */
export function releaseKernelArray(array: Float64Array): void {
  const address = kernelAddress(array);
  if (address === undefined || !liveArrays.delete(address)) {
    throw new StateError(
      `releaseKernelArray: this Float64Array (length ${array.length}) is not a live array from allocateKernelArray (already released, or a subarray or ordinary array); release each allocation exactly once`,
    );
  }
  kernelRuntime().exports.release(address);
}
