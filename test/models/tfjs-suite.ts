/**
 * The TensorFlow.js interop tests, run once per backend: `tfjs-cpu.test.ts` (pure-JavaScript CPU
 * backend) and `tfjs-node.test.ts` (native TensorFlow) call `describeInterop` with their backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  Vectors,
  linearModelToTfjs,
  predictWith,
  type TensorFlowModel,
  type VectorLike,
} from '../../src/index.js';
import { SeededRandom } from '../../src/models/random.js';
import {
  U32,
  counting,
  dot,
  linearTolerance,
  queueStreamFor,
  randomVectors,
  runBatches,
} from './tfjs-helpers.js';

type TensorFlow = typeof tfjs;

/** What differs between backends: the module, its backend name, and how a model is persisted. */
export interface Backend {
  readonly name: 'cpu' | 'tensorflow';
  /** Loads TensorFlow.js and makes this backend the active one. */
  readonly prepare: () => Promise<TensorFlow>;
  /** Saves the model and loads it back through this backend's preferred IO. */
  readonly saveAndLoad: (tf: TensorFlow, model: tfjs.LayersModel) => Promise<tfjs.LayersModel>;
}

export function describeInterop(backend: Backend): void {
  describe(`TensorFlow.js interop on the ${backend.name} backend`, () => {
    let tf: TensorFlow;
    const weights = [0.5, -1.25, 2];
    const intercept = 0.75;

    async function linearModel(): Promise<tfjs.LayersModel> {
      tf ??= await backend.prepare();
      return linearModelToTfjs(Float64Array.from(weights), intercept, 'linear');
    }

    it('scores each batch as one tensor and matches w·x + b within float32 rounding', async () => {
      const model = counting(await linearModel());
      const random = new SeededRandom(7);
      const batches = [randomVectors(random, 5, 3), [], randomVectors(random, 40, 3)];
      const backends: string[] = [];
      const { outputs } = await runBatches<number>(
        batches,
        (stream) => predictWith(stream, model),
        () => backends.push(tf.getBackend()),
      );
      expect(backends).toEqual([backend.name, backend.name, backend.name]);
      // One predict per non-empty batch, with all of its rows: the empty batch never calls it.
      expect(model.calls).toEqual([5, 40]);
      expect(outputs.map((o) => o.length)).toEqual([5, 0, 40]);
      batches.forEach((batch, b) =>
        batch.forEach((x, i) => {
          const exact = dot(weights, x) + intercept;
          expect(Math.abs(outputs[b][i] - exact)).toBeLessThanOrEqual(
            linearTolerance(weights, x, intercept),
          );
        }),
      );
    });

    it('disposes every tensor it creates, including on batches with bad records', async () => {
      const model = await linearModel();
      const before = tf.memory().numTensors;
      const during: number[] = [];
      await runBatches<number>(
        [
          [[1, 2, 3]],
          [],
          [
            [1, 2],
            [Number.NaN, 0, 0],
            [4, 5, 6],
          ],
        ],
        (stream) => predictWith(stream, model),
        () => during.push(tf.memory().numTensors),
      );
      expect(during).toEqual([before, before, before]);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('sends wrong-dimension, NaN and non-vector records to dead letters and drops them', async () => {
      const model = await linearModel();
      const records = [
        [1, 0, 0],
        [1, 2],
        [0, Number.NaN, 1],
        [Number.POSITIVE_INFINITY, 0, 0],
        'not a vector',
        [0, 0, 1],
      ] as VectorLike[];
      const { outputs, letters } = await runBatches<number>([records], async (stream) =>
        (await predictWith(stream, model)).name('fraud-score'),
      );
      const kept = [records[0], records[5]] as number[][];
      expect(outputs[0]).toHaveLength(2);
      kept.forEach((x, i) =>
        expect(Math.abs(outputs[0][i] - (dot(weights, x) + intercept))).toBeLessThanOrEqual(
          linearTolerance(weights, x, intercept),
        ),
      );
      expect(letters.map((l) => [l.stage, l.record])).toEqual(
        [1, 2, 3, 4].map((i) => ['fraud-score', records[i]]),
      );
      expect(letters[0].reason).toContain('dimension 3, got dimension 2');
      expect(letters[1].reason).toContain('NaN');
      expect(letters[2].reason).toContain('Infinity');
      expect(letters[3].reason).toContain('expected a vector');
      expect(letters.every((l) => l.batchTime === letters[0].batchTime)).toBe(true);
    });

    it('scores sparse vectors exactly as their dense equivalents', async () => {
      const model = await linearModel();
      const sparse = [Vectors.sparse(3, [2], [4]), Vectors.sparse(3, [0], [-2])];
      const dense = [Vectors.dense([0, 0, 4]), Vectors.dense([-2, 0, 0])];
      const fromSparse = await runBatches<number>([sparse], (s) => predictWith(s, model));
      const fromDense = await runBatches<number>([dense], (s) => predictWith(s, model));
      expect(fromSparse.outputs).toEqual(fromDense.outputs);
    });

    it("returns each record's outputs as a row with { output: 'row' } (softmax)", async () => {
      tf ??= await backend.prepare();
      const W = [
        [1, -1, 0.5],
        [0, 2, -0.5],
      ];
      const b = [0.1, -0.2, 0];
      const model = tf.sequential({
        layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })],
      });
      tf.tidy(() => model.setWeights([tf.tensor2d(W), tf.tensor1d(b)]));
      await expect(predictWith(queueStreamFor(), model)).rejects.toThrow(/output: 'row'/);
      const xs = randomVectors(new SeededRandom(3), 6, 2);
      const { outputs } = await runBatches<Float32Array>([xs], (stream) =>
        predictWith(stream, model, { output: 'row' }),
      );
      xs.forEach((x, i) => {
        const logits = [0, 1, 2].map((j) => x[0] * W[0][j] + x[1] * W[1][j] + b[j]);
        const exps = logits.map((z) => Math.exp(z));
        const total = exps.reduce((s, e) => s + e, 0);
        // softmax's Jacobian has ∞-norm ≤ 1/2, so a logit error δ moves a probability by ≤ δ/2;
        // exp, the sum and the division add a few float32 roundings on top.
        const logitError = Math.max(
          ...[0, 1, 2].map((j) => linearTolerance([W[0][j], W[1][j]], x, b[j])),
        );
        const row = outputs[0][i];
        expect(row).toBeInstanceOf(Float32Array);
        expect(row).toHaveLength(3);
        row.forEach((p, j) =>
          expect(Math.abs(p - exps[j] / total)).toBeLessThanOrEqual(logitError / 2 + 8 * U32),
        );
      });
    });

    it('linearModelToTfjs predicts w·x + b, and sigmoid(w·x + b) for logistic models', async () => {
      tf ??= await backend.prepare();
      const d = 20;
      const random = new SeededRandom(11);
      const w = Array.from({ length: d }, () => random.nextGaussian());
      const b = random.nextGaussian();
      const xs = randomVectors(random, 50, d);
      const linear = await linearModelToTfjs(Float64Array.from(w), b, 'linear');
      const logistic = await linearModelToTfjs(Float64Array.from(w), b, 'sigmoid');
      const predict = (model: tfjs.LayersModel): Float32Array =>
        tf.tidy(() => (model.predict(tf.tensor2d(xs)) as tfjs.Tensor).dataSync() as Float32Array);
      const linearOut = predict(linear);
      const logisticOut = predict(logistic);
      xs.forEach((x, i) => {
        const z = dot(w, x) + b;
        const zError = linearTolerance(w, x, b);
        expect(Math.abs(linearOut[i] - z)).toBeLessThanOrEqual(zError);
        // sigmoid' ≤ 1/4; exp, 1 + e and the division add a few float32 roundings.
        const p = 1 / (1 + Math.exp(-z));
        expect(Math.abs(logisticOut[i] - p)).toBeLessThanOrEqual(zError / 4 + 8 * U32);
      });
      linear.dispose();
      logistic.dispose();
    });

    it('linearModelToTfjs rejects what it cannot export, naming the value', async () => {
      await expect(linearModelToTfjs(new Float64Array(0), 0, 'linear')).rejects.toThrow(
        ConfigurationError,
      );
      await expect(
        linearModelToTfjs(Float64Array.from([1, Number.NaN]), 0, 'linear'),
      ).rejects.toThrow(/weight 1 is NaN/);
      await expect(linearModelToTfjs(Float64Array.from([1]), Infinity, 'linear')).rejects.toThrow(
        /intercept .* Infinity/,
      );
      await expect(
        linearModelToTfjs(Float64Array.from([1]), 0, 'relu' as 'linear'),
      ).rejects.toThrow(/'linear' or 'sigmoid', got relu/);
    });

    it('a saved and reloaded model scores a stream exactly as the original', async () => {
      const original = await linearModel();
      const reloaded = await backend.saveAndLoad(tf, original);
      const xs = randomVectors(new SeededRandom(5), 8, 3);
      const fromOriginal = await runBatches<number>([xs], (s) => predictWith(s, original));
      const fromReloaded = await runBatches<number>([xs], (s) => predictWith(s, reloaded));
      // Same float32 weights, same backend, same kernels: identical, not merely close.
      expect(fromReloaded.outputs).toEqual(fromOriginal.outputs);
      expect(fromReloaded.outputs[0]).toHaveLength(8);
    });

    it('fails the batch, leaking no tensor, when the model misbehaves at run time', async () => {
      tf ??= await backend.prepare();
      const before = tf.memory().numTensors;
      // Declares no shapes, so only the batch can find out it gives 2 values per row.
      const twoColumns: TensorFlowModel = { predict: (input) => tf.ones([input.shape[0], 2]) };
      const throwing: TensorFlowModel = {
        predict: (input) => {
          tf.square(input); // an intermediate tensor, left for tidy to dispose
          throw new Error('model blew up');
        },
      };
      for (const [model, message] of [
        [twoColumns, /2 values per row; use predictWith\(…, \{ output: 'row' \}\)/],
        [throwing, /model blew up/],
      ] as const) {
        await expect(
          runBatches<number>([[[1, 2]]], (s) => predictWith(s, model, { numFeatures: 2 })),
        ).rejects.toThrow(message);
        expect(tf.memory().numTensors).toBe(before);
      }
    });

    it('rejects a model whose features it cannot tell, or that disagree, at configuration', async () => {
      const model = await linearModel();
      const bare: TensorFlowModel = { predict: (input) => model.predict(input) };
      await expect(predictWith(queueStreamFor(), bare)).rejects.toThrow(/numFeatures/);
      await expect(predictWith(queueStreamFor(), model, { numFeatures: 4 })).rejects.toThrow(
        /numFeatures is 4 but the model's input has 3/,
      );
      const { outputs } = await runBatches<number>([[[1, 1, 1]]], (s) =>
        predictWith(s, bare, { numFeatures: 3 }),
      );
      expect(Math.abs(outputs[0][0] - (dot(weights, [1, 1, 1]) + intercept))).toBeLessThanOrEqual(
        linearTolerance(weights, [1, 1, 1], intercept),
      );
    });
  });
}
