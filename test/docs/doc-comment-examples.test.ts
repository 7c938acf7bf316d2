import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root, runExample } from './run-example.js';

// The `@example` of a public doc comment that is a whole program (it imports from 'millrace') is
// compiled and run against the built package, like the README's examples. Shorter examples are
// fragments that show a call inside a larger program, and are only read.
const workDir = `${root}.doc-examples`;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function examplesOf(file: string): { name: string; source: string }[] {
  const text = readFileSync(file, 'utf8');
  const examples: { name: string; source: string }[] = [];
  for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const lines = comment[1].split('\n').map((line) => line.replace(/^\s*\* ?/, ''));
    const start = lines.findIndex((line) => line.startsWith('@example'));
    if (start < 0) continue;
    const end = lines.findIndex((line, i) => i > start && line.startsWith('@'));
    const source = lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
    if (!/from 'millrace'/.test(source)) continue;
    const line = text.slice(0, comment.index).split('\n').length;
    examples.push({ name: `${relative(root, file)}:${line}`, source });
  }
  return examples;
}

const examples = sourceFiles(`${root}src`).flatMap(examplesOf);

describe('doc-comment examples', () => {
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('finds the whole-program examples', () => {
    expect(examples.length).toBeGreaterThan(20);
  });

  examples.forEach(({ name, source }, index) => {
    it(`${name} runs`, () => {
      runExample(workDir, `doc-example-${index + 1}`, source);
    });
  });
});
