import { readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { root, runExample } from './run-example.js';

// Every ```ts block of the README is a program that imports 'millrace': compiled to JavaScript
// and run against the built package, so the README can't drift from the code.
const workDir = `${root}.readme-examples`;
const readme = readFileSync(`${root}README.md`, 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

function headingBefore(index: number): string {
  const upTo = readme.slice(0, readme.indexOf(blocks[index]));
  const headings = [...upTo.matchAll(/^#+ (.+)$/gm)];
  return headings.at(-1)?.[1] ?? 'top';
}

describe('README examples', () => {
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  blocks.forEach((source, index) => {
    it(`example ${index + 1} (${headingBefore(index)}) runs`, () => {
      runExample(workDir, `example-${index + 1}`, source);
    });
  });
});
