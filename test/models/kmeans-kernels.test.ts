import { describe, expect, it } from 'vitest';
import {
  centerTable,
  directSquaredDistance,
  nearestCenters,
  sparseSquaredDistance,
  type CenterTable,
} from '../../src/models/kernels/kmeans-assign.js';
import {
  accumulateStatistics,
  emptyStatistics,
  mergeStatistics,
  partitionStatistics,
} from '../../src/models/kernels/kmeans-statistics.js';
import { packVectors, type PackedRows, type SparseRows } from '../../src/models/kernels/pack.js';
import { SeededRandom } from '../../src/models/random.js';
import { Vectors, type Vector } from '../../src/index.js';

function noReject(record: unknown, reason: string): never {
  throw new Error(`unexpected reject of ${String(record)}: ${reason}`);
}

function pack(points: readonly unknown[], d: number): PackedRows {
  return packVectors(points, d, noReject).rows;
}

/** Independent reference: the first centre with the smallest Σ(x − c)², written plainly. */
function bruteForceNearest(point: readonly number[], centers: readonly number[][]): number {
  let best = 0;
  let bestDistance = Infinity;
  centers.forEach((center, c) => {
    let distance = 0;
    point.forEach((x, j) => (distance += (x - center[j]) * (x - center[j])));
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  });
  return best;
}

/** The CSR layout of dense points, zeros left out (packVectors picks it only for sparse data). */
function csrOf(points: readonly number[][]): SparseRows {
  const indptr = new Int32Array(points.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  points.forEach((point, i) => {
    point.forEach((x, j) => {
      if (x !== 0) {
        indices.push(j);
        values.push(x);
      }
    });
    indptr[i + 1] = indices.length;
  });
  return {
    kind: 'sparse',
    n: points.length,
    d: points[0].length,
    indptr,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}

function tableOf(centers: readonly number[][]): CenterTable {
  return centerTable(Float64Array.from(centers.flat()), centers.length, centers[0].length);
}

function toSparse(point: readonly number[]): Vector {
  const indices: number[] = [];
  const values: number[] = [];
  point.forEach((x, j) => {
    if (x !== 0) {
      indices.push(j);
      values.push(x);
    }
  });
  return Vectors.sparse(point.length, indices, values);
}

describe('nearestCenters', () => {
  it('agrees with a brute-force search, dense and sparse, including near-ties far from 0', () => {
    const random = new SeededRandom(21);
    const d = 7;
    const k = 9; // not a multiple of the 4-centre blocking, so the tail loop runs too
    const offset = 1e6; // large norms: the expanded form loses about 12 digits here
    const centers = Array.from({ length: k }, () =>
      Array.from({ length: d }, () => offset + random.nextGaussian()),
    );
    const points: number[][] = [];
    for (let i = 0; i < 2000; i++) {
      const a = centers[i % k];
      const b = centers[(i * 7 + 1) % k];
      // Points on or within 1e-9 of the bisector of two centres, and ordinary ones; every
      // other one has a few exact zeros so the sparse layout differs from the dense one.
      const t =
        i % 3 === 0 ? 0.5 : i % 3 === 1 ? 0.5 + 1e-9 * random.nextGaussian() : random.nextDouble();
      const point = a.map((x, j) => x + t * (b[j] - x));
      if (i % 2 === 0) point[i % d] = 0;
      points.push(point);
    }
    const expected = points.map((p) => bruteForceNearest(p, centers));
    const table = tableOf(centers);
    for (const rows of [pack(points, d), csrOf(points)]) {
      const assignment = new Int32Array(points.length);
      const squaredDistances = new Float64Array(points.length);
      nearestCenters(rows, table, assignment, squaredDistances);
      expect(Array.from(assignment)).toEqual(expected);
      if (rows.kind === 'dense') {
        squaredDistances.forEach((distance, i) => {
          expect(distance).toBe(directSquaredDistance(rows, i, table, expected[i]));
        });
      }
    }
  });

  it('resolves exact ties to the lowest index where the expanded form rounds them apart', () => {
    // x is exactly halfway: (x - c)² = 0.25 for both centres, but ‖x‖² ≈ 1e16 has an ulp of 2.
    const x = [1e8 + 0.5];
    for (const centers of [
      [[1e8], [1e8 + 1]],
      [[1e8 + 1], [1e8]],
    ]) {
      const assignment = new Int32Array(1);
      nearestCenters(pack([x], 1), tableOf(centers), assignment);
      expect(assignment[0]).toBe(0);
    }
    // And a near-tie the expanded form can't see: 0.16 vs 0.36, both lost in rounding of 1e16.
    const assignment = new Int32Array(1);
    nearestCenters(pack([[1e8 + 0.6]], 1), tableOf([[1e8], [1e8 + 1]]), assignment);
    expect(assignment[0]).toBe(1);
  });

  it('handles sparse rows in CSR layout', () => {
    const d = 50;
    const centers = [new Array<number>(d).fill(0), new Array<number>(d).fill(0)];
    centers[1][10] = 4;
    const points = [
      Vectors.sparse(d, [10], [3]),
      Vectors.sparse(d, [3], [1]),
      Vectors.sparse(d, [], []),
    ];
    const rows = pack(points, d);
    expect(rows.kind).toBe('sparse');
    const assignment = new Int32Array(3);
    const squaredDistances = new Float64Array(3);
    nearestCenters(rows, tableOf(centers), assignment, squaredDistances);
    expect(Array.from(assignment)).toEqual([1, 0, 0]);
    expect(Array.from(squaredDistances)).toEqual([1, 1, 0]);
  });
});

describe('sparseSquaredDistance', () => {
  it('equals the direct form on sparse rows, to rounding', () => {
    const random = new SeededRandom(12);
    const d = 200;
    const centers = Array.from({ length: 3 }, () =>
      Array.from({ length: d }, () => random.nextGaussian()),
    );
    const points = Array.from({ length: 100 }, () =>
      Array.from({ length: d }, () => (random.nextDouble() < 0.05 ? 3 * random.nextGaussian() : 0)),
    );
    const rows = csrOf(points);
    const table = tableOf(centers);
    for (let i = 0; i < points.length; i++) {
      for (let c = 0; c < 3; c++) {
        const direct = directSquaredDistance(rows, i, table, c);
        // Distances are ~200 here and ‖c‖² ~200: both forms round ~200 terms of that size, so
        // they agree to a few hundred ulps of 200, far inside 1e-10.
        expect(Math.abs(sparseSquaredDistance(rows, i, table, c) - direct)).toBeLessThan(1e-10);
      }
    }
  });
});

describe('cluster statistics', () => {
  const random = new SeededRandom(4);
  const d = 5;
  const centers = Array.from({ length: 3 }, (_, c) =>
    Array.from({ length: d }, () => 5 * c + random.nextGaussian()),
  );
  const points = Array.from({ length: 300 }, (_, i) =>
    centers[i % 3].map((x) => x + 2 * random.nextGaussian()),
  );
  const table = tableOf(centers);

  it('statistics of partitions, merged, equal those of the whole batch', () => {
    const whole = partitionStatistics(pack(points, d), table);
    const merged = emptyStatistics(3, d);
    for (const part of [points.slice(0, 70), points.slice(70, 71), points.slice(71)]) {
      mergeStatistics(merged, partitionStatistics(pack(part, d), table));
    }
    expect(Array.from(merged.counts)).toEqual(Array.from(whole.counts));
    // Sums of 100 terms of order 10, added in a different grouping: a few ulps of ~1e3.
    merged.sums.forEach((sum, i) => expect(Math.abs(sum - whole.sums[i])).toBeLessThan(1e-10));
    // Reference: the sums written plainly from the brute-force assignment.
    const counts = [0, 0, 0];
    const sums = new Array<number>(3 * d).fill(0);
    for (const p of points) {
      const c = bruteForceNearest(p, centers);
      counts[c]++;
      p.forEach((x, j) => (sums[c * d + j] += x));
    }
    expect(Array.from(whole.counts)).toEqual(counts);
    whole.sums.forEach((sum, i) => expect(sum).toBe(sums[i]));
  });

  it('sparse rows accumulate only their non-zeros, to the same sums as dense', () => {
    const sparsePoints = points.map((p) => toSparse(p.map((x, j) => (j % 2 === 0 ? 0 : x))));
    const densePoints = points.map((p) => p.map((x, j) => (j % 2 === 0 ? 0 : x)));
    const assignment = Int32Array.from(points, (_, i) => i % 3);
    const fromSparse = emptyStatistics(3, d);
    const fromDense = emptyStatistics(3, d);
    accumulateStatistics(pack(sparsePoints, d), assignment, fromSparse);
    accumulateStatistics(pack(densePoints, d), assignment, fromDense);
    expect(fromSparse).toEqual(fromDense);
    expect(Array.from(fromDense.counts)).toEqual([100, 100, 100]);
  });
});
