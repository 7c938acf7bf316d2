import { readFileSync } from 'node:fs';
import { MillraceError } from '../../streaming/errors.js';

/**
 * Loading the WebAssembly kernels (`assembly/`, built by `npm run build:wasm` into
 * `wasm-kernels.wasm` next to this file). The module imports one shared memory: the main thread
 * allocates in it, and worker threads instantiate the same module over the same memory, so a
 * batch packed there is read by every thread without a copy.
 */

/** The kernels can't run here: the .wasm is missing or WebAssembly is unavailable. */
export class KernelUnavailableError extends MillraceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_KERNEL_UNAVAILABLE', message, options);
  }
}

/** The module's exports; addresses are byte offsets into the shared memory. */
export interface KernelExports {
  allocate(bytes: number): number;
  release(address: number): void;
  kmeansPrepare(centres: number, k: number, d: number, prepared: number, norms: number): number;
  kmeansAssign(...args: number[]): void;
  gradientSums(...args: number[]): void;
  gramSums(...args: number[]): void;
  linearPredict(...args: number[]): void;
  mergeBlocks(partials: number, width: number, stride: number, count: number, out: number): void;
  nonFiniteRows(data: number, n: number, d: number, out: number): number;
}

/**
 * A kernel argument: a number (a scalar, or a byte address in the shared memory, 0 for none),
 * or, for the native kernels only, a typed array read or written in place.
 */
export type KernelArgument = number | Float64Array | Int32Array;

/** The kernels that compute, as both backends (WebAssembly and native) export them. */
export interface ComputeKernels {
  kmeansPrepare(
    centres: KernelArgument,
    k: number,
    d: number,
    prepared: KernelArgument,
    norms: KernelArgument,
  ): number;
  kmeansAssign(...args: KernelArgument[]): void;
  gradientSums(...args: KernelArgument[]): void;
  gramSums(...args: KernelArgument[]): void;
  linearPredict(...args: KernelArgument[]): void;
  nonFiniteRows(data: KernelArgument, n: number, d: number, out: KernelArgument): number;
}

/** The kernels a worker thread may be asked to run on a range of blocks. */
export type BlockKernelName = 'kmeansAssign' | 'gradientSums' | 'gramSums' | 'linearPredict';

/** A shared WebAssembly memory (typed here: the project's lib settings don't include the DOM). */
export interface SharedMemory {
  readonly buffer: SharedArrayBuffer;
}

/** A compiled module, transferable to worker threads. */
export type CompiledModule = object;

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => CompiledModule;
  Instance: new (module: CompiledModule, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => SharedMemory;
}

/** The module's declared memory limits, in 64 KiB pages (see assembly/asconfig.json). */
const INITIAL_PAGES = 32;
const MAXIMUM_PAGES = 65536;

/** The loaded kernels: the compiled module, its memory, and the main thread's instance. */
export interface KernelRuntime {
  readonly module: CompiledModule;
  readonly memory: SharedMemory;
  readonly exports: KernelExports;
}

let runtime: KernelRuntime | undefined;

function webAssembly(): WebAssemblyApi {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) {
    throw new KernelUnavailableError(
      'WebAssembly is not available in this runtime (node --jitless disables it); run node without --jitless to use the kernels',
    );
  }
  return api;
}

/**
 * Instantiates `module` over `memory` (the main thread and every worker do this). Each
 * instantiation writes the module's constant data (the exp/log tables) into the shared memory
 * again: the same bytes, so a kernel running meanwhile reads the same values. The allocator's
 * state starts lazily on the main thread's first allocation and is never touched by workers.
 */
export function instantiateKernels(module: CompiledModule, memory: SharedMemory): KernelExports {
  const instance = new (webAssembly().Instance)(module, { env: { memory } });
  return instance.exports as KernelExports;
}

/**
 * The kernels, loaded on first use: compiling is synchronous (the module is a few KiB), so every
 * kernel call can be synchronous too, and importing millrace costs nothing until a kernel runs.
 */
export function kernelRuntime(): KernelRuntime {
  if (runtime !== undefined) return runtime;
  const api = webAssembly();
  const url = new URL('./wasm-kernels.wasm', import.meta.url);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(url);
  } catch (error) {
    throw new KernelUnavailableError(
      `can't read the WebAssembly kernels at ${url.pathname}: run \`npm run build:wasm\` (or \`npm run build\`) to compile them from assembly/`,
      { cause: error },
    );
  }
  const module = new api.Module(bytes);
  const memory = new api.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  runtime = { module, memory, exports: instantiateKernels(module, memory) };
  return runtime;
}
