import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ComputeKernels } from './wasm-module.js';

/*
 * Loading the native kernels (native/kernels.c, built by `npm run build:native` into
 * `millrace-kernels.node` next to this file). They are the WebAssembly kernels compiled for the
 * machine's own vector instructions, with the same signatures and results, so they are optional:
 * without a C compiler at build time, or with MILLRACE_KERNELS=webassembly in the environment,
 * every kernel runs on WebAssembly instead.
 */

/** The native addon's exports: the compute kernels, plus how to reach the shared memory. */
export interface NativeKernels extends ComputeKernels {
  /** Makes numeric addresses offsets into the buffer under `view` (the kernels' memory). */
  attach(view: Uint8Array): void;
  /** The instruction set the kernels were dispatched to on this processor. */
  instructionSet(): string;
  /**
   * Keeps up to `bytes` of freed memory in the C allocator for reuse (0: glibc's defaults);
   * false where the allocator is not glibc's. See native/kernels.c for why.
   */
  retainFreedMemory(bytes: number): boolean;
}

/**
 * Loads the addon, or says why it can't be used. It sits beside this module: the build puts it
 * in src/ (the tests run the sources) and in dist/.
 */
export function loadNativeKernels(): { kernels: NativeKernels } | { reason: string } {
  const path = fileURLToPath(new URL('./millrace-kernels.node', import.meta.url));
  if (process.env.MILLRACE_KERNELS === 'webassembly') {
    return { reason: 'MILLRACE_KERNELS=webassembly is set' };
  }
  try {
    return { kernels: createRequire(import.meta.url)(path) as NativeKernels };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { reason: `can't load ${path} (run \`npm run build:native\`): ${detail}` };
  }
}
