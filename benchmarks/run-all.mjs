// Runs every benchmark, one node process each (a fresh heap and JIT per script, with --expose-gc
// so runs start from a collected heap), then regenerates the README's performance table.
// `npm run bench` builds the package first. Arguments (--quick, --runs=N) are passed through.
// A failing script doesn't stop the others (their results are still worth having); the run
// exits non-zero at the end and names it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { secondsSince } from './lib/stats.mjs';

const scripts = ['engine.mjs', 'models.mjs', 'kernels.mjs', 'README-table.mjs'];
const args = process.argv.slice(2);
const start = process.hrtime.bigint();
const failed = [];
for (const script of scripts) {
  console.log(`\n=== ${script} ${args.join(' ')}`);
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(new URL(script, import.meta.url)), ...args],
    { stdio: 'inherit' },
  );
  if (child.status !== 0) failed.push(`${script} (exit ${child.status ?? child.signal})`);
}
console.log(`\nbenchmarks done in ${(secondsSince(start) / 60).toFixed(1)} min`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
