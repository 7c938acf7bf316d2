import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchFailedError, ConfigurationError, queueStream } from '../../src/index.js';
import { manualContext } from './collect.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-save-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (...path: string[]): string => readFileSync(join(dir, ...path), 'utf8');

describe('saveAsTextFiles', () => {
  it('writes one directory per batch, one part file per partition, and a _SUCCESS marker', async () => {
    const ssc = manualContext();
    // Two inputs in union: two partitions per batch.
    const left = queueStream<unknown>(ssc, [['plain text', 42, ['key', [1, 'x']]], []]);
    const right = queueStream<unknown>(ssc, [[Float64Array.of(1, 2.5), { id: 7 }, null], []]);
    left.union(right).saveAsTextFiles(join(dir, 'out', 'records'), 'txt');
    ssc.start();
    await ssc.advance(3); // the batch awaits its files: they are there when advance resolves
    await ssc.stop();
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'records-1000.txt',
      'records-2000.txt',
      'records-3000.txt',
    ]);
    expect(readdirSync(join(dir, 'out', 'records-1000.txt')).sort()).toEqual([
      '_SUCCESS',
      'part-00000',
      'part-00001',
    ]);
    expect(read('out', 'records-1000.txt', 'part-00000')).toBe('plain text\n42\n(key,(1,x))\n');
    expect(read('out', 'records-1000.txt', 'part-00001')).toBe('[1,2.5]\n{"id":7}\nnull\n');
    expect(read('out', 'records-1000.txt', '_SUCCESS')).toBe('');
    // Empty partitions give empty part files; a batch without partitions (both queues drained)
    // still gets its directory and marker.
    expect(read('out', 'records-2000.txt', 'part-00001')).toBe('');
    expect(readdirSync(join(dir, 'out', 'records-3000.txt'))).toEqual(['_SUCCESS']);
  });

  it('a re-run of a batch time replaces its directory instead of adding to it', async () => {
    const prefix = join(dir, 'counts');
    const run = async (partitions: string[][]): Promise<void> => {
      const ssc = manualContext();
      // Not one at a time: the first batch takes every queued array, each as a partition.
      queueStream(ssc, partitions, { oneAtATime: false }).saveAsTextFiles(prefix);
      ssc.start();
      await ssc.advance(1);
      await ssc.stop();
    };
    await run([['a', 'b'], ['c']]);
    expect(readdirSync(join(dir, 'counts-1000')).sort()).toEqual([
      '_SUCCESS',
      'part-00000',
      'part-00001',
    ]);
    await run([['z']]);
    expect(readdirSync(join(dir, 'counts-1000')).sort()).toEqual(['_SUCCESS', 'part-00000']);
    expect(read('counts-1000', 'part-00000')).toBe('z\n');
    // No staging directory is left behind.
    expect(readdirSync(dir)).toEqual(['counts-1000']);
  });

  it('fails the batch when the files cannot be written, and rejects bad arguments at once', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const ssc = manualContext();
    queueStream(ssc, [['x']]).saveAsTextFiles(join(blocker, 'out'), undefined, { name: 'save' });
    ssc.start();
    const failure = await ssc.advance(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect((failure as BatchFailedError).operatorName).toBe('save');
    await ssc.awaitTermination().catch(() => {});

    const other = manualContext();
    const stream = queueStream(other, [['x']]);
    expect(() => stream.saveAsTextFiles('')).toThrow(ConfigurationError);
    expect(() => stream.saveAsTextFiles(join(dir, 'p'), 'a/b')).toThrow(/path separator/);
  });
});
