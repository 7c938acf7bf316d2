import { describe, expect, it } from 'vitest';
import { wasmNonFiniteRows } from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';

describe('wasmNonFiniteRows', () => {
  it('finds exactly the rows holding NaN or ±Infinity, wherever they sit in the row', () => {
    const random = new SeededRandom(31);
    const bad = [Number.NaN, Infinity, -Infinity];
    for (const d of [1, 2, 3, 4, 5, 7, 8, 100]) {
      const n = 300;
      const data = Float64Array.from({ length: n * d }, () => random.nextGaussian());
      for (let row = 0; row < n; row++) {
        if (random.nextDouble() < 0.1) {
          data[row * d + Math.floor(random.nextDouble() * d)] = bad[row % 3];
        }
      }
      // Huge finite values are fine (x − x stays 0; a sum of them would overflow).
      data[5 * d] = Number.MAX_VALUE;
      data[5 * d + d - 1] = -Number.MAX_VALUE;
      const expected: number[] = [];
      for (let row = 0; row < n; row++) {
        if (!data.subarray(row * d, row * d + d).every(Number.isFinite)) expected.push(row);
      }
      expect(expected.length).toBeGreaterThan(0);
      expect(Array.from(wasmNonFiniteRows({ kind: 'dense', n, d, data }))).toEqual(expected);
    }
  });

  it('returns nothing for an empty or clean batch', () => {
    expect(wasmNonFiniteRows({ kind: 'dense', n: 0, d: 3, data: new Float64Array(0) })).toEqual(
      new Int32Array(0),
    );
    const clean = Float64Array.of(0, -0, 5e-324, 1e308);
    expect(wasmNonFiniteRows({ kind: 'dense', n: 2, d: 2, data: clean }).length).toBe(0);
  });
});
