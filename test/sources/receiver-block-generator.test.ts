import { describe, expect, it } from 'vitest';
import { BlockGenerator } from '../../src/sources/receiver-block-generator.js';

describe('BlockGenerator', () => {
  it('counts every record not yet allocated against the bound, open block included', () => {
    const blocks = new BlockGenerator<number>(3);
    expect([blocks.tryAdd(1), blocks.tryAdd(2)]).toEqual([true, true]);
    blocks.cutBlock();
    expect(blocks.tryAdd(3)).toBe(true);
    expect(blocks.tryAdd(4)).toBe(false);
    expect(blocks.bufferedRecords).toBe(3);
    expect(blocks.hasRoom).toBe(false);
  });

  it('allocation cuts the open block and returns complete blocks in order, with sequential ids', () => {
    const blocks = new BlockGenerator<string>(10);
    blocks.tryAdd('a');
    blocks.cutBlock();
    blocks.cutBlock(); // nothing stored since the last cut: no empty block
    blocks.tryAdd('b');
    blocks.tryAdd('c');
    expect(blocks.allocateBlocks()).toEqual([
      { blockId: 0, records: ['a'] },
      { blockId: 1, records: ['b', 'c'] },
    ]);
    expect(blocks.bufferedRecords).toBe(0);
    expect(blocks.allocateBlocks()).toEqual([]);
    blocks.tryAdd('d');
    expect(blocks.allocateBlocks()).toEqual([{ blockId: 2, records: ['d'] }]);
  });

  it('wakes waiters for room when an allocation frees it', async () => {
    const blocks = new BlockGenerator<number>(1);
    blocks.tryAdd(1);
    let woken = false;
    const waiting = blocks.whenRoom().then(() => (woken = true));
    await Promise.resolve();
    expect(woken).toBe(false);
    blocks.allocateBlocks();
    await waiting;
    expect(blocks.hasRoom).toBe(true);
  });
});
