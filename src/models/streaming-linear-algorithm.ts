import type { Batch } from '../streaming/batch.js';
import { DStream } from '../streaming/dstream.js';
import { ConfigurationError, StateError } from '../streaming/errors.js';
import { EvaluationNode, type BatchEvaluator } from './evaluation.js';
import { packVectors, type RejectRecord } from './kernels/pack.js';
import type { LabeledPointLike } from './labeled-point.js';
import { packLabeledPartition, type LabelCheck } from './linear-input.js';
import type { GeneralizedLinearModel } from './linear-model.js';
import type { Gradient } from './optim/gradient.js';
import { runMiniBatchSGD } from './optim/gradient-descent.js';
import type { LabeledRows } from './optim/gradient-sum.js';
import { computeMargins } from './optim/rows.js';
import { updaterNamed, type UpdaterName } from './optim/updater.js';
import { writeModelFile } from './persistence.js';
import {
  checkLinearSettings,
  decayForHalfLife,
  defaultLinearSettings,
  mergeLinearOptions,
  type StreamingLinearOptions,
  type StreamingLinearSettings,
} from './streaming-linear-options.js';
import { savedAlgorithm, type StreamingLinearJSON } from './streaming-linear-saved.js';
import { StreamingModel, type PartitionResults } from './streaming-model.js';
import { toDense, type VectorLike } from './vectors.js';

/** What distinguishes regression from logistic regression; everything else is shared. */
export interface LinearModelFamily<M extends GeneralizedLinearModel, E> {
  /** Class name, used in messages and as the saved kind. */
  readonly className: string;
  /** Prefix of default model names (`streamingLinearRegression`). */
  readonly kind: string;
  readonly gradient: Gradient;
  readonly defaultUpdater: UpdaterName;
  readonly checkLabel: LabelCheck;
  /** The model after a batch; `replaced` is the one it replaces (its threshold carries over). */
  createModel(weights: Float64Array, replaced: M | undefined): M;
  modelFromJSON(json: unknown): M;
  createEvaluator(): BatchEvaluator<M, E>;
}

function checkedName(options: StreamingLinearOptions): string | undefined {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('the options of a streaming linear model must be an object');
  }
  const { name } = options;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new ConfigurationError(`name must be a non-empty string, got ${String(name)}`);
  }
  return name;
}

/**
 * The streaming linear models' shared algorithm (Spark's `StreamingLinearAlgorithm`): on top of
 * the streaming-model plumbing (latest model, `trainOn`, `predictOn`, `predictOnValues`, dead
 * letters, state for checkpoints), mini-batch gradient descent from the previous weights each
 * batch, the forgetting rule, prequential evaluation and persistence.
 *
 * @example
 * import { StreamingLinearAlgorithm, StreamingLinearRegressionWithSGD, StreamingLogisticRegressionWithSGD } from 'millrace';
 * import type { GeneralizedLinearModel, EvaluationRecord } from 'millrace';
 * const models: StreamingLinearAlgorithm<GeneralizedLinearModel, EvaluationRecord>[] = [
 *   new StreamingLinearRegressionWithSGD().setInitialWeights([0, 0]),
 *   new StreamingLogisticRegressionWithSGD().setInitialWeights([0, 0]),
 * ];
 * for (const model of models) model.setDecayFactor(0.9).setNumIterations(10);
 */
export abstract class StreamingLinearAlgorithm<
  M extends GeneralizedLinearModel,
  E,
> extends StreamingModel<M, LabeledPointLike, VectorLike, number> {
  private currentSettings: StreamingLinearSettings;
  private initialWeights: Float64Array | undefined;
  private evaluations = 0;

  protected constructor(
    private readonly family: LinearModelFamily<M, E>,
    options: StreamingLinearOptions,
  ) {
    super(family.kind, 'setInitialWeights(Vectors.zeros(numFeatures))', checkedName(options));
    this.currentSettings = mergeLinearOptions(
      defaultLinearSettings(family.defaultUpdater),
      options,
    );
    if (options.initialWeights !== undefined) this.setInitialWeights(options.initialWeights);
  }

  /** The settings in force (a copy). */
  get settings(): StreamingLinearSettings {
    return { ...this.currentSettings };
  }

  private configure(patch: Partial<StreamingLinearSettings>): this {
    this.currentSettings = checkLinearSettings({ ...this.currentSettings, ...patch });
    return this;
  }

  /** Initial step size (Spark's `setStepSize`). */
  setStepSize(stepSize: number): this {
    return this.configure({ stepSize });
  }

  /** Gradient-descent iterations per batch. */
  setNumIterations(numIterations: number): this {
    return this.configure({ numIterations });
  }

  /** Fraction of each batch sampled per iteration, in (0, 1]. */
  setMiniBatchFraction(miniBatchFraction: number): this {
    return this.configure({ miniBatchFraction });
  }

  /** Regularisation strength, >= 0. */
  setRegParam(regParam: number): this {
    return this.configure({ regParam });
  }

  /** Relative weight change below which a batch's descent stops. */
  setConvergenceTol(convergenceTol: number): this {
    return this.configure({ convergenceTol });
  }

  /** The regulariser: `'simple'`, `'squaredL2'` or `'l1'`. */
  setUpdater(updater: UpdaterName): this {
    return this.configure({ updater });
  }

  /** Base seed of mini-batch sampling. */
  setSeed(seed: number): this {
    return this.configure({ seed });
  }

  /** Forgetting factor in [0, 1] per time unit (see `StreamingLinearOptions.decayFactor`). */
  setDecayFactor(decayFactor: number): this {
    return this.configure({ decayFactor });
  }

  /** Forget by half-life: after `halfLife` batches (or points), old data keeps half its pull. */
  setHalfLife(halfLife: number, timeUnit: 'batches' | 'points' = 'batches'): this {
    return this.configure({ decayFactor: decayForHalfLife(halfLife), timeUnit });
  }

  /**
   * Sets the initial weights, which fix the number of features, and resets the model to them.
   * Required before `trainOn`, `predictOn` and `evaluateOn` (Spark's rule).
   */
  setInitialWeights(weights: VectorLike): this {
    const model = this.family.createModel(toDense(weights), this.model);
    this.initialWeights = Float64Array.from(model.weights);
    this.model = model;
    return this;
  }

  private packLabeled(batch: Batch<unknown>, model: M, reject: RejectRecord): LabeledRows[] {
    return batch.map((partition) =>
      packLabeledPartition(partition, model.numFeatures, this.family.checkLabel, reject),
    );
  }

  /**
   * One batch of `trainOn`: gradient descent from the current (decayed) weights over the usable
   * points. Empty batches, and batches whose every record was rejected, change nothing, decay
   * included: a pause in the data doesn't erase the model.
   */
  protected trainBatch(model: M, batch: Batch<unknown>, onReject: RejectRecord): M {
    const partitions = this.packLabeled(batch, model, onReject);
    const count = partitions.reduce((n, partition) => n + partition.rows.n, 0);
    if (count === 0) return model;
    const settings = this.currentSettings;
    const result = runMiniBatchSGD(
      partitions,
      this.family.gradient,
      updaterNamed(settings.updater),
      this.decayedWeights(model.weights, count),
      { ...settings, computeLoss: false },
    );
    return this.family.createModel(result.weights, model);
  }

  /**
   * The forgetting rule: `w0 + f · (w - w0)` with `f = decayFactor` ('batches') or
   * `decayFactor^count` ('points'). With f = 1 the weights are returned untouched, so training
   * equals Spark's bit for bit.
   */
  private decayedWeights(weights: Float64Array, count: number): Float64Array {
    const { decayFactor, timeUnit } = this.currentSettings;
    const factor = timeUnit === 'points' ? Math.pow(decayFactor, count) : decayFactor;
    if (factor === 1) return weights;
    const initial = this.initialWeights as Float64Array;
    const decayed = new Float64Array(weights.length);
    for (let j = 0; j < weights.length; j++) {
      decayed[j] = initial[j] + factor * (weights[j] - initial[j]);
    }
    return decayed;
  }

  /** Predictions for one partition of vectors (margins first, then the model's link). */
  protected predictPartition(
    model: M,
    records: readonly unknown[],
    onReject: RejectRecord,
  ): PartitionResults<number> {
    const { rows, kept } = packVectors(records, model.numFeatures, onReject);
    const margins = new Float64Array(rows.n);
    computeMargins(rows, model.weights, model.intercept, margins);
    for (let i = 0; i < rows.n; i++) margins[i] = model.predictFromMargin(margins[i]);
    return { kept, results: margins };
  }

  protected restoreModel(snapshot: unknown): M {
    return this.family.modelFromJSON(snapshot);
  }

  /**
   * Prequential (test-then-train) evaluation: one record per batch of `stream`, scoring the batch
   * with the model as it was before that batch trained it, with cumulative metrics. The engine
   * computes this stream at the start of each batch, before any output job (so before `trainOn`'s
   * job of the same batch), whatever the order of the calls. Records that aren't usable labelled
   * points go to dead letters under the stream's operator name: `<name>.evaluateOn` when the
   * model has a name, else `evaluateOn-<id>`.
   */
  evaluateOn(stream: DStream<LabeledPointLike>): DStream<E> {
    if (this.model === undefined) {
      throw new StateError(
        `${this.family.className}.evaluateOn() needs initial weights: call setInitialWeights(Vectors.zeros(numFeatures)) first`,
      );
    }
    const context = stream.context;
    const evaluator = this.family.createEvaluator();
    const node: EvaluationNode<E> = new EvaluationNode<E>(
      stream.node,
      (batch, time) => {
        const model = this.latestModel();
        const reject: RejectRecord = (record, reason) =>
          context.reportDeadLetter({ stage: node.name, reason, record, batchTime: time });
        return evaluator.evaluate(this.packLabeled(batch, model, reject), model, time);
      },
      evaluator,
    );
    this.evaluations++;
    if (this.modelName !== undefined) {
      const suffix = this.evaluations === 1 ? '' : `-${this.evaluations}`;
      node.setName(`${this.modelName}.evaluateOn${suffix}`);
    }
    return new DStream(context, node);
  }

  /** The algorithm as a versioned JSON-able object: settings, initial weights, current model. */
  toJSON(): StreamingLinearJSON {
    return savedAlgorithm(this.family.className, {
      name: this.modelName ?? null,
      settings: this.settings,
      initialWeights: this.initialWeights === undefined ? null : Array.from(this.initialWeights),
      model: this.model === undefined ? null : this.model.toJSON(),
    });
  }

  /** Writes `toJSON()` to `path` atomically (temporary file, then rename). */
  save(path: string): Promise<void> {
    return writeModelFile(path, this.toJSON());
  }

  /** For `fromJSON`: after construction from the saved options, puts the saved model back. */
  protected withSavedModel(savedModel: unknown): this {
    if (savedModel !== null) this.model = this.family.modelFromJSON(savedModel);
    return this;
  }
}
