import { describe, expect, it } from 'vitest';
import {
  allocateKernelArray,
  ConfigurationError,
  releaseKernelArray,
  StateError,
  wasmClusterStatistics,
  wasmNearestCenters,
} from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';

/** A dense batch as the models pack it. */
function rowsOf(data: Float64Array, n: number, d: number) {
  return { kind: 'dense' as const, n, d, data };
}

function gaussians(random: SeededRandom, length: number, scale = 1, offset = 0): Float64Array {
  return Float64Array.from({ length }, () => offset + scale * random.nextGaussian());
}

/** The reference: direct squared distances summed in order, strict < (ties to the lowest index). */
function referenceStatistics(data: Float64Array, n: number, d: number, centers: Float64Array) {
  const k = centers.length / d;
  const assignment = new Int32Array(n);
  const distances = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const scale = new Float64Array(k * d); // Σ|x| per sum entry, the yardstick of its rounding
  let cost = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < k; c++) {
      let distance = 0;
      for (let j = 0; j < d; j++) {
        const diff = data[i * d + j] - centers[c * d + j];
        distance += diff * diff;
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = c;
      }
    }
    assignment[i] = best;
    distances[i] = bestDistance;
    counts[best] += 1;
    cost += bestDistance;
    for (let j = 0; j < d; j++) {
      sums[best * d + j] += data[i * d + j];
      scale[best * d + j] += Math.abs(data[i * d + j]);
    }
  }
  return { assignment, distances, sums, counts, scale, cost };
}

// Sums are the same values added in another association (per 256-row block, blocks in order);
// each order is within n·2⁻⁵³·Σ|x| of the exact sum, so for the n ≤ 2,000 used here 1e-12·Σ|x|
// bounds the difference with room to spare, while any wrong assignment would move a whole row.
const SUM_TOLERANCE = 1e-12;

/** How many entries of `actual` are further than tolerance·scale[i] from `expected`. */
function countOutside(
  actual: Float64Array,
  expected: Float64Array,
  scale: Float64Array,
  tolerance: number,
): number {
  let outside = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale[i])) outside++;
  }
  return outside;
}

function expectStatisticsMatch(data: Float64Array, n: number, d: number, centers: Float64Array) {
  const k = centers.length / d;
  const reference = referenceStatistics(data, n, d, centers);
  const assignment = new Int32Array(n);
  const stats = wasmClusterStatistics(rowsOf(data, n, d), centers, k, { assignment, cost: true });
  expect(assignment).toEqual(reference.assignment);
  expect(stats.counts).toEqual(reference.counts);
  expect(countOutside(stats.sums, reference.sums, reference.scale, SUM_TOLERANCE)).toBe(0);
  // Each cost term is a direct distance summed in another lane order: ≤ d·2⁻⁵³ relative, and
  // all terms are >= 0, so the total is within 1e-12 relative as well.
  expect(Math.abs(stats.cost - reference.cost)).toBeLessThanOrEqual(SUM_TOLERANCE * reference.cost);
  const distances = new Float64Array(n);
  const predicted = new Int32Array(n);
  wasmNearestCenters(rowsOf(data, n, d), centers, k, predicted, distances);
  expect(predicted).toEqual(reference.assignment);
  const { distances: expected } = reference;
  expect(countOutside(distances, expected, expected, SUM_TOLERANCE)).toBe(0);
}

describe('k-means kernels (WebAssembly SIMD)', () => {
  it('match the direct-form reference on random data of many shapes', () => {
    const random = new SeededRandom(7);
    // d and k odd and even (SIMD width 2, 8-centre register blocks), n across block edges.
    for (const d of [1, 2, 3, 7, 10, 17, 100]) {
      for (const k of [1, 2, 3, 8, 9, 10, 13]) {
        for (const n of [0, 1, 2, 3, 255, 256, 257, 600]) {
          const centers = gaussians(random, k * d);
          expectStatisticsMatch(gaussians(random, n * d, 1.5), n, d, centers);
        }
      }
    }
  });

  it('send exact ties to the lowest index, whatever the centres order', () => {
    const d = 5;
    const ones = new Float64Array(3 * d).fill(1); // equidistant (distance d) from 0⃗ and 2⃗
    for (const centers of [
      Float64Array.of(...Array(d).fill(0), ...Array(d).fill(2)),
      Float64Array.of(...Array(d).fill(2), ...Array(d).fill(0)),
      Float64Array.of(...Array(d).fill(5), ...Array(d).fill(2), ...Array(d).fill(0)),
    ]) {
      const k = centers.length / d;
      const assignment = new Int32Array(3);
      const stats = wasmClusterStatistics(rowsOf(ones, 3, d), centers, k, { assignment });
      const firstTied = k === 2 ? 0 : 1;
      expect(Array.from(assignment)).toEqual([firstTied, firstTied, firstTied]);
      expect(stats.counts[firstTied]).toBe(3);
    }
  });

  it('pick the lowest of duplicated centres', () => {
    const random = new SeededRandom(11);
    const d = 6;
    const distinct = gaussians(random, 4 * d);
    // Centre 4 repeats centre 1 and centre 5 repeats centre 0 (an even and an odd index each,
    // so the copies sit in different SIMD lanes): the copies must never be chosen.
    const centers = new Float64Array(6 * d);
    centers.set(distinct);
    centers.set(distinct.subarray(d, 2 * d), 4 * d);
    centers.set(distinct.subarray(0, d), 5 * d);
    const n = 500;
    const data = gaussians(random, n * d);
    expectStatisticsMatch(data, n, d, centers);
    const assignment = new Int32Array(n);
    wasmNearestCenters(rowsOf(data, n, d), centers, 6, assignment);
    expect(assignment.some((c) => c === 0) && assignment.some((c) => c === 1)).toBe(true);
    expect(assignment.every((c) => c < 4)).toBe(true);
  });

  it('stay exact where the expanded form ‖x‖² − 2x·c + ‖c‖² picks the wrong centre', () => {
    // Far from the origin, with centres 1e-3 apart and points within 1e-9 of their midpoint:
    // the expansion cancels ~1e13 against itself, so its rounding (≈1e-3) dwarfs the gaps.
    const random = new SeededRandom(3);
    const d = 4;
    const base = 1e6;
    const centers = new Float64Array(3 * d).fill(base);
    centers[d] += 1e-3;
    centers[2 * d + 1] += 1e-3;
    const n = 400;
    const data = new Float64Array(n * d).fill(base);
    for (let i = 0; i < n; i++) data[i * d] += 5e-4 + 1e-9 * (random.nextDouble() - 0.5);
    const reference = referenceStatistics(data, n, d, centers);
    let naiveMistakes = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestValue = Infinity;
      for (let c = 0; c < 3; c++) {
        let norm = 0;
        let dot = 0;
        for (let j = 0; j < d; j++) {
          norm += centers[c * d + j] ** 2;
          dot += data[i * d + j] * centers[c * d + j];
        }
        if (norm - 2 * dot < bestValue) {
          bestValue = norm - 2 * dot;
          best = c;
        }
      }
      if (best !== reference.assignment[i]) naiveMistakes++;
    }
    expect(naiveMistakes).toBeGreaterThan(0); // the data really defeats the expansion
    expectStatisticsMatch(data, n, d, centers);
  });

  it('stay exact for points a few ulps off the bisector of two centres, at every scale', () => {
    // Gaps from 0 to ~1e-8 relative, around the expansion's rounding bound, from 1e-3 to 1e8.
    const random = new SeededRandom(13);
    const d = 7;
    const n = 256;
    for (const scale of [1e-3, 1, 1e3, 1e8]) {
      const centers = gaussians(random, 3 * d, scale);
      const data = new Float64Array(n * d);
      for (let i = 0; i < n; i++) {
        const nudge = 10 ** (-16 + 8 * random.nextDouble()) * (random.nextDouble() - 0.5);
        for (let j = 0; j < d; j++) {
          const middle = (centers[j] + centers[d + j]) / 2;
          data[i * d + j] = middle * (1 + nudge * random.nextGaussian());
        }
      }
      expectStatisticsMatch(data, n, d, centers);
    }
  });

  it('with k = 1 give the column sums of the whole batch', () => {
    const data = Float64Array.of(1, 2, 3, 4, 5, 6);
    const stats = wasmClusterStatistics(rowsOf(data, 3, 2), Float64Array.of(100, -100), 1, {
      cost: true,
    });
    expect(Array.from(stats.sums)).toEqual([9, 12]);
    expect(Array.from(stats.counts)).toEqual([3]);
    // (99² + 102²) + (97² + 104²) + (95² + 106²)
    expect(stats.cost).toBe(99 ** 2 + 102 ** 2 + 97 ** 2 + 104 ** 2 + 95 ** 2 + 106 ** 2);
  });

  it('return zeros for an empty batch', () => {
    const stats = wasmClusterStatistics(rowsOf(new Float64Array(0), 0, 3), new Float64Array(6), 2, {
      cost: true,
    });
    expect(Array.from(stats.sums)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(stats.counts)).toEqual([0, 0]);
    expect(stats.cost).toBe(0);
  });

  it('read only the first n·d values of the batch', () => {
    const data = Float64Array.of(1, 1, 9, 9, 1e300, 1e300);
    const stats = wasmClusterStatistics(rowsOf(data, 2, 2), Float64Array.of(0, 0, 10, 10), 2);
    expect(Array.from(stats.sums)).toEqual([1, 1, 9, 9]);
  });

  it('read a batch packed in kernel memory in place, with the same results', () => {
    const random = new SeededRandom(5);
    const n = 300;
    const d = 9;
    const centers = gaussians(random, 4 * d);
    const shared = allocateKernelArray(n * d);
    shared.set(gaussians(random, n * d));
    const inPlace = wasmClusterStatistics(rowsOf(shared, n, d), centers, 4);
    const copied = wasmClusterStatistics(rowsOf(Float64Array.from(shared), n, d), centers, 4);
    expect(inPlace).toEqual(copied);
    releaseKernelArray(shared);
    expect(() => releaseKernelArray(shared)).toThrow(StateError);
    expect(() => releaseKernelArray(new Float64Array(4))).toThrow(/not a live array/);
    // 2^28 values = 2 GiB: more than one allocation may hold, refused before anything happens.
    expect(() => allocateKernelArray(2 ** 28)).toThrow(/more than the kernels can allocate/);
  });

  it('reject inconsistent shapes with a ConfigurationError naming the values', () => {
    const rows = rowsOf(new Float64Array(6), 3, 2);
    expect(() => wasmClusterStatistics(rows, new Float64Array(5), 2)).toThrow(
      /centers has length 5, expected k·d = 2·2 = 4/,
    );
    expect(() => wasmClusterStatistics(rows, new Float64Array(0), 0)).toThrow(ConfigurationError);
    expect(() =>
      wasmClusterStatistics(rowsOf(new Float64Array(5), 3, 2), new Float64Array(4), 2),
    ).toThrow(/rows.data holds 5 values, fewer than n·d = 3·2 = 6/);
    expect(() => wasmNearestCenters(rows, new Float64Array(4), 2, new Int32Array(2))).toThrow(
      /assignment has length 2, needs at least 3/,
    );
  });
});
