// Where the time goes: runs a benchmark script under V8's sampling profiler (node --cpu-prof) and
// prints the functions with the largest self and inclusive shares of the samples, as
// file:line function. For the "if a target is missed, say where the time goes" step of issue 8.
// Usage: node benchmarks/profile.mjs engine.mjs --only=pipeline [--top=25]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from './lib/table.mjs';

const [script, ...rest] = process.argv.slice(2);
if (!script) {
  console.error('usage: node benchmarks/profile.mjs <benchmark.mjs> [its arguments] [--top=N]');
  process.exit(2);
}
const top = Number(rest.find((arg) => arg.startsWith('--top='))?.slice(6) ?? 25);
const scriptArgs = rest.filter((arg) => !arg.startsWith('--top='));
const root = fileURLToPath(new URL('../', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'millrace-profile-'));
const child = spawnSync(
  process.execPath,
  [
    '--expose-gc',
    '--cpu-prof',
    `--cpu-prof-dir=${directory}`,
    fileURLToPath(new URL(script, import.meta.url)),
    ...scriptArgs,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (child.status !== 0) process.exit(child.status ?? 1);
const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(directory, file), 'utf8'));
rmSync(directory, { recursive: true, force: true });

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const id of node.children ?? []) parentOf.set(id, node.id);
const where = ({ callFrame: { functionName, url, lineNumber } }) => {
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url || '(native)';
  return `${path}:${lineNumber + 1} ${functionName || '(anonymous)'}`;
};

const self = new Map();
const inclusive = new Map();
for (const id of profile.samples) {
  const key = where(byId.get(id));
  self.set(key, (self.get(key) ?? 0) + 1);
  // Each function counted once per sample however deep it recurses.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) seen.add(where(byId.get(at)));
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
}
const total = profile.samples.length;
const share = (count) => `${((count / total) * 100).toFixed(1)}%`;
const ranked = (counts) =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, count]) => [name, share(count)]);
printTable(
  `Self time, ${total} samples (${script} ${scriptArgs.join(' ')})`,
  ['function', 'share'],
  ranked(self),
);
printTable('Inclusive time (function and what it calls)', ['function', 'share'], ranked(inclusive));
