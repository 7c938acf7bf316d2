// Runs every benchmark, one node process each (a fresh heap and JIT per script, with --expose-gc
// so runs start from a collected heap), then regenerates the README's performance table.
// `npm run bench` builds the package first. Arguments (--quick, --runs=N) are passed through.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { secondsSince } from './lib/stats.mjs';

const scripts = ['engine.mjs', 'models.mjs', 'kernels.mjs', 'README-table.mjs'];
const args = process.argv.slice(2);
const start = process.hrtime.bigint();
for (const script of scripts) {
  console.log(`\n=== ${script} ${args.join(' ')}`);
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(new URL(script, import.meta.url)), ...args],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) {
    console.error(`${script} failed (exit ${child.status ?? child.signal})`);
    process.exit(1);
  }
}
console.log(`\nall benchmarks done in ${(secondsSince(start) / 60).toFixed(1)} min`);
