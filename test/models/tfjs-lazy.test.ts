import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('TensorFlow.js loading', () => {
  it("is deferred: import 'millrace' loads none of it, the first predictWith does", () => {
    expect(existsSync(`${root}/dist/index.js`), 'run `npm run build` before the tests').toBe(true);
    // A fresh process, importing the built package by name as a user's program does; CommonJS
    // modules imported from ESM land in require.cache, which tells what was loaded.
    const program = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const loaded = () => Object.keys(require.cache).filter((p) => p.includes('@tensorflow')).length;
      const millrace = await import('millrace');
      const afterImport = loaded();
      const ssc = new millrace.StreamingContext({ batchIntervalMs: 1000, clock: new millrace.ManualClock() });
      const model = { predict: (x) => x.sum(1), inputs: [{ shape: [null, 2] }] };
      const scores = await millrace.predictWith(millrace.queueStream(ssc, [[[1, 2]]]), model);
      const out = [];
      scores.foreachBatch((items) => { out.push(...items); });
      ssc.start();
      await ssc.advance(1);
      await ssc.stop();
      console.log(JSON.stringify({ afterImport, afterPredictWith: loaded(), out }));
    `;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', program], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    });
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines.at(-1)!) as {
      afterImport: number;
      afterPredictWith: number;
      out: number[];
    };
    expect(result.afterImport).toBe(0);
    expect(result.afterPredictWith).toBeGreaterThan(0);
    expect(result.out).toEqual([3]);
  });
});
