import { loadNativeKernels, type NativeKernels } from './native-module.js';
import { kernelRuntime, type ComputeKernels } from './wasm-module.js';

/*
 * Which implementation runs the compute kernels: the native addon when it is built and wanted,
 * else WebAssembly. Both have the same signatures and give the same results (to the last bit,
 * except through exp and log1p: logistic terms), so callers never ask which one runs, except to
 * pass their arrays in place where the native kernels can read them (see readsArraysInPlace).
 */

/** What runs the kernels, for diagnostics and benchmark records. */
export interface KernelBackend {
  readonly name: 'native' | 'webassembly';
  /** For native: the instruction set chosen for this processor (e.g. "x86-64-v4 (AVX-512)"). */
  readonly instructionSet?: string;
  /** For webassembly: why the native kernels are not used. */
  readonly reason?: string;
}

/**
 * How much freed memory the C allocator keeps for reuse once the native kernels load (see
 * retainFreedMemory in native/kernels.c). Measured on the project's VM, predictOnBlocks of a
 * linear model at d = 10, 10,000 rows per batch, 40 runs: 29 M rows/s with glibc's defaults,
 * 78-92 M with this; at d = 100: 11-15 M against 19-24 M.
 */
export const DEFAULT_RETAINED_FREE_MEMORY = 64 * 2 ** 20;

let isNativeWanted = true;
let retainedFreeMemory = DEFAULT_RETAINED_FREE_MEMORY;
let native: { kernels: NativeKernels } | { reason: string } | undefined;

/** The native kernels when built and wanted, attached to the shared memory; else undefined. */
export function nativeKernels(): NativeKernels | undefined {
  if (!isNativeWanted) return undefined;
  if (native === undefined) {
    const loaded = loadNativeKernels();
    // Usable only once attached to this environment's kernel memory (which needs WebAssembly:
    // without it every kernel call throws KernelUnavailableError, and this is asked again).
    if ('kernels' in loaded) {
      loaded.kernels.attach(new Uint8Array(kernelRuntime().memory.buffer));
      // 0 leaves the allocator as the process has it (setting glibc's defaults explicitly would
      // turn off its own adjustment of the mmap threshold).
      if (retainedFreeMemory > 0) loaded.kernels.retainFreedMemory(retainedFreeMemory);
    }
    native = loaded;
  }
  return 'kernels' in native ? native.kernels : undefined;
}

/** The compute kernels of the backend in force. */
export function computeKernels(): ComputeKernels {
  // The WebAssembly exports take numbers only; they are only ever given numbers, because
  // arrays are passed in place only when readsArraysInPlace() (the native kernels) holds.
  return nativeKernels() ?? kernelRuntime().exports;
}

/**
 * Whether kernels read JavaScript typed arrays in place: true on the native backend, so a batch
 * need not be copied into kernel memory first (worker threads still need it there).
 */
export function readsArraysInPlace(): boolean {
  return nativeKernels() !== undefined;
}

/** Turns the native kernels on (when built) or off; see configureKernels. */
export function setNativeKernelsWanted(wanted: boolean): void {
  isNativeWanted = wanted;
}

/** Sets how much freed memory the allocator keeps, from the native kernels' load on. */
export function setRetainedFreeMemory(bytes: number): void {
  retainedFreeMemory = bytes;
  if (native !== undefined && 'kernels' in native) native.kernels.retainFreedMemory(bytes);
}

/**
 * Which implementation runs the kernels: `'native'` (the C kernels built for this processor) or
 * `'webassembly'`, with the reason the native ones are not in use.
 *
 * @example
 * import { kernelBackend } from 'millrace';
 * const backend = kernelBackend(); // { name: 'native', instructionSet: 'x86-64-v4 (AVX-512)' }
 * if (backend.name !== 'native') console.log(`WebAssembly kernels: ${backend.reason}`);
 */
export function kernelBackend(): KernelBackend {
  const kernels = nativeKernels();
  if (kernels !== undefined) return { name: 'native', instructionSet: kernels.instructionSet() };
  const reason =
    native !== undefined && 'reason' in native
      ? native.reason
      : 'turned off by configureKernels({ native: false })';
  return { name: 'webassembly', reason };
}
