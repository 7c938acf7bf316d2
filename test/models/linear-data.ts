import { SeededRandom } from '../../src/models/random.js';
import { StreamingContext, ManualClock, type DStream } from '../../src/index.js';

/** A labelled point as the tests build them: dense features as a plain array. */
export interface Point {
  label: number;
  features: number[];
}

/**
 * Spark's LinearDataGenerator, in our words: each feature uniform in [-1, 1], label
 * `w · x + intercept + noise · N(0, 1)`.
 */
export function linearData(
  weights: readonly number[],
  n: number,
  seed: number,
  noise = 0.1,
  intercept = 0,
): Point[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const features = weights.map(() => 2 * random.nextDouble() - 1);
    const dot = features.reduce((sum, x, j) => sum + x * weights[j], intercept);
    return { label: dot + noise * random.nextGaussian(), features };
  });
}

/**
 * Spark's logistic test data: x ~ N(0, 1) per feature, label 1 with probability
 * `1 / (1 + e^-(offset + w · x))`.
 */
export function logisticData(
  weights: readonly number[],
  n: number,
  seed: number,
  offset = 0,
): Point[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const features = weights.map(() => random.nextGaussian());
    const margin = features.reduce((sum, x, j) => sum + x * weights[j], offset);
    const label = random.nextDouble() < 1 / (1 + Math.exp(-margin)) ? 1 : 0;
    return { label, features };
  });
}

/** A ManualClock context (1 s batches) for tests that step batches by hand. */
export function manualContext(): StreamingContext {
  return new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
}

/** Collects every batch of `stream` (in order) into the returned array. */
export function collect<T>(stream: DStream<T>): T[][] {
  const batches: T[][] = [];
  stream.foreachBatch((items) => {
    batches.push([...items]);
  });
  return batches;
}
