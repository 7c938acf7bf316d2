import { createRequire } from 'node:module';
import type * as tfjs from '@tensorflow/tfjs';
import { ConfigurationError, describeError } from '../streaming/errors.js';

/** The TensorFlow.js API millrace uses: `@tensorflow/tfjs`'s, which tfjs-node re-exports. */
export type TensorFlow = typeof tfjs;

/**
 * Where TensorFlow.js is looked for, best first. tfjs-node (native TensorFlow, an optional peer
 * dependency) registers and activates its `tensorflow` backend when imported; plain tfjs falls
 * back to its pure-JavaScript CPU backend.
 */
export const TENSORFLOW_MODULES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs'] as const;

let loading: Promise<TensorFlow> | undefined;

/**
 * Loads TensorFlow.js on first use and returns the same module afterwards: tfjs-node when it is
 * installed, else `@tensorflow/tfjs`. Loading is deferred to here (never at `import 'millrace'`)
 * because importing TensorFlow.js takes a while and prints a banner on the CPU backend.
 */
export function loadTensorFlow(): Promise<TensorFlow> {
  loading ??= importFirstAvailable(TENSORFLOW_MODULES).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * Imports the first of `specifiers` that is installed. A module that is installed but fails to
 * load (tfjs-node with a broken native library) is an error, not a reason to fall back: silently
 * running 50 times slower on the CPU backend would hide the problem.
 */
export async function importFirstAvailable(specifiers: readonly string[]): Promise<TensorFlow> {
  for (const specifier of specifiers) {
    if (!isInstalled(specifier)) continue;
    let namespace: { default?: unknown };
    try {
      // A variable specifier keeps TypeScript from requiring the optional peer's types.
      namespace = (await import(specifier)) as { default?: unknown };
    } catch (error) {
      throw new ConfigurationError(
        `${specifier} is installed but failed to load (${describeError(error)}); reinstall it or uninstall it to use the next backend`,
        { cause: error },
      );
    }
    // TensorFlow.js ships CommonJS for Node: the module object is the namespace's default.
    return (namespace.default ?? namespace) as TensorFlow;
  }
  throw new ConfigurationError(
    `TensorFlow.js is not installed (looked for ${specifiers.join(', ')}); run npm install @tensorflow/tfjs`,
  );
}

/**
 * Whether `specifier` resolves from here, asked of the resolver rather than read from an import
 * error, whose wording differs between Node and bundlers or test runners. Resolving doesn't run
 * the module, so an installed package that fails to load still counts as installed.
 */
function isInstalled(specifier: string): boolean {
  try {
    createRequire(import.meta.url).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
