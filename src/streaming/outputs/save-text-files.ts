import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Batch } from '../batch.js';
import { ConfigurationError } from '../errors.js';
import { formatRecord } from './format-record.js';

/** Spark's directory name for a batch: `prefix-TIME_IN_MS`, plus `.suffix` when there is one. */
export function batchDirectoryName(
  prefix: string,
  suffix: string | undefined,
  time: number,
): string {
  return suffix === undefined || suffix === ''
    ? `${prefix}-${time}`
    : `${prefix}-${time}.${suffix}`;
}

/** Checks `saveAsTextFiles` arguments at graph construction. */
export function validateTextFilesPrefix(prefix: unknown, suffix: unknown): void {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new ConfigurationError(
      `saveAsTextFiles needs a path prefix such as '/data/out/counts', got ${JSON.stringify(prefix)}`,
    );
  }
  if (suffix !== undefined && (typeof suffix !== 'string' || /[/\\]/.test(suffix))) {
    throw new ConfigurationError(
      `saveAsTextFiles: the suffix ends a directory name and can't hold a path separator, got ${JSON.stringify(suffix)}`,
    );
  }
}

/** `part-00000`, `part-00001`, ...: one file per partition, as Hadoop names them. */
function partFileName(index: number): string {
  return `part-${String(index).padStart(5, '0')}`;
}

/** Writes and fsyncs a file, so the rename that publishes it never exposes an empty one. */
async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Persists a directory's entries (the renames into it) on file systems that need it. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes one batch as a directory of text files: `part-NNNNN` per partition (one record per line,
 * in `formatRecord`'s text form) and an empty `_SUCCESS` marker. Everything is written into a
 * hidden staging directory beside the target, then renamed into place, so readers see either no
 * directory or a complete one. A directory already there (a re-run of the batch) is replaced, not
 * added to: it is moved aside, the new one renamed in, the old one deleted.
 */
export async function writeBatchAsTextFiles<T>(directory: string, batch: Batch<T>): Promise<void> {
  const parent = dirname(directory);
  await mkdir(parent, { recursive: true });
  const staging = join(
    parent,
    `.${basename(directory)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  await mkdir(staging);
  try {
    for (const [index, partition] of batch.entries()) {
      let text = '';
      for (const record of partition) text += `${formatRecord(record)}\n`;
      await writeDurably(join(staging, partFileName(index)), text);
    }
    await writeDurably(join(staging, '_SUCCESS'), '');
    await publish(staging, directory);
    await syncDirectory(parent);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function publish(staging: string, directory: string): Promise<void> {
  try {
    await rename(staging, directory);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  const replaced = `${staging}.replaced`;
  await rename(directory, replaced);
  await rename(staging, directory);
  await rm(replaced, { recursive: true, force: true });
}
