import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root: example programs run inside it, so 'millrace' resolves to the build. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Compiles a TypeScript example program to JavaScript and runs it with node against the built
 * package (`import ... from 'millrace'` resolves through package.json `exports` to `dist/`).
 * Throws with the program's stderr when it fails.
 */
export function runExample(directory: string, fileName: string, source: string): void {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  mkdirSync(directory, { recursive: true });
  const file = `${directory}/${fileName}.mjs`;
  writeFileSync(file, outputText);
  execFileSync(process.execPath, [file], { cwd: directory, stdio: 'pipe', timeout: 60_000 });
}
