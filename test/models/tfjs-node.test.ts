import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import { afterAll } from 'vitest';
import { describeInterop } from './tfjs-suite.js';

// Native TensorFlow. This file fails (it never skips) when tfjs-node can't be loaded, so a CI run
// that lost the native backend can't pass silently.
const NATIVE = '@tensorflow/tfjs-node';

async function loadNative(): Promise<typeof tfjs> {
  try {
    const namespace = (await import(NATIVE)) as { default: typeof tfjs };
    return namespace.default;
  } catch (error) {
    throw new Error(
      `${NATIVE} can't be loaded (${String(error)}). Install it as scripts/test.sh does: ` +
        'npm install --no-save --save-prod --ignore-scripts @tensorflow/tfjs-node@4.22.0 && ../shared/tools/tfjs-node-local.sh .',
      { cause: error },
    );
  }
}

const directory = mkdtempSync(join(tmpdir(), 'millrace-tfjs-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeInterop({
  name: 'tensorflow',
  prepare: async () => {
    const tf = await loadNative();
    if (tf.getBackend() !== 'tensorflow') {
      throw new Error(`${NATIVE} loaded but the active backend is ${tf.getBackend()}`);
    }
    return tf;
  },
  // tfjs-node registers the file:// handlers: a real round trip through files on disk.
  saveAndLoad: async (tf, model) => {
    const url = `file://${join(directory, 'linear')}`;
    await model.save(url);
    return tf.loadLayersModel(`${url}/model.json`);
  },
});
