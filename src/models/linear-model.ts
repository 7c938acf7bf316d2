import type { LayersModel } from '@tensorflow/tfjs';
import { ConfigurationError, DataError, ModelFormatError } from '../streaming/errors.js';
import {
  nonFiniteAt,
  predictBlockRows,
  type BadRowHandler,
  type BlockScorer,
} from './block-prediction.js';
import type { PackedRows } from './kernels/pack.js';
import { vectorProblem } from './kernels/vector-problems.js';
import { sigmoid } from './optim/gradient.js';
import { computeMargins } from './optim/rows.js';
import {
  envelope,
  openEnvelope,
  readModelFile,
  readNumbers,
  restoreSaved,
  writeModelFile,
} from './persistence.js';
import { linearModelToTfjs } from './tfjs.js';
import type { VectorBlock } from './vector-block.js';
import { toDense, toVector, type VectorLike } from './vectors.js';

/** Layout version of saved linear models; `fromJSON` refuses any other. */
const FORMAT_VERSION = 1;

/**
 * What the linear models share (Spark's `GeneralizedLinearModel`): weights, an intercept, and a
 * prediction that is a function of the margin `w · x + intercept`.
 *
 * @example
 * import { GeneralizedLinearModel, LinearRegressionModel } from 'millrace';
 * const model: GeneralizedLinearModel = new LinearRegressionModel([1, 2]);
 * model.numFeatures; // 2
 * await model.save('/tmp/millrace-linear-model.json');
 */
export abstract class GeneralizedLinearModel {
  readonly weights: Float64Array;
  readonly intercept: number;

  constructor(weights: VectorLike, intercept = 0) {
    const dense = toDense(weights);
    const bad = dense.findIndex((w) => !Number.isFinite(w));
    if (dense.length === 0 || bad >= 0) {
      throw new ConfigurationError(
        dense.length === 0
          ? 'a linear model needs at least one weight'
          : `weight ${bad} is ${dense[bad]}; weights must be finite numbers`,
      );
    }
    if (typeof intercept !== 'number' || !Number.isFinite(intercept)) {
      throw new ConfigurationError(`intercept must be a finite number, got ${String(intercept)}`);
    }
    this.weights = dense;
    this.intercept = intercept;
  }

  /** Number of features the model expects (the length of `weights`). */
  get numFeatures(): number {
    return this.weights.length;
  }

  /**
   * The prediction for one feature vector; throws a `DataError` naming the problem when the vector
   * has the wrong dimension or a NaN / infinite value (streams send such records to dead letters).
   */
  predict(features: VectorLike): number {
    const problem = vectorProblem(features, this.numFeatures);
    if (problem !== undefined) throw new DataError(`cannot predict: ${problem}`);
    const vector = toVector(features);
    const rows =
      vector instanceof Float64Array
        ? { kind: 'dense' as const, n: 1, d: this.numFeatures, data: vector }
        : {
            kind: 'sparse' as const,
            n: 1,
            d: this.numFeatures,
            indptr: Int32Array.of(0, vector.indices.length),
            indices: vector.indices,
            values: vector.values,
          };
    return this.predictRows(rows)[0];
  }

  /**
   * The prediction for every row of a `VectorBlock`, in one pass over the block. A row with NaN
   * or an infinity throws a `DataError` naming it; with `onBadRow`, such rows predict NaN and are
   * passed to it instead. A block of another dimension throws a `DataError`.
   *
   * @example
   * import { LinearRegressionModel, VectorBlock } from 'millrace';
   * const model = new LinearRegressionModel([1, 2], 0.5);
   * model.predictBlock(new VectorBlock(Float64Array.of(1, 1, 0, 1), 2)); // Float64Array [3.5, 2.5]
   * const bad: number[] = [];
   * model.predictBlock(new VectorBlock(Float64Array.of(1, NaN), 2), (_row, index) => bad.push(index));
   * // Float64Array [NaN]; bad: [0]
   */
  predictBlock(block: VectorBlock, onBadRow?: BadRowHandler): Float64Array {
    const scorer: BlockScorer<Float64Array> = {
      score: (rows) => {
        const margins = new Float64Array(rows.n);
        computeMargins(rows, this.weights, this.intercept, margins);
        return margins;
      },
      unusable: Number.NaN,
      // A NaN or an infinity in a row makes its margin NaN or infinite (0 · ∞ is NaN).
      suspects: nonFiniteAt,
      finish: (margins) => this.predictFromMargins(margins),
    };
    return predictBlockRows(block, this.numFeatures, scorer, onBadRow);
  }

  /**
   * The predictions for packed rows of this model's dimension, whose values are all finite (the
   * form batch operators hand over; `predict` and `predictBlock` check their input first),
   * written to `predictions` (length >= rows.n; a new array by default) and returned.
   */
  predictRows(
    rows: PackedRows,
    predictions: Float64Array = new Float64Array(rows.n),
  ): Float64Array {
    computeMargins(rows, this.weights, this.intercept, predictions);
    this.predictFromMargins(predictions);
    return predictions;
  }

  /**
   * What `predict` returns for a vector whose margin `w · x + intercept` is `margin` (the batch
   * paths compute margins for a whole batch at once, then call this per record).
   */
  abstract predictFromMargin(margin: number): number;

  /**
   * `predictFromMargin` of every value of `margins`, in place: the batch paths' form, which a
   * model may compute faster, with the same results.
   *
   * @example
   * const margins = Float64Array.of(-2, 3);
   * new LogisticRegressionModel([1]).predictFromMargins(margins); // margins: [0, 1]
   */
  predictFromMargins(margins: Float64Array): void {
    for (let i = 0; i < margins.length; i++) margins[i] = this.predictFromMargin(margins[i]);
  }

  /** The model as a TensorFlow.js model (one Dense unit), for serving or TensorFlow tooling. */
  abstract toTfjs(): Promise<LayersModel>;

  /** A plain, versioned, JSON-able object; the class's `fromJSON` restores it exactly. */
  abstract toJSON(): object;

  /** Writes `toJSON()` to `path` atomically (temporary file, then rename). */
  save(path: string): Promise<void> {
    return writeModelFile(path, this.toJSON());
  }
}

/** Reads the weights and intercept of a saved linear model of `kind`. */
function openLinearModel(
  json: unknown,
  kind: string,
): { record: Record<string, unknown>; weights: Float64Array; intercept: number } {
  const record = openEnvelope(json, kind, [FORMAT_VERSION]);
  const intercept = record.intercept;
  if (typeof intercept !== 'number') {
    throw new ModelFormatError(`saved ${kind} has no numeric "intercept"`);
  }
  return { record, weights: readNumbers(record, 'weights', kind), intercept };
}

/**
 * A linear regression model: `predict(x) = w · x + intercept` (Spark's `LinearRegressionModel`).
 *
 * @example
 * import { LinearRegressionModel } from 'millrace';
 * const model = new LinearRegressionModel([2, 3], 1);
 * model.predict([1, 1]); // 6
 * LinearRegressionModel.fromJSON(JSON.parse(JSON.stringify(model))).predict([1, 1]); // 6
 */
export class LinearRegressionModel extends GeneralizedLinearModel {
  predictFromMargin(margin: number): number {
    return margin;
  }

  /** The margins are the predictions: nothing to do. */
  override predictFromMargins(): void {}

  toTfjs(): Promise<LayersModel> {
    return linearModelToTfjs(this.weights, this.intercept, 'linear');
  }

  toJSON(): object {
    return envelope('LinearRegressionModel', FORMAT_VERSION, {
      weights: Array.from(this.weights),
      intercept: this.intercept,
    });
  }

  /** Restores a model from `toJSON()`'s object; a ModelFormatError names what is wrong. */
  static fromJSON(json: unknown): LinearRegressionModel {
    const { weights, intercept } = openLinearModel(json, 'LinearRegressionModel');
    return restoreSaved('saved LinearRegressionModel is malformed', () => {
      return new LinearRegressionModel(weights, intercept);
    });
  }

  /** Reads a model written by `save`. */
  static async load(path: string): Promise<LinearRegressionModel> {
    return LinearRegressionModel.fromJSON(await readModelFile(path));
  }
}

/**
 * A binary logistic regression model (Spark's `LogisticRegressionModel`): the probability of
 * label 1 is `1 / (1 + e^-(w · x + intercept))`; `predict` gives 1 when it exceeds `threshold`
 * (default 0.5), else 0, or the probability itself once the threshold is cleared.
 *
 * @example
 * import { LogisticRegressionModel } from 'millrace';
 * const model = new LogisticRegressionModel([2]);
 * model.predict([1]); // 1
 * model.clearThreshold().predict([0]); // 0.5
 */
export class LogisticRegressionModel extends GeneralizedLinearModel {
  private currentThreshold: number | undefined = 0.5;

  /** The decision threshold, or undefined when cleared (`predict` then gives probabilities). */
  get threshold(): number | undefined {
    return this.currentThreshold;
  }

  /** Sets the probability above which `predict` says 1 (in [0, 1]). */
  setThreshold(threshold: number): this {
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
      throw new ConfigurationError(
        `threshold must be a probability in [0, 1], got ${String(threshold)}`,
      );
    }
    this.currentThreshold = threshold;
    return this;
  }

  /** Makes `predict` return the probability of label 1 instead of a 0/1 label. */
  clearThreshold(): this {
    this.currentThreshold = undefined;
    return this;
  }

  predictFromMargin(margin: number): number {
    const probability = sigmoid(margin);
    if (this.currentThreshold === undefined) return probability;
    return probability > this.currentThreshold ? 1 : 0;
  }

  /**
   * With a threshold t in (0, 1), margins clearly on one side of the boundary b = log(t/(1−t))
   * are labelled without an exponential: the sigmoid's computed value is within a few ulps of
   * the true one, and its slope near b is t(1−t), so beyond b ± δ with
   * δ = 1e-12/(t(1−t)) + 1e-9(1 + |b|) (orders of magnitude above both errors) `sigmoid(m) > t`
   * can't come out otherwise. Margins within δ take `predictFromMargin`'s exact path, so the
   * labels are always the same as record by record.
   */
  override predictFromMargins(margins: Float64Array): void {
    const t = this.currentThreshold;
    if (t === undefined || !(t > 0 && t < 1)) {
      super.predictFromMargins(margins);
      return;
    }
    const boundary = Math.log(t / (1 - t));
    const band = 1e-12 / (t * (1 - t)) + 1e-9 * (1 + Math.abs(boundary));
    const above = boundary + band;
    const below = boundary - band;
    for (let i = 0; i < margins.length; i++) {
      const margin = margins[i];
      margins[i] = margin > above ? 1 : margin < below ? 0 : sigmoid(margin) > t ? 1 : 0;
    }
  }

  toTfjs(): Promise<LayersModel> {
    return linearModelToTfjs(this.weights, this.intercept, 'sigmoid');
  }

  toJSON(): object {
    return envelope('LogisticRegressionModel', FORMAT_VERSION, {
      weights: Array.from(this.weights),
      intercept: this.intercept,
      threshold: this.currentThreshold ?? null,
    });
  }

  /** Restores a model from `toJSON()`'s object (threshold included). */
  static fromJSON(json: unknown): LogisticRegressionModel {
    const { record, weights, intercept } = openLinearModel(json, 'LogisticRegressionModel');
    const { threshold } = record;
    if (threshold !== null && typeof threshold !== 'number') {
      throw new ModelFormatError(
        'saved LogisticRegressionModel has no numeric or null "threshold"',
      );
    }
    return restoreSaved('saved LogisticRegressionModel is malformed', () => {
      const model = new LogisticRegressionModel(weights, intercept);
      return threshold === null ? model.clearThreshold() : model.setThreshold(threshold);
    });
  }

  /** Reads a model written by `save`. */
  static async load(path: string): Promise<LogisticRegressionModel> {
    return LogisticRegressionModel.fromJSON(await readModelFile(path));
  }
}
