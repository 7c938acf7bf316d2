import type { Batch } from '../streaming/batch.js';
import type { DStream } from '../streaming/dstream.js';
import { ConfigurationError } from '../streaming/errors.js';
import type { BadRowHandler } from './block-prediction.js';
import type { RejectRecord } from './kernels/pack.js';
import { decayForHalfLife } from './decay.js';
import { StreamingKMeansModel, type StreamingKMeansModelJSON } from './kmeans-model.js';
import {
  DEFAULT_KMEANS_SETTINGS,
  checkKMeansSettings,
  type KMeansSettings,
  type StreamingKMeansOptions,
  type TimeUnit,
} from './kmeans-options.js';
import {
  envelope,
  openEnvelope,
  readModelFile,
  restoreSaved,
  type ModelEnvelope,
} from './persistence.js';
import { SeededRandom } from './random.js';
import { StreamingModel, type PartitionResults } from './streaming-model.js';
import type { VectorBlock } from './vector-block.js';
import type { VectorLike } from './vectors.js';

const KIND = 'StreamingKMeans';
const VERSION = 1;

/**
 * A point's anomaly score: its nearest centre and the Euclidean distance to it.
 *
 * @example
 * km.scoreOn(transactions).filter((score: KMeansScore) => score.distance > 3).print();
 */
export interface KMeansScore {
  readonly cluster: number;
  readonly distance: number;
}

/**
 * What `StreamingKMeans.toJSON()` gives: the settings and the current model, if any.
 *
 * @example
 * const json: StreamingKMeansJSON = km.toJSON(); // json.decayFactor, json.model?.clusterCenters
 */
export interface StreamingKMeansJSON extends ModelEnvelope, KMeansSettings {
  readonly name: string | null;
  readonly model: StreamingKMeansModelJSON | null;
}

/**
 * Streaming k-means with Spark's semantics (`StreamingKMeans`): `trainOn` replaces the model by
 * its update every batch (see `StreamingKMeansModel.update`: assignment, decay, weighted means,
 * dying-cluster split), `predictOn` / `scoreOn` apply the model current when a batch runs.
 * Settings come from the options object or Spark's chainable setters, validated in one place.
 * Records that are not finite vectors of the model's dimension go to `ssc.deadLetters()` with
 * the reason, and neither change the model nor appear in predictions.
 *
 * @example
 * import { StreamingContext, ManualClock, StreamingKMeans, queueStream } from 'millrace';
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * const km = new StreamingKMeans({ k: 2 }).setInitialCenters([[0, 0], [10, 10]], [0, 0]);
 * km.trainOn(queueStream(ssc, [[[1, 1], [9, 9]]]));
 * km.predictOn(queueStream(ssc, [[[2, 2]]])).print();
 * ssc.start();
 * await ssc.advance(1);
 * await ssc.stop();
 * km.latestModel().clusterCenters; // [Float64Array [1, 1], Float64Array [9, 9]]
 */
export class StreamingKMeans extends StreamingModel<
  StreamingKMeansModel,
  VectorLike,
  VectorLike,
  number,
  Int32Array
> {
  private settings: KMeansSettings = DEFAULT_KMEANS_SETTINGS;

  constructor(options: StreamingKMeansOptions = {}) {
    super(
      'streamingKMeans',
      'setRandomCenters(dim, weight, seed) or setInitialCenters(centers, weights)',
      options.name,
    );
    this.configure({ k: options.k, decayFactor: options.decayFactor, timeUnit: options.timeUnit });
  }

  /** Number of clusters. */
  get k(): number {
    return this.settings.k;
  }

  /** Weight old data keeps per time unit. */
  get decayFactor(): number {
    return this.settings.decayFactor;
  }

  /** What one step of decay counts: batches or points. */
  get timeUnit(): TimeUnit {
    return this.settings.timeUnit;
  }

  /** Sets the number of clusters (before setting centres). */
  setK(k: number): this {
    return this.configure({ k });
  }

  /** Sets the decay factor (>= 0; 1 keeps all history), keeping the time unit. */
  setDecayFactor(decayFactor: number): this {
    return this.configure({ decayFactor });
  }

  /**
   * Decay such that data `halfLife` batches (or points) old weighs half: decay factor
   * `exp(ln(0.5) / halfLife)` in `timeUnit`.
   *
   * @example new StreamingKMeans().setHalfLife(5, 'batches').decayFactor; // 0.5 ** (1 / 5)
   */
  setHalfLife(halfLife: number, timeUnit: TimeUnit): this {
    return this.configure({ decayFactor: decayForHalfLife(halfLife), timeUnit });
  }

  /**
   * k random centres of dimension `dim` with independent standard-normal coordinates from a
   * generator seeded with `seed` (default 0, so runs repeat; Spark's default seed is random),
   * each with weight `weight`.
   *
   * @example new StreamingKMeans({ k: 3 }).setRandomCenters(2, 0, 42);
   */
  setRandomCenters(dim: number, weight: number, seed = 0): this {
    if (!Number.isInteger(dim) || dim < 1) {
      throw new ConfigurationError(`dim must be a whole number >= 1, got ${String(dim)}`);
    }
    const random = new SeededRandom(seed);
    const centers = Array.from({ length: this.k }, () =>
      Float64Array.from({ length: dim }, () => random.nextGaussian()),
    );
    this.model = new StreamingKMeansModel(centers, new Array<number>(this.k).fill(weight));
    return this;
  }

  /**
   * Starts from these centres and weights: one weight (>= 0) per centre, k of each.
   *
   * @example new StreamingKMeans({ k: 2 }).setInitialCenters([[0, 0], [5, 5]], [1, 1]);
   */
  setInitialCenters(
    centers: readonly VectorLike[],
    weights: readonly number[] | Float64Array,
  ): this {
    const model = new StreamingKMeansModel(centers, weights);
    if (model.k !== this.k) {
      throw new ConfigurationError(
        `got ${model.k} initial centres but k = ${this.k}: call setK(${model.k}) first or pass { k: ${model.k} }`,
      );
    }
    this.model = model;
    return this;
  }

  /**
   * Per usable record of each batch, its nearest centre and the Euclidean distance to it, by the
   * model current when the batch runs: the distance is an anomaly score (large = unlike anything
   * the model has seen). Unusable records go to the dead letters.
   */
  scoreOn(stream: DStream<VectorLike>): DStream<KMeansScore> {
    return this.mapWithModel(stream, 'scoreOn', scorePartition);
  }

  /** Like `scoreOn` for `[key, vector]` pairs: keeps each key beside its score. */
  scoreOnValues<K>(stream: DStream<[K, VectorLike]>): DStream<[K, KMeansScore]> {
    return this.mapValuesWithModel(stream, 'scoreOnValues', scorePartition);
  }

  /** The settings and the current model as a plain, versioned JSON object. */
  override toJSON(): StreamingKMeansJSON {
    return envelope(KIND, VERSION, {
      ...this.settings,
      name: this.modelName ?? null,
      model: this.model?.toJSON() ?? null,
    });
  }

  /** The StreamingKMeans `toJSON()` described; anything else is a `ModelFormatError`. */
  static fromJSON(json: unknown): StreamingKMeans {
    const record = openEnvelope(json, KIND, [VERSION]);
    return restoreSaved(`saved ${KIND} is malformed`, () => {
      const restored = new StreamingKMeans({
        k: record.k as number,
        decayFactor: record.decayFactor as number,
        timeUnit: record.timeUnit as TimeUnit,
        ...(typeof record.name === 'string' ? { name: record.name } : {}),
      });
      if (record.model === null) return restored;
      const model = StreamingKMeansModel.fromJSON(record.model);
      return restored.setInitialCenters(model.clusterCenters, model.clusterWeights);
    });
  }

  /** Reads what `save` wrote. */
  static async load(path: string): Promise<StreamingKMeans> {
    return StreamingKMeans.fromJSON(await readModelFile(path));
  }

  protected override trainBatch(
    model: StreamingKMeansModel,
    batch: Batch<unknown>,
    onReject: RejectRecord,
  ): Promise<StreamingKMeansModel> {
    const { decayFactor, timeUnit } = this.settings;
    return model.updateInParallel(batch, decayFactor, timeUnit, onReject);
  }

  protected override predictPartition(
    model: StreamingKMeansModel,
    records: readonly unknown[],
    onReject: RejectRecord,
  ): PartitionResults<number> {
    const { kept, clusters, release } = model.assignInKernelMemory(records, onReject);
    return { kept, results: clusters, release };
  }

  protected override dimensionOf(model: StreamingKMeansModel): number {
    return model.dim;
  }

  protected override predictBlockWith(
    model: StreamingKMeansModel,
    block: VectorBlock,
    onBadRow: BadRowHandler,
  ): Int32Array {
    return model.predictBlock(block, onBadRow);
  }

  protected override restoreModel(snapshot: unknown): StreamingKMeansModel {
    return StreamingKMeansModel.fromJSON(snapshot);
  }

  /** Applies the given settings (undefined ones keep their value) after validating them all. */
  private configure(changes: Partial<KMeansSettings>): this {
    const settings = checkKMeansSettings({
      k: changes.k ?? this.settings.k,
      decayFactor: changes.decayFactor ?? this.settings.decayFactor,
      timeUnit: changes.timeUnit ?? this.settings.timeUnit,
    });
    if (this.model !== undefined && this.model.k !== settings.k) {
      throw new ConfigurationError(
        `k = ${settings.k} but the centres already set are ${this.model.k}: set k before setRandomCenters/setInitialCenters`,
      );
    }
    this.settings = settings;
    return this;
  }
}

function scorePartition(
  model: StreamingKMeansModel,
  records: readonly unknown[],
  onReject: RejectRecord,
): PartitionResults<KMeansScore> {
  const { kept, clusters, squaredDistances, release } = model.assignInKernelMemory(
    records,
    onReject,
    { withDistances: true },
  );
  const scores = Array.from(clusters, (cluster, i) => ({
    cluster,
    distance: Math.sqrt((squaredDistances as Float64Array)[i]),
  }));
  return { kept, results: scores, release };
}
