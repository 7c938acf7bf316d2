import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/index.js';
import { importFirstAvailable, TENSORFLOW_MODULES } from '../../src/models/tfjs-loader.js';

describe('importFirstAvailable', () => {
  it('falls back to the next module when the preferred one is not installed', async () => {
    const tf = await importFirstAvailable(['@millrace/no-such-backend', '@tensorflow/tfjs']);
    expect(typeof tf.tensor2d).toBe('function');
    expect(typeof tf.sequential).toBe('function');
  });

  it('prefers native TensorFlow, then the pure-JavaScript package', () => {
    expect(TENSORFLOW_MODULES).toEqual(['@tensorflow/tfjs-node', '@tensorflow/tfjs']);
  });

  it('names what it looked for when nothing is installed', async () => {
    const missing = importFirstAvailable(['@millrace/no-such-a', '@millrace/no-such-b']);
    await expect(missing).rejects.toThrow(ConfigurationError);
    await expect(missing).rejects.toThrow(
      'TensorFlow.js is not installed (looked for @millrace/no-such-a, @millrace/no-such-b)',
    );
  });

  it('reports a module that is installed but fails to load instead of falling back', async () => {
    // A module that throws while loading, as tfjs-node does when its native library is missing:
    // falling back to the CPU backend then would hide a broken install behind a 50x slowdown.
    const directory = mkdtempSync(join(tmpdir(), 'millrace-loader-'));
    try {
      const broken = join(directory, 'broken-backend.mjs');
      writeFileSync(broken, 'throw new Error("no libtensorflow");\n');
      const loading = importFirstAvailable([broken, '@tensorflow/tfjs']);
      await expect(loading).rejects.toThrow(ConfigurationError);
      await expect(loading).rejects.toThrow(/broken-backend.mjs is installed but failed to load/);
      await expect(loading).rejects.toThrow(/no libtensorflow/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
