/** Helpers of the TensorFlow.js interop suite: float32 error bounds, data, a pipeline runner. */
import type * as tfjs from '@tensorflow/tfjs';
import { expect } from 'vitest';
import {
  ManualClock,
  StreamingContext,
  queueStream,
  type DStream,
  type DeadLetter,
  type TensorFlowModel,
  type VectorLike,
} from '../../src/index.js';
import type { SeededRandom } from '../../src/models/random.js';

/** Unit roundoff of float32: inputs and weights are rounded to float32 on their way in. */
export const U32 = 2 ** -24;

/**
 * Worst-case error of w·x + b computed in float32 against the exact float64 value, whatever the
 * summation order: x and w each rounded once (2u), the product once (u), and d additions (d·u),
 * all relative to Σ|w_i x_i| + |b| (Higham's bound, first order); one extra u for the output.
 */
export function linearTolerance(
  weights: readonly number[],
  x: readonly number[],
  b: number,
): number {
  let magnitude = Math.abs(b);
  for (let i = 0; i < weights.length; i++) magnitude += Math.abs(weights[i] * x[i]);
  return (weights.length + 4) * U32 * magnitude;
}

export function dot(weights: readonly number[], x: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += weights[i] * x[i];
  return sum;
}

export function randomVectors(random: SeededRandom, n: number, d: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => random.nextGaussian()));
}

/** A model whose predict calls are counted (it is the real model, observed). */
export function counting(model: tfjs.LayersModel): TensorFlowModel & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    inputs: model.inputs,
    outputs: model.outputs,
    predict: (input, config) => {
      calls.push(input.shape[0]);
      // The whole batch must run as one pass, not tfjs's default of 32 rows at a time.
      expect(config?.batchSize).toBe(input.shape[0]);
      return model.predict(input, config);
    },
  };
}

/** Runs `batches` through `build`'s pipeline with a ManualClock; collects outputs and letters. */
export async function runBatches<T>(
  batches: VectorLike[][],
  build: (stream: DStream<VectorLike>) => Promise<DStream<T>>,
  onBatch?: () => void,
): Promise<{ outputs: T[][]; letters: DeadLetter[] }> {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const outputs: T[][] = [];
  const letters: DeadLetter[] = [];
  const scored = await build(queueStream(ssc, batches));
  scored.foreachBatch((items) => {
    onBatch?.();
    outputs.push([...items]);
  });
  ssc.deadLetters().foreachBatch((items) => void letters.push(...items));
  ssc.start();
  await ssc.advance(batches.length);
  await ssc.stop();
  return { outputs, letters };
}

/** A stream for configuration-time checks (its context is never started). */
export function queueStreamFor(): DStream<VectorLike> {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  return queueStream<VectorLike>(ssc, []);
}
