import { describe, expect, it } from 'vitest';
import { Vectors } from '../../src/index.js';
import {
  borrowKernelArray,
  borrowKernelInt32Array,
  returnKernelArray,
} from '../../src/models/kernels/kernel-arrays.js';
import {
  packForKernels,
  packVectors,
  usePackedPartitions,
  type PackedRows,
  type ReleasableRows,
} from '../../src/models/kernels/pack.js';
import { SeededRandom } from '../../src/models/random.js';
import { StateError } from '../../src/streaming/errors.js';

interface Rejection {
  readonly record: unknown;
  readonly reason: string;
}

function collector(): {
  rejections: Rejection[];
  reject: (record: unknown, reason: string) => void;
} {
  const rejections: Rejection[] = [];
  return { rejections, reject: (record, reason) => rejections.push({ record, reason }) };
}

/**
 * A batch of d-dimensional records with every kind of unusable record spliced between good ones,
 * and what packing must give: the good rows in order, their positions, and each rejection's
 * reason (written out here, not computed by the code under test).
 */
function mixedBatch(d: number, seed: number) {
  const random = new SeededRandom(seed);
  const row = () => Float64Array.from({ length: d }, () => random.nextGaussian());
  const withValue = (position: number, value: number) => {
    const values = row();
    values[position] = value;
    return values;
  };
  const items: unknown[] = [];
  const good: number[][] = [];
  const kept: number[] = [];
  const expectedRejections: { record: unknown; reason: RegExp }[] = [];
  const addGood = (record: Float64Array | number[]) => {
    kept.push(items.length);
    good.push(Array.from(record));
    items.push(record);
  };
  const addBad = (record: unknown, reason: RegExp) => {
    expectedRejections.push({ record, reason });
    items.push(record);
  };
  for (let i = 0; i < 40; i++) addGood(i % 3 === 0 ? Array.from(row()) : row());
  addBad(withValue(d - 1, Number.NaN), new RegExp(`^non-finite value NaN at position ${d - 1}$`));
  addGood(row());
  addBad([1, 2], new RegExp(`^expected a vector of dimension ${d}, got dimension 2$`));
  addBad(Array.from(withValue(0, Infinity)), /^non-finite value Infinity at position 0$/);
  addGood(Array.from(row()));
  addBad(null, /^expected a vector \(Float64Array, number\[\] or sparse vector\), got null$/);
  addBad(withValue(1, -Infinity), /^non-finite value -Infinity at position 1$/);
  addBad('text', /got string "text"$/);
  const mixed: unknown[] = Array.from(row());
  mixed[2] = '3';
  addBad(mixed, /^non-finite value 3 at position 2$/);
  for (let i = 0; i < 20; i++) addGood(row());
  addBad(withValue(0, Number.NaN), /^non-finite value NaN at position 0$/);
  return { items, good, kept, expectedRejections };
}

function denseValues(rows: PackedRows): number[][] {
  expect(rows.kind).toBe('dense');
  if (rows.kind !== 'dense') return [];
  return Array.from({ length: rows.n }, (_, i) =>
    Array.from(rows.data.subarray(i * rows.d, (i + 1) * rows.d)),
  );
}

describe('packForKernels', () => {
  // d = 3 copies and checks each value in JavaScript; d = 20 copies rows with set() and checks
  // the packed batch with wasmNonFiniteRows: both must reject the same records, the same way.
  for (const d of [3, 20]) {
    it(`d = ${d}: packs the usable rows in order and rejects the rest in record order, with reasons`, () => {
      const { items, good, kept, expectedRejections } = mixedBatch(d, 40 + d);
      const { rejections, reject } = collector();
      const packed = packForKernels(items, d, reject);
      try {
        expect(denseValues(packed.rows)).toEqual(good);
        expect(Array.from(packed.kept)).toEqual(kept);
        expect(rejections.map((r) => r.record)).toEqual(expectedRejections.map((r) => r.record));
        rejections.forEach((rejection, i) => {
          expect(rejection.reason).toMatch(expectedRejections[i].reason);
        });
      } finally {
        packed.release();
      }
    });

    it(`d = ${d}: packVectors gives the same rows, positions and rejections in ordinary memory`, () => {
      const { items } = mixedBatch(d, 50 + d);
      const forKernels = collector();
      const ordinary = collector();
      const packed = packForKernels(items, d, forKernels.reject);
      const plain = packVectors(items, d, ordinary.reject);
      try {
        expect(plain.rows.kind === 'dense' && plain.rows.data.buffer).toBeInstanceOf(ArrayBuffer);
        expect(packed.rows.kind === 'dense' && packed.rows.data.buffer).toBeInstanceOf(
          SharedArrayBuffer,
        );
        expect(denseValues(packed.rows)).toEqual(denseValues(plain.rows));
        expect(packed.kept).toEqual(plain.kept);
        expect(forKernels.rejections).toEqual(ordinary.rejections);
      } finally {
        packed.release();
      }
    });
  }

  it('falls back to the CSR layout for sparse input, rejecting the same way', () => {
    const items = [
      Vectors.sparse(50, [3], [1]),
      Float64Array.of(Number.NaN, ...new Array<number>(49).fill(0)),
      Vectors.sparse(50, [7, 9], [2, 3]),
    ];
    const { rejections, reject } = collector();
    const packed = packForKernels(items, 50, reject);
    expect(packed.rows.kind).toBe('sparse');
    expect(Array.from(packed.kept)).toEqual([0, 2]);
    expect(rejections).toEqual([
      { record: items[1], reason: 'non-finite value NaN at position 0' },
    ]);
    packed.release();
  });

  it('gives its kernel memory back when the reject callback throws', () => {
    // Rows long enough that the packing's allocation has a size no other test uses (2^17 values).
    const d = 50_000;
    const items = [new Float64Array(d), new Float64Array(d).fill(Number.NaN)];
    const probe = borrowKernelArray(2 * d);
    const address = probe.byteOffset;
    returnKernelArray(probe);
    expect(() =>
      packForKernels(items, d, () => {
        throw new Error('bad point');
      }),
    ).toThrow('bad point');
    // The allocation packing took is free again: the next borrow of that size gets it back.
    const next = borrowKernelArray(2 * d);
    expect(next.byteOffset).toBe(address);
    returnKernelArray(next);
  });
});

describe('usePackedPartitions', () => {
  function tracked(): { released: number[]; pack: (p: readonly number[]) => ReleasableRows } {
    const released: number[] = [];
    const pack = (partition: readonly number[]): ReleasableRows => ({
      ...packVectors(
        partition.map((x) => [x]),
        1,
        () => {},
      ),
      release: () => released.push(partition[0]),
    });
    return { released, pack };
  }

  it('releases every partition after a synchronous use, and after one that throws', () => {
    const sync = tracked();
    const total = usePackedPartitions([[1, 2], [3]], sync.pack, (parts) =>
      parts.reduce((n, part) => n + part.rows.n, 0),
    );
    expect(total).toBe(3);
    expect(sync.released).toEqual([1, 3]);
    const failing = tracked();
    expect(() =>
      usePackedPartitions([[4], [5]], failing.pack, () => {
        throw new Error('kernel failed');
      }),
    ).toThrow('kernel failed');
    expect(failing.released).toEqual([4, 5]);
  });

  it('releases only once an asynchronous use has settled', async () => {
    const { released, pack } = tracked();
    let finish: (n: number) => void = () => {};
    const result = usePackedPartitions(
      [[6], [7]],
      pack,
      () => new Promise<number>((resolve) => (finish = resolve)),
    );
    expect(released).toEqual([]);
    finish(2);
    await expect(result).resolves.toBe(2);
    expect(released).toEqual([6, 7]);
  });
});

describe('borrowKernelArray', () => {
  it('refuses an array returned twice or never borrowed', () => {
    const array = borrowKernelArray(10);
    returnKernelArray(array);
    expect(() => returnKernelArray(array)).toThrow(StateError);
    expect(() => returnKernelArray(new Float64Array(10))).toThrow(/not borrowed/);
  });

  it('lends 32-bit integer arrays from the same reused memory', () => {
    // An unusual size, so that the allocation is recognisable when it is lent again.
    const positions = borrowKernelInt32Array(300_001);
    expect(positions).toBeInstanceOf(Int32Array);
    expect(positions).toHaveLength(300_001);
    positions.fill(-7); // writable end to end
    const address = positions.byteOffset;
    returnKernelArray(positions);
    expect(() => returnKernelArray(positions)).toThrow(
      /Int32Array \(length 300001\) is not borrowed/,
    );
    const values = borrowKernelArray(150_001); // the same bytes, as floats
    expect(values.byteOffset).toBe(address);
    returnKernelArray(values);
  });
});
