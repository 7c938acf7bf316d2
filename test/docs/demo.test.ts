import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run demo', () => {
  it('flags the injected frauds and rejects the malformed lines', () => {
    // The program `npm run demo` runs after building, against the built package.
    const output = execFileSync(process.execPath, ['examples/demo.mjs'], {
      cwd: root,
      encoding: 'utf8',
    });
    // 30 batches of 200 normal lines + 1 malformed; 2 frauds in each of batches 11, 16, 21, 26.
    expect(output).toContain('30 batches, 6038 records, 8 flagged, 30 malformed');
    expect(output.match(/suspicious transactions/g)).toHaveLength(4);
  });
});
