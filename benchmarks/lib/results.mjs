// Writes a benchmark's results as JSON under benchmarks/results/ (scratch runs, see args.mjs,
// under results/scratch/, which git ignores, so they never overwrite the committed figures).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The directory results of a complete (or a scratch) run go to. */
export function resultsDirectory(isScratch) {
  return fileURLToPath(new URL(isScratch ? '../results/scratch/' : '../results/', import.meta.url));
}

/**
 * Writes `results` to `<resultsDirectory>/<name>.json` atomically; returns the path. `quick` is
 * taken for `isScratch` when only it is given.
 */
export function writeResults(name, results, { isScratch, quick }) {
  const directory = resultsDirectory(isScratch ?? quick);
  mkdirSync(directory, { recursive: true });
  const path = `${directory}${name}.json`;
  writeFileSync(`${path}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}
