import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

// Every ```ts block of the README is a program that imports 'millrace': compiled to JavaScript
// and run against the built package, so the README can't drift from the code.
const root = fileURLToPath(new URL('../..', import.meta.url));
const workDir = `${root}.readme-examples`;
const readme = readFileSync(`${root}README.md`, 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

function headingBefore(index: number): string {
  const upTo = readme.slice(0, readme.indexOf(blocks[index]));
  const headings = [...upTo.matchAll(/^#+ (.+)$/gm)];
  return headings.at(-1)?.[1] ?? 'top';
}

describe('README examples', () => {
  mkdirSync(workDir, { recursive: true });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  blocks.forEach((source, index) => {
    it(`example ${index + 1} (${headingBefore(index)}) runs`, () => {
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      const file = `${workDir}/example-${index + 1}.mjs`;
      writeFileSync(file, outputText);
      execFileSync(process.execPath, [file], { cwd: workDir, stdio: 'pipe', timeout: 60_000 });
    });
  });
});
