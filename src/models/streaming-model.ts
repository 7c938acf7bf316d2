import type { Batch } from '../streaming/batch.js';
import type { StreamingContext } from '../streaming/context.js';
import { DStream } from '../streaming/dstream.js';
import { ConfigurationError, StateError } from '../streaming/errors.js';
import { MapPartitionsNode } from '../streaming/operators/mapped.js';
import { blockProblem, type BadRowHandler } from './block-prediction.js';
import type { RejectRecord } from './kernels/pack.js';
import { writeModelFile } from './persistence.js';
import { rejectAsOriginals } from './rejected-records.js';
import type { VectorBlock } from './vector-block.js';

/**
 * What a model computed for one partition: a result for each usable record, in order, and the
 * positions of those records in the partition. Every other record must have been passed to the
 * reject callback, in order: that is how its dead letter finds the original record.
 *
 * @example
 * // records [a, junk, b]: junk was passed to onReject, a and b scored 0.2 and 0.9
 * const results: PartitionResults<number> = { kept: Int32Array.of(0, 2), results: [0.2, 0.9] };
 */
export interface PartitionResults<P> {
  readonly kept: Int32Array;
  readonly results: ArrayLike<P>;
  /**
   * Gives back memory that `kept` and `results` live in (arrays reused from batch to batch),
   * called once they have been read.
   */
  release?(): void;
}

/**
 * Scores one partition with a model; unusable records go to `onReject` with the reason.
 *
 * @example
 * const scorer: PartitionScorer<StreamingKMeansModel, number> = (model, records, onReject) => {
 *   const { kept, clusters } = model.assign(records, onReject);
 *   return { kept, results: clusters };
 * };
 */
export type PartitionScorer<M, P> = (
  model: M,
  records: readonly unknown[],
  onReject: RejectRecord,
) => PartitionResults<P>;

/**
 * The part every streaming model shares (Spark's `StreamingLinearAlgorithm`, generalised): it
 * holds the latest model, replaces it every batch of the training stream (`trainOn`), applies
 * the model current when a batch runs to other streams (`predictOn`, `predictOnValues`), sends
 * unusable records to the context's dead letters, and keeps the model's state in the graph for
 * checkpoints. A subclass says how one batch updates its model and how a partition is scored.
 *
 * A batch's jobs run in registration order, so when `trainOn` was registered before
 * `predictOn`, a batch's predictions already use the model updated with that batch's training
 * data (as in Spark, where `predictOn` reads the model when its tasks run).
 *
 * @example
 * import { StreamingKMeans, type StreamingKMeansModel, type StreamingModel } from 'millrace';
 * import type { VectorLike } from 'millrace';
 * // Code written against the base works with any streaming model of that shape.
 * const model: StreamingModel<StreamingKMeansModel, VectorLike, VectorLike, number> =
 *   new StreamingKMeans({ k: 2 }).setRandomCenters(3, 0, 7);
 */
export abstract class StreamingModel<
  Model extends { toJSON(): unknown },
  TrainInput,
  PredictInput,
  Prediction,
  BlockPrediction extends Float64Array | Int32Array = Float64Array,
> {
  /** The current model, once the initial state is set. */
  protected model: Model | undefined;
  private readonly defaultNames = new WeakMap<StreamingContext, string>();
  private readonly contextsWithState = new WeakSet<StreamingContext>();

  /**
   * @param kind family name used in default names (`streamingKMeans`).
   * @param initialStateHint what the user calls to give the model its initial state.
   * @param modelName the user's name for the model, if any.
   */
  protected constructor(
    private readonly kind: string,
    private readonly initialStateHint: string,
    protected readonly modelName: string | undefined,
  ) {
    if (modelName !== undefined && (typeof modelName !== 'string' || modelName === '')) {
      throw new ConfigurationError(
        `a model's name must be a non-empty string, got ${JSON.stringify(modelName) ?? String(modelName)}`,
      );
    }
  }

  /**
   * One batch of training data (as partitions) applied to `model`; returns (or resolves to) the
   * new model. Asynchronous where the batch's kernels may run on worker threads.
   */
  protected abstract trainBatch(
    model: Model,
    batch: Batch<unknown>,
    onReject: RejectRecord,
  ): Model | Promise<Model>;

  /** Predictions of `model` for one partition's usable records. */
  protected abstract predictPartition(
    model: Model,
    records: readonly unknown[],
    onReject: RejectRecord,
  ): PartitionResults<Prediction>;

  /** The dimension of the vectors `model` scores. */
  protected abstract dimensionOf(model: Model): number;

  /**
   * Predictions of `model` for every row of a block of its dimension; rows that can't be scored
   * keep their place with a stand-in value and go to `onBadRow`.
   */
  protected abstract predictBlockWith(
    model: Model,
    block: VectorBlock,
    onBadRow: BadRowHandler,
  ): BlockPrediction;

  /** The model a state snapshot (`model.toJSON()`) describes. */
  protected abstract restoreModel(snapshot: unknown): Model;

  /** The streaming model as a plain, versioned JSON object: its settings and current model. */
  abstract toJSON(): object;

  /** Writes `toJSON()` to `path` atomically (temporary file, then rename); `load` reads it. */
  async save(path: string): Promise<void> {
    await writeModelFile(path, this.toJSON());
  }

  /** The current model. Throws a `StateError` before the initial state is set. */
  latestModel(): Model {
    return this.requireModel('latestModel()');
  }

  /**
   * Updates the model with every batch of `stream` (empty batches included: decay still
   * applies where the model has any). Registers the output operation `<name>.trainOn`.
   */
  trainOn(stream: DStream<TrainInput>): void {
    this.requireModel('trainOn()');
    const context = stream.context;
    const name = this.nameIn(context);
    if (!this.contextsWithState.has(context)) {
      context.registerState(name, {
        snapshotState: () => this.model?.toJSON() ?? null,
        restoreState: (snapshot) => {
          this.model = snapshot === null ? undefined : this.restoreModel(snapshot);
        },
      });
      this.contextsWithState.add(context);
    }
    const stage = `${name}.trainOn`;
    stream.foreachPartitions(
      async (batch, time) => {
        const model = this.requireModel('trainOn()');
        this.model = await this.trainBatch(model, batch, deadLetterReporter(context, stage, time));
      },
      { name: stage },
    );
  }

  /**
   * One prediction per usable record of each batch, by the model current when the batch runs.
   * Unusable records are left out of the output and sent to the dead letters.
   */
  predictOn(stream: DStream<PredictInput>): DStream<Prediction> {
    return this.mapWithModel(stream, 'predictOn', (model, records, onReject) =>
      this.predictPartition(model, records, onReject),
    );
  }

  /**
   * `predictOn` for streams of `VectorBlock`s: one output record per block, the predictions of its
   * rows in order, computed in one pass over the block (much faster than a record per vector
   * when rows arrive in bulk). A row with NaN or an infinity keeps its place with a stand-in
   * (NaN for the linear models, -1 for k-means) and goes to the dead letters as a copy of its values, the
   * reason naming the row; a record that isn't a block of the model's dimension goes there whole.
   * Registers no output: the stage is `<name>.predictOnBlocks`.
   */
  predictOnBlocks(stream: DStream<VectorBlock>): DStream<BlockPrediction> {
    this.requireModel('predictOnBlocks()');
    const context = stream.context;
    const stage = `${this.nameIn(context)}.predictOnBlocks`;
    const node = new MapPartitionsNode(
      stream.node,
      'predictOnBlocks',
      (partition: readonly VectorBlock[], time) => {
        const model = this.requireModel(stage);
        const report = deadLetterReporter(context, stage, time);
        // A copy: the block's buffer may be refilled (a decoder's frame) before anyone reads
        // the dead letters.
        const onBadRow: BadRowHandler = (row, index, reason) =>
          report(row.slice(), `row ${index} of the VectorBlock: ${reason}`);
        const predictions: BlockPrediction[] = [];
        for (const block of partition) {
          const problem = blockProblem(block, this.dimensionOf(model));
          if (problem === undefined)
            predictions.push(this.predictBlockWith(model, block, onBadRow));
          else report(block, problem);
        }
        return predictions;
      },
    );
    return new DStream(context, node);
  }

  /** Like `predictOn` for `[key, input]` pairs: keeps each key beside its prediction. */
  predictOnValues<K>(stream: DStream<[K, PredictInput]>): DStream<[K, Prediction]> {
    return this.mapValuesWithModel(stream, 'predictOnValues', (model, records, onReject) =>
      this.predictPartition(model, records, onReject),
    );
  }

  /** For subclasses: a stream of `score`'s results per usable record (`verb` names the stage). */
  protected mapWithModel<I, P>(
    stream: DStream<I>,
    verb: string,
    score: PartitionScorer<Model, P>,
  ): DStream<P> {
    this.requireModel(`${verb}()`);
    const context = stream.context;
    const stage = `${this.nameIn(context)}.${verb}`;
    const node = new MapPartitionsNode(stream.node, verb, (partition: readonly I[], time) =>
      this.scorePartition<I, P, P>(context, stage, time, partition, partition, score, undefined),
    );
    return new DStream(context, node);
  }

  /** For subclasses: `mapWithModel` over the values of `[key, value]` pairs, keeping keys. */
  protected mapValuesWithModel<K, I, P>(
    stream: DStream<[K, I]>,
    verb: string,
    score: PartitionScorer<Model, P>,
  ): DStream<[K, P]> {
    this.requireModel(`${verb}()`);
    const context = stream.context;
    const stage = `${this.nameIn(context)}.${verb}`;
    const node = new MapPartitionsNode(stream.node, verb, (partition: readonly [K, I][], time) => {
      const report = deadLetterReporter(context, stage, time);
      const pairs = partition.filter((record) => {
        const isPair = Array.isArray(record) && record.length === 2;
        if (!isPair) report(record, 'expected a [key, value] pair');
        return isPair;
      });
      const values = pairs.map((pair) => pair[1]);
      return this.scorePartition(
        context,
        stage,
        time,
        pairs,
        values,
        score,
        (result, pair): [K, P] => [pair[0], result],
      );
    });
    return new DStream(context, node);
  }

  private scorePartition<R, P, O>(
    context: StreamingContext,
    stage: string,
    time: number,
    originals: readonly R[],
    inputs: readonly unknown[],
    score: PartitionScorer<Model, P>,
    build: ((result: P, original: R) => O) | undefined,
  ): O[] {
    const model = this.requireModel(stage);
    const report = deadLetterReporter(context, stage, time);
    let scored: PartitionResults<P> | undefined;
    try {
      const { kept, results } = rejectAsOriginals(
        originals,
        report,
        (onReject) => (scored = score(model, inputs, onReject)),
      );
      // A plain loop into a preallocated array: Array.from with a callback cost about as much
      // per record as packing it did; without `build` the results are the output.
      const out = new Array<O>(kept.length);
      if (build === undefined) {
        for (let i = 0; i < kept.length; i++) out[i] = results[i] as unknown as O;
      } else {
        for (let i = 0; i < kept.length; i++) out[i] = build(results[i], originals[kept[i]]);
      }
      return out;
    } finally {
      scored?.release?.();
    }
  }

  private requireModel(action: string): Model {
    if (this.model === undefined) {
      throw new StateError(
        `${action} needs the model's initial state: call ${this.initialStateHint} first`,
      );
    }
    return this.model;
  }

  /**
   * The model's name in `context`, which prefixes its stages (`<name>.trainOn`) and keys its
   * state: the user's, else `<kind>-<n>` where n counts the models of that kind that `context`
   * named before this one (so two unnamed models never share state or stage names).
   */
  protected nameIn(context: StreamingContext): string {
    if (this.modelName !== undefined) return this.modelName;
    let name = this.defaultNames.get(context);
    if (name === undefined) {
      const named = defaultNamesGiven.get(context) ?? new Map<string, number>();
      const n = named.get(this.kind) ?? 0;
      named.set(this.kind, n + 1);
      defaultNamesGiven.set(context, named);
      name = `${this.kind}-${n}`;
      this.defaultNames.set(context, name);
    }
    return name;
  }
}

/** Per context, how many default names of each kind it has handed out. */
const defaultNamesGiven = new WeakMap<StreamingContext, Map<string, number>>();

function deadLetterReporter(context: StreamingContext, stage: string, time: number): RejectRecord {
  return (record, reason) => context.reportDeadLetter({ stage, reason, record, batchTime: time });
}
