// Writes a benchmark's results as JSON under benchmarks/results/ (quick runs under
// results/quick/, which git ignores, so a smoke run never overwrites the committed figures).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The directory results of a full (or a `--quick`) run go to. */
export function resultsDirectory(quick) {
  return fileURLToPath(new URL(quick ? '../results/quick/' : '../results/', import.meta.url));
}

/** Writes `results` to `<resultsDirectory>/<name>.json` atomically; returns the path. */
export function writeResults(name, results, { quick }) {
  const directory = resultsDirectory(quick);
  mkdirSync(directory, { recursive: true });
  const path = `${directory}${name}.json`;
  writeFileSync(`${path}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}
