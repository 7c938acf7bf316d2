import type { LayersModel, NamedTensorMap, Tensor } from '@tensorflow/tfjs';
import { flattenBatch } from '../streaming/batch.js';
import { DStream } from '../streaming/dstream.js';
import { ConfigurationError } from '../streaming/errors.js';
import { TransformedNode } from '../streaming/operators/transformed.js';
import { packVectors, type PackedRows } from './kernels/pack.js';
import { loadTensorFlow, type TensorFlow } from './tfjs-loader.js';
import type { VectorLike } from './vectors.js';

/**
 * Anything that scores a 2-D tensor with `predict`: a trained `tf.LayersModel`, a `tf.GraphModel`,
 * or your own object. `inputs`/`outputs` shapes, when present, tell {@link predictWith} the
 * number of features and outputs per row.
 */
export interface TensorFlowModel {
  /** `batchSize` is how many rows a LayersModel runs at once (tfjs's default is 32). */
  predict(input: Tensor, config?: { batchSize?: number }): Tensor | Tensor[] | NamedTensorMap;
  readonly inputs?: readonly { readonly shape?: readonly (number | null)[] }[];
  readonly outputs?: readonly { readonly shape?: readonly (number | null)[] }[];
}

/** Options of {@link predictWith}. */
export interface PredictWithOptions {
  /**
   * Features per record. Default: the model's input shape `[batch, features]`; required when the
   * model doesn't declare one.
   */
  numFeatures?: number;
  /**
   * `'value'` (default): one number per record; the model must output one value per row.
   * `'row'`: one `Float32Array` per record with all of the row's outputs (class probabilities…).
   */
  output?: 'value' | 'row';
}

/**
 * Learn offline, apply online: scores each batch of feature vectors with a trained TensorFlow.js
 * model, as one `[records, features]` float32 tensor per batch (one `predict` call per batch, not
 * per record). Vectors are packed into a row-major Float64Array and converted to float32, the
 * precision TensorFlow.js computes in, so scores agree with a float64 computation to about 1e-7
 * relative, not bit for bit. Records of the wrong dimension or with NaN/infinite values go to
 * `ssc.deadLetters()` with the reason and are left out of the output; an empty batch never calls
 * the model; every tensor is disposed before the batch's jobs go on.
 *
 * TensorFlow.js is imported on the first call: `@tensorflow/tfjs-node` (native) when installed,
 * else `@tensorflow/tfjs`. Batches run on whatever backend is active when they run
 * (`tf.getBackend()`), so `tf.setBackend('wasm')` after this call is respected.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { StreamingContext, ManualClock, queueStream, predictWith } from 'millrace';
 * const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
 * model.setWeights([tf.tensor2d([[2], [3]]), tf.tensor1d([1])]); // y = 2a + 3b + 1
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * const scores = await predictWith(queueStream(ssc, [[[1, 1], [0, 2]]]), model);
 * scores.foreachBatch((values) => console.log(values)); // [6, 7]
 * ssc.start();
 * await ssc.advance(1);
 * await ssc.stop();
 */
export async function predictWith(
  stream: DStream<VectorLike>,
  model: TensorFlowModel,
  options?: PredictWithOptions & { output?: 'value' },
): Promise<DStream<number>>;
export async function predictWith(
  stream: DStream<VectorLike>,
  model: TensorFlowModel,
  options: PredictWithOptions & { output: 'row' },
): Promise<DStream<Float32Array>>;
export async function predictWith(
  stream: DStream<VectorLike>,
  model: TensorFlowModel,
  options: PredictWithOptions = {},
): Promise<DStream<number> | DStream<Float32Array>> {
  const output = options.output ?? 'value';
  if (output !== 'value' && output !== 'row') {
    throw new ConfigurationError(
      `predictWith output must be 'value' or 'row', got ${String(output)}`,
    );
  }
  if (typeof model?.predict !== 'function') {
    throw new ConfigurationError(
      'predictWith needs a TensorFlow.js model (an object with predict)',
    );
  }
  const numFeatures = resolveNumFeatures(model, options.numFeatures);
  const declaredWidth = declaredOutputWidth(model);
  if (output === 'value' && declaredWidth !== undefined && declaredWidth !== 1) {
    throw new ConfigurationError(
      `the model outputs ${declaredWidth} values per row; pass { output: 'row' } to get them all`,
    );
  }
  const tf = await loadTensorFlow();
  const context = stream.context;
  const node = new TransformedNode<VectorLike, number | Float32Array>(
    stream.node,
    'predictWith',
    (batch, time) => {
      const { rows } = packVectors(flattenBatch(batch), numFeatures, (record, reason) =>
        context.reportDeadLetter({ stage: node.name, reason, record, batchTime: time }),
      );
      if (rows.n === 0) return [];
      const scores = scoreRows(tf, model, rows);
      if (output === 'row') return splitRows(scores, rows.n);
      if (scores.length !== rows.n) {
        throw new ConfigurationError(
          `the model gave ${scores.length / rows.n} values per row; use predictWith(…, { output: 'row' })`,
        );
      }
      return Array.from(scores);
    },
  );
  return new DStream(context, node) as DStream<number> | DStream<Float32Array>;
}

function resolveNumFeatures(model: TensorFlowModel, given: number | undefined): number {
  const inputs = model.inputs ?? [];
  if (inputs.length > 1) {
    throw new ConfigurationError(
      `predictWith feeds one tensor per batch; the model has ${inputs.length} inputs`,
    );
  }
  const shape = inputs[0]?.shape;
  if (shape !== undefined && shape.length !== 2) {
    throw new ConfigurationError(
      `predictWith feeds a 2-D tensor [records, features]; the model's input shape is [${shape.join(', ')}]`,
    );
  }
  const declared = shape !== undefined && isPositiveInteger(shape[1]) ? shape[1] : undefined;
  if (given !== undefined) {
    if (!isPositiveInteger(given)) {
      throw new ConfigurationError(`numFeatures must be a positive integer, got ${String(given)}`);
    }
    if (declared !== undefined && declared !== given) {
      throw new ConfigurationError(
        `numFeatures is ${given} but the model's input has ${declared} features; drop numFeatures or fix it`,
      );
    }
    return given;
  }
  if (declared === undefined) {
    throw new ConfigurationError(
      "the model doesn't declare its number of features; pass predictWith(…, { numFeatures })",
    );
  }
  return declared;
}

/** Values per row of the model's (first) output, when its shape says so. */
function declaredOutputWidth(model: TensorFlowModel): number | undefined {
  const shape = model.outputs?.[0]?.shape;
  if (shape === undefined || shape.length < 1) return undefined;
  const perRow = shape.slice(1);
  return perRow.every(isPositiveInteger) ? perRow.reduce((a, b) => a * b, 1) : undefined;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/**
 * Runs the model on the packed rows as one float32 tensor and returns its output, row-major
 * (a copy: backends may hand out their own buffer). `tidy` disposes the input, the output and
 * every intermediate tensor, also when `predict` throws.
 */
function scoreRows(tf: TensorFlow, model: TensorFlowModel, rows: PackedRows): Float32Array {
  return tf.tidy(() => {
    const input = tf.tensor2d(toFloat32(rows), [rows.n, rows.d], 'float32');
    // The whole batch in one pass: tfjs's default of 32 rows per pass made predict ~100x slower
    // than the matMul it runs (10,000 × 10 rows: ~150 ms instead of ~1 ms on tfjs-node).
    const result = model.predict(input, { batchSize: rows.n });
    if (Array.isArray(result) || typeof (result as Tensor).dataSync !== 'function') {
      throw new ConfigurationError(
        'predictWith needs a model with a single output tensor; this one returned several',
      );
    }
    const output = result as Tensor;
    if (output.shape[0] !== rows.n) {
      throw new ConfigurationError(
        `the model returned shape [${output.shape.join(', ')}] for ${rows.n} rows; its first dimension must be the rows`,
      );
    }
    return new Float32Array(output.dataSync());
  });
}

/** The packed rows as a dense row-major float32 array (sparse rows are scattered into zeros). */
function toFloat32(rows: PackedRows): Float32Array {
  if (rows.kind === 'dense') return new Float32Array(rows.data);
  const dense = new Float32Array(rows.n * rows.d);
  for (let row = 0; row < rows.n; row++) {
    const base = row * rows.d;
    for (let k = rows.indptr[row]; k < rows.indptr[row + 1]; k++) {
      dense[base + rows.indices[k]] = rows.values[k];
    }
  }
  return dense;
}

/** One view per row into the batch's output (no per-row copy). */
function splitRows(scores: Float32Array, n: number): Float32Array[] {
  const width = scores.length / n;
  const rows = new Array<Float32Array>(n);
  for (let i = 0; i < n; i++) rows[i] = scores.subarray(i * width, (i + 1) * width);
  return rows;
}

/**
 * A TensorFlow.js model computing `activation(w·x + b)`: one Dense layer with one unit, these
 * weights (stored as float32, TensorFlow.js's precision) and this intercept. The linear models'
 * `toTfjs()` use it; 'sigmoid' gives logistic regression's probability.
 *
 * @example
 * import { linearModelToTfjs } from 'millrace';
 * const model = await linearModelToTfjs(Float64Array.from([2, 3]), 1, 'linear');
 * await model.save('file:///tmp/linear-model'); // with tfjs-node; or tf.io.withSaveHandler(...)
 */
export async function linearModelToTfjs(
  weights: Float64Array,
  intercept: number,
  activation: 'linear' | 'sigmoid',
): Promise<LayersModel> {
  if (!(weights instanceof Float64Array) || weights.length === 0) {
    throw new ConfigurationError(
      `linearModelToTfjs needs a non-empty Float64Array of weights, got ${describeWeights(weights)}`,
    );
  }
  const bad = weights.findIndex((w) => !Number.isFinite(w));
  if (bad >= 0) {
    throw new ConfigurationError(
      `weight ${bad} is ${weights[bad]}; a model with non-finite weights can't be exported`,
    );
  }
  if (!Number.isFinite(intercept)) {
    throw new ConfigurationError(`intercept must be a finite number, got ${String(intercept)}`);
  }
  if (activation !== 'linear' && activation !== 'sigmoid') {
    throw new ConfigurationError(
      `activation must be 'linear' or 'sigmoid', got ${String(activation)}`,
    );
  }
  const tf = await loadTensorFlow();
  const d = weights.length;
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, inputShape: [d], activation, useBias: true })],
  });
  tf.tidy(() =>
    model.setWeights([tf.tensor2d(new Float32Array(weights), [d, 1]), tf.tensor1d([intercept])]),
  );
  return model;
}

function describeWeights(weights: unknown): string {
  if (weights instanceof Float64Array) return 'an empty Float64Array';
  if (Array.isArray(weights)) return 'a number[] (use Float64Array.from(weights))';
  return weights === null ? 'null' : typeof weights;
}
