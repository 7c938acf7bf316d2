import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the built package', () => {
  it('imports by its name through exports and runs a small pipeline', () => {
    expect(existsSync(`${root}/dist/index.js`), 'run `npm run build` before the tests').toBe(true);
    // A separate node process resolves 'millrace' through package.json "exports" (self-reference),
    // exactly as a user's program would, never through src/.
    const program = `
      import { StreamingContext, queueStream } from 'millrace';
      const ssc = new StreamingContext({ batchIntervalMs: 100, clock: 'replay' });
      const out = [];
      queueStream(ssc, [['a b', 'b'], ['c']])
        .flatMap((l) => l.split(' ')).map((w) => [w, 1]).reduceByKey((a, b) => a + b)
        .foreachBatch((items) => { out.push(items.length); });
      ssc.start();
      await ssc.awaitTermination();
      console.log(JSON.stringify(out));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', program], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(output.trim())).toEqual([2, 1]);
  });
});
