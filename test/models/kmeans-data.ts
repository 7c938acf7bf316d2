import { SeededRandom } from '../../src/models/random.js';

/**
 * Seeded synthetic data for the k-means tests: `batches` batches of `batchSize` points, each
 * drawn from a randomly chosen one of `centers` plus independent N(0, sigma²) noise per
 * coordinate.
 */
export function gaussianBatches(options: {
  centers: readonly (readonly number[])[];
  sigma: number;
  batches: number;
  batchSize: number;
  seed: number;
}): number[][][] {
  const { centers, sigma, batches, batchSize, seed } = options;
  const random = new SeededRandom(seed);
  return Array.from({ length: batches }, () =>
    Array.from({ length: batchSize }, () => {
      const center = centers[Math.floor(random.nextDouble() * centers.length)];
      return center.map((x) => x + sigma * random.nextGaussian());
    }),
  );
}

/** The mean of every point of every batch, coordinate by coordinate (the k = 1 answer). */
export function grandMean(batches: readonly (readonly (readonly number[])[])[]): number[] {
  const points = batches.flat();
  const mean = new Array<number>(points[0].length).fill(0);
  for (const point of points) point.forEach((x, j) => (mean[j] += x));
  return mean.map((sum) => sum / points.length);
}

/** Largest absolute coordinate difference between two lists of vectors. */
export function maxDifference(
  a: readonly ArrayLike<number>[],
  b: readonly ArrayLike<number>[],
): number {
  let largest = 0;
  a.forEach((vector, i) => {
    for (let j = 0; j < vector.length; j++) {
      largest = Math.max(largest, Math.abs(vector[j] - b[i][j]));
    }
  });
  return largest;
}
