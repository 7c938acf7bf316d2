import type { Batch } from '../streaming/batch.js';
import type { StreamingContext } from '../streaming/context.js';
import { DStream } from '../streaming/dstream.js';
import { ConfigurationError, StateError } from '../streaming/errors.js';
import type { BadRowHandler } from './block-prediction.js';
import { decayForHalfLife, type TimeUnit } from './decay.js';
import { EvaluationNode, type BatchEvaluator } from './evaluation.js';
import { discountFor } from './kernels/kmeans-update.js';
import { borrowKernelArray, returnKernelArray } from './kernels/kernel-arrays.js';
import { packForKernels, usePackedPartitions, type RejectRecord } from './kernels/pack.js';
import type { LabeledPointLike } from './labeled-point.js';
import { packLabeledPartition, type LabelCheck } from './linear-input.js';
import type { GeneralizedLinearModel } from './linear-model.js';
import type { Gradient } from './optim/gradient.js';
import { runMiniBatchSGD } from './optim/gradient-descent.js';
import { updaterNamed, type UpdaterName } from './optim/updater.js';
import {
  checkLinearSettings,
  defaultLinearSettings,
  mergeLinearOptions,
  type StreamingLinearOptions,
  type StreamingLinearSettings,
} from './streaming-linear-options.js';
import { restoreSaved } from './persistence.js';
import {
  readSavedAlgorithm,
  savedAlgorithm,
  type StreamingLinearJSON,
} from './streaming-linear-saved.js';
import { StreamingModel, type PartitionResults } from './streaming-model.js';
import type { VectorBlock } from './vector-block.js';
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

function nameFromOptions(options: StreamingLinearOptions): string | undefined {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('the options of a streaming linear model must be an object');
  }
  return options.name;
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
  private readonly evaluationsIn = new WeakMap<StreamingContext, number>();

  protected constructor(
    private readonly family: LinearModelFamily<M, E>,
    options: StreamingLinearOptions,
  ) {
    super(family.kind, 'setInitialWeights(Vectors.zeros(numFeatures))', nameFromOptions(options));
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
  setHalfLife(halfLife: number, timeUnit: TimeUnit = 'batches'): this {
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

  private packer(model: M, reject: RejectRecord) {
    return (partition: readonly unknown[]) =>
      packLabeledPartition(partition, model.numFeatures, this.family.checkLabel, reject);
  }

  /**
   * One batch of `trainOn`: gradient descent from the current (decayed) weights over the usable
   * points. Empty batches, and batches whose every record was rejected, change nothing, decay
   * included: a pause in the data doesn't erase the model.
   */
  protected trainBatch(model: M, batch: Batch<unknown>, onReject: RejectRecord): Promise<M> {
    return usePackedPartitions(batch, this.packer(model, onReject), async (partitions) => {
      const count = partitions.reduce((n, partition) => n + partition.rows.n, 0);
      if (count === 0) return model;
      const settings = this.currentSettings;
      const result = await runMiniBatchSGD(
        partitions,
        this.family.gradient,
        updaterNamed(settings.updater),
        this.decayedWeights(model.weights, count),
        { ...settings, computeLoss: false },
      );
      assertConverging(result.weights, settings.stepSize);
      return this.family.createModel(result.weights, model);
    });
  }

  /**
   * The forgetting rule: `w0 + f · (w - w0)` with `f = decayFactor` ('batches') or
   * `decayFactor^count` ('points'). With f = 1 the weights are returned untouched: training is
   * Spark's rule, with nothing added.
   */
  private decayedWeights(weights: Float64Array, count: number): Float64Array {
    const { decayFactor, timeUnit } = this.currentSettings;
    const factor = discountFor(decayFactor, timeUnit, count);
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
    const packed = packForKernels(records, model.numFeatures, onReject);
    // Predictions go to reused kernel memory too: the kernel writes them in place, and
    // predictOn copies them out before both go back.
    let predictions: Float64Array;
    try {
      predictions = borrowKernelArray(packed.rows.n);
    } catch (error) {
      packed.release();
      throw error;
    }
    const release = () => {
      packed.release();
      returnKernelArray(predictions);
    };
    try {
      model.predictRows(packed.rows, predictions);
    } catch (error) {
      release();
      throw error;
    }
    return { kept: packed.kept, results: predictions, release };
  }

  protected dimensionOf(model: M): number {
    return model.numFeatures;
  }

  protected predictBlockWith(model: M, block: VectorBlock, onBadRow: BadRowHandler): Float64Array {
    return model.predictBlock(block, onBadRow);
  }

  protected restoreModel(snapshot: unknown): M {
    return this.family.modelFromJSON(snapshot);
  }

  /**
   * Prequential (test-then-train) evaluation: one record per batch of `stream`, scoring the batch
   * with the model as it was before that batch trained it, with cumulative metrics. The engine
   * computes this stream at the start of each batch, before any output job (so before `trainOn`'s
   * job of the same batch), whatever the order of the calls. Records that aren't usable labelled
   * points go to dead letters under the stream's operator name, `<name>.evaluateOn` (with
   * `-2`, `-3`… for further evaluations of the model in the same context), which also keys the
   * cumulative totals in checkpoints.
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
        return usePackedPartitions(batch, this.packer(model, reject), (partitions) =>
          evaluator.evaluate(partitions, model, time),
        );
      },
      evaluator,
    );
    // Stateful streams need unique names (they key checkpointed state): number the second on.
    const evaluations = (this.evaluationsIn.get(context) ?? 0) + 1;
    this.evaluationsIn.set(context, evaluations);
    const suffix = evaluations === 1 ? '' : `-${evaluations}`;
    node.setName(`${this.nameIn(context)}.evaluateOn${suffix}`);
    return new DStream(context, node);
  }

  /** The algorithm as a versioned JSON-able object: settings, initial weights, current model. */
  override toJSON(): StreamingLinearJSON {
    return savedAlgorithm(this.family.className, {
      name: this.modelName ?? null,
      settings: this.settings,
      initialWeights: this.initialWeights === undefined ? null : Array.from(this.initialWeights),
      model: this.model === undefined ? null : this.model.toJSON(),
    });
  }

  /**
   * For the subclasses' `fromJSON`: the algorithm `create` builds from the saved options, with
   * the saved model put back. A saved value the settings or models refuse, or a model whose
   * number of features differs from the initial weights', is a `ModelFormatError`.
   */
  protected static restore<A extends StreamingLinearAlgorithm<GeneralizedLinearModel, unknown>>(
    json: unknown,
    className: string,
    create: (options: StreamingLinearOptions) => A,
  ): A {
    const { options, model: savedModel } = readSavedAlgorithm(json, className);
    return restoreSaved(`saved ${className} is malformed`, () => {
      const algorithm = create(options);
      if (savedModel === null) return algorithm;
      const model = algorithm.family.modelFromJSON(savedModel);
      const initial = algorithm.initialWeights;
      if (initial !== undefined && initial.length !== model.numFeatures) {
        throw new ConfigurationError(
          `its model has ${model.numFeatures} features but its initial weights ${initial.length}`,
        );
      }
      algorithm.model = model;
      return algorithm;
    });
  }
}

/**
 * Gradient descent whose step is too large for the data's scale overshoots further each
 * iteration until the weights overflow. The batch then fails with this error, naming the fix;
 * the model keeps the weights it had before the batch.
 */
function assertConverging(weights: Float64Array, stepSize: number): void {
  const bad = weights.findIndex((w) => !Number.isFinite(w));
  if (bad < 0) return;
  throw new ConfigurationError(
    `gradient descent diverged: weight ${bad} became ${weights[bad]} with stepSize ${stepSize}; ` +
      'lower stepSize (or scale the features to a smaller range); the model keeps its previous weights',
  );
}
