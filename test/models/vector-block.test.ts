import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  DataError,
  LinearRegressionModel,
  LogisticRegressionModel,
  StreamingKMeansModel,
  Vectors,
  VectorBlock,
  allocateKernelArray,
  releaseKernelArray,
} from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';

function randomRows(seed: number, n: number, d: number): number[][] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => random.nextGaussian()));
}

describe('VectorBlock', () => {
  it('holds rows of one dimension in one array, rows as views', () => {
    const values = Float64Array.of(1, 2, 3, 4, 5, 6);
    const block = new VectorBlock(values, 3);
    expect(block.numRows).toBe(2);
    expect(Array.from(block.row(1))).toEqual([4, 5, 6]);
    values[3] = 40; // a view, not a copy
    expect(block.row(1)[0]).toBe(40);
    expect(new VectorBlock(new Float64Array(0), 4).numRows).toBe(0);
  });

  it('refuses values that are not whole rows, and bad dimensions or row indices', () => {
    expect(() => new VectorBlock(new Float64Array(5), 2)).toThrow(ConfigurationError);
    expect(() => new VectorBlock(new Float64Array(4), 0)).toThrow(/dimension must be an integer/);
    expect(() => new VectorBlock([1, 2] as never, 2)).toThrow(/must be a Float64Array/);
    expect(() => new VectorBlock(new Float64Array(4), 2).row(2)).toThrow(RangeError);
  });

  it('fromRows copies dense, sparse and number[] rows, and names a row of another dimension', () => {
    const block = VectorBlock.fromRows([
      [1, 2],
      Vectors.sparse(2, [1], [5]),
      Float64Array.of(3, 4),
    ]);
    expect(Array.from(block.values)).toEqual([1, 2, 0, 5, 3, 4]);
    expect(() =>
      VectorBlock.fromRows([
        [1, 2],
        [1, 2, 3],
      ]),
    ).toThrow(/row 1 has dimension 3/);
    expect(() => VectorBlock.fromRows([])).toThrow(ConfigurationError);
    expect(VectorBlock.fromRows([], 3).numRows).toBe(0);
  });
});

describe('predictBlock', () => {
  const d = 7;
  const rows = randomRows(1, 600, d);
  const block = VectorBlock.fromRows(rows);
  const linear = new LinearRegressionModel(randomRows(2, 1, d)[0], 0.25);
  const logistic = new LogisticRegressionModel(randomRows(3, 1, d)[0], -0.5);
  const kmeans = new StreamingKMeansModel(randomRows(4, 5, d), [1, 2, 3, 4, 5]);

  // The kernel adds the products of a dot product in another order than predict's loop: the
  // same margins to within about 1e-16 relative to Σ|wⱼxⱼ| (below 10 here), so 1e-14 absolute.
  const expectClose = (actual: Float64Array, expected: number[]) => {
    expect(actual).toHaveLength(expected.length);
    actual.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(1e-14));
  };

  it('equals predict row by row, for every model (the kernel path: 600 rows of 7)', () => {
    expectClose(
      linear.predictBlock(block),
      rows.map((x) => linear.predict(x)),
    );
    // Labels: margins are nowhere near the boundary to within rounding on this data.
    expect(Array.from(logistic.predictBlock(block))).toEqual(rows.map((x) => logistic.predict(x)));
    logistic.clearThreshold();
    expectClose(
      logistic.predictBlock(block),
      rows.map((x) => logistic.predict(x)),
    );
    logistic.setThreshold(0.5);
    const clusters = kmeans.predictBlock(block);
    expect(clusters).toBeInstanceOf(Int32Array);
    expect(Array.from(clusters)).toEqual(rows.map((x) => kmeans.predict(x)));
  });

  it('equals predict on small blocks too (the plain loop below the kernel threshold)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 1e6 }), (n, seed) => {
        const few = randomRows(seed, n, d);
        const small = VectorBlock.fromRows(few, d);
        expect(Array.from(linear.predictBlock(small))).toEqual(few.map((x) => linear.predict(x)));
        expect(Array.from(kmeans.predictBlock(small))).toEqual(few.map((x) => kmeans.predict(x)));
      }),
      { numRuns: 50 },
    );
  });

  it('reads a block already in kernel memory in place, with the same results', () => {
    const values = allocateKernelArray(block.values.length);
    try {
      values.set(block.values);
      const inKernelMemory = new VectorBlock(values, d);
      expect(linear.predictBlock(inKernelMemory)).toEqual(linear.predictBlock(block)); // same kernel
      expect(kmeans.predictBlock(inKernelMemory)).toEqual(kmeans.predictBlock(block));
    } finally {
      releaseKernelArray(values);
    }
  });

  it('throws a DataError naming the first bad row, or hands bad rows to onBadRow', () => {
    const values = block.values.slice(0, 4 * d);
    values[2 * d + 3] = Number.NaN;
    const dirty = new VectorBlock(values, d);
    expect(() => linear.predictBlock(dirty)).toThrow(DataError);
    expect(() => kmeans.predictBlock(dirty)).toThrow(
      /cannot predict row 2: non-finite value NaN at position 3/,
    );
    const bad: [number[], number, string][] = [];
    const predictions = linear.predictBlock(dirty, (row, index, reason) => {
      bad.push([Array.from(row), index, reason]);
    });
    // 4 rows of 7 are below the kernel threshold: the same loop as predict, the same bits.
    expect(Array.from(predictions)).toEqual([
      linear.predict(rows[0]),
      linear.predict(rows[1]),
      Number.NaN,
      linear.predict(rows[3]),
    ]);
    expect(bad).toEqual([[Array.from(dirty.row(2)), 2, 'non-finite value NaN at position 3']]);
    expect(Array.from(kmeans.predictBlock(dirty, () => undefined))[2]).toBe(-1);
  });

  it('keeps a score that overflows from finite values (a true score, not a bad row)', () => {
    const model = new LinearRegressionModel([10, 10]);
    const overflowing = new VectorBlock(Float64Array.of(1e308, 1e308, 1, 2, 1, NaN), 2);
    const bad: number[] = [];
    const predictions = model.predictBlock(overflowing, (_row, index) => bad.push(index));
    expect(Array.from(predictions)).toEqual([Infinity, 30, NaN]);
    expect(bad).toEqual([2]);
  });

  it('refuses a block of another dimension, or something that is not a block', () => {
    const other = new VectorBlock(new Float64Array(8), 4);
    expect(() => linear.predictBlock(other)).toThrow(/VectorBlock of dimension 7, got dimension 4/);
    expect(() => kmeans.predictBlock(other, () => undefined)).toThrow(DataError);
    expect(() => linear.predictBlock(rows as never)).toThrow(/expected a VectorBlock, got Array/);
  });
});
