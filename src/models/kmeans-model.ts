import type { Batch } from '../streaming/batch.js';
import { ConfigurationError, DataError, ModelFormatError } from '../streaming/errors.js';
import { predictBlockRows, type BadRowHandler, type BlockScorer } from './block-prediction.js';
import {
  borrowKernelArray,
  borrowKernelInt32Array,
  returnKernelArray,
} from './kernels/kernel-arrays.js';
import { centerTable, type CenterTable } from './kernels/kmeans-assign.js';
import { assignRows, batchStatistics, batchStatisticsInParallel } from './kernels/kmeans-batch.js';
import { pointCount, type ClusterStatistics } from './kernels/kmeans-statistics.js';
import {
  applyBatchStatistics,
  discountFor,
  splitDyingCluster,
  type TimeUnit,
} from './kernels/kmeans-update.js';
import {
  packForKernels,
  usePackedPartitions,
  type ReleasableRows,
  type RejectRecord,
} from './kernels/pack.js';
import { vectorProblem } from './kernels/vector-problems.js';
import { checkDecay } from './kmeans-options.js';
import {
  envelope,
  openEnvelope,
  readModelFile,
  readNumbers,
  restoreSaved,
  writeModelFile,
  type ModelEnvelope,
} from './persistence.js';
import type { VectorBlock } from './vector-block.js';
import { toDense, vectorSize, type VectorLike } from './vectors.js';

const KIND = 'StreamingKMeansModel';
const VERSION = 1;

/**
 * What `StreamingKMeansModel.toJSON()` gives: a versioned, plain JSON object.
 *
 * @example
 * new StreamingKMeansModel([[0, 1]], [2]).toJSON();
 * // { format: 'millrace-model', kind: 'StreamingKMeansModel', version: 1, k: 1, dim: 2,
 * //   clusterCenters: [[0, 1]], clusterWeights: [2] }
 */
export interface StreamingKMeansModelJSON extends ModelEnvelope {
  readonly k: number;
  readonly dim: number;
  readonly clusterCenters: number[][];
  readonly clusterWeights: number[];
}

/**
 * Nearest centres of the usable records of a partition (see `StreamingKMeansModel.assign`).
 *
 * @example
 * const { kept, clusters } = model.assign([[1, 1], 'junk', [9, 9]], () => {});
 * // kept: Int32Array [0, 2], clusters: Int32Array [0, 1]
 */
export interface KMeansAssignment {
  /** Positions, in the records given, of those that were usable, in order. */
  readonly kept: Int32Array;
  /** Index of the nearest centre of each kept record. */
  readonly clusters: Int32Array;
  /** Squared Euclidean distance of each kept record to that centre, when asked for. */
  readonly squaredDistances: Float64Array | undefined;
}

/** A reject callback for direct calls: a bad point is the caller's error, so it throws. */
function throwOnReject(record: unknown, reason: string): never {
  throw new DataError(`unusable point ${describePoint(record)}: ${reason}`);
}

function describePoint(record: unknown): string {
  if (Array.isArray(record) || record instanceof Float64Array) {
    return `[${Array.from(record as ArrayLike<unknown>, String).join(',')}]`;
  }
  return String(record);
}

/**
 * A k-means model: k cluster centres and their weights (Spark's `StreamingKMeansModel`).
 * Immutable: `update` returns a new model. Centres are stored packed, row-major, as one k × dim
 * `Float64Array`, with their squared norms, so assigning points costs one dot product per
 * centre; `clusterCenters` and `clusterWeights` return copies.
 *
 * @example
 * import { StreamingKMeansModel } from 'millrace';
 * const model = new StreamingKMeansModel([[0, 0], [10, 10]], [2, 1]);
 * model.predict([9, 8]); // 1
 * const next = model.update([[1, 1], [3, 3], [9, 9]], 0.5, 'batches');
 * next.clusterCenters; // [Float64Array [4/3, 4/3], Float64Array [28/3, 28/3]]
 */
export class StreamingKMeansModel {
  /** Number of clusters. */
  readonly k: number;
  /** Dimension of the centres (and of the points the model accepts). */
  readonly dim: number;
  private readonly table: CenterTable;
  private readonly weights: Float64Array;

  /**
   * @param clusterCenters k >= 1 centres of the same dimension >= 1, finite values.
   * @param clusterWeights k finite weights >= 0 (how many points each centre stands for).
   */
  constructor(
    clusterCenters: readonly VectorLike[],
    clusterWeights: readonly number[] | Float64Array,
  ) {
    const k = clusterCenters.length;
    if (k < 1) throw new ConfigurationError('a k-means model needs at least one cluster centre');
    const dim = vectorSize(clusterCenters[0]);
    if (!(dim >= 1)) {
      throw new ConfigurationError(`cluster centres need dimension >= 1, got ${String(dim)}`);
    }
    const centers = new Float64Array(k * dim);
    clusterCenters.forEach((center, c) => {
      const problem = vectorProblem(center, dim);
      if (problem !== undefined) throw new ConfigurationError(`cluster centre ${c}: ${problem}`);
      // Dense centres are copied straight in (a model is built every batch: no per-centre copy).
      const isDense = center instanceof Float64Array || Array.isArray(center);
      centers.set(isDense ? (center as ArrayLike<number>) : toDense(center), c * dim);
    });
    if (clusterWeights.length !== k) {
      throw new ConfigurationError(
        `got ${k} cluster centres but ${clusterWeights.length} weights: give one weight per centre`,
      );
    }
    clusterWeights.forEach((weight, c) => {
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
        throw new ConfigurationError(
          `cluster weight ${c} must be a finite number >= 0, got ${String(weight)}`,
        );
      }
    });
    this.k = k;
    this.dim = dim;
    this.table = centerTable(centers, k, dim);
    this.weights = Float64Array.from(clusterWeights);
  }

  /** The centres, one `Float64Array` per cluster (copies: the model can't be changed). */
  get clusterCenters(): Float64Array[] {
    const { centers, d } = this.table;
    return Array.from({ length: this.k }, (_, c) => centers.slice(c * d, c * d + d));
  }

  /** The cluster weights (a copy). */
  get clusterWeights(): Float64Array {
    return this.weights.slice();
  }

  /**
   * Index of the centre nearest to `point` (squared Euclidean distance, ties to the lowest
   * index). Throws a `DataError` for a point of the wrong dimension or with NaN/Infinity.
   */
  predict(point: VectorLike): number {
    return this.assign([point], throwOnReject).clusters[0];
  }

  /**
   * The nearest centre of every row of a `VectorBlock`, in one pass over the block. A row with
   * NaN or an infinity throws a `DataError` naming it; with `onBadRow`, such rows get cluster -1
   * and are passed to it instead. A block of another dimension throws a `DataError`.
   *
   * @example
   * import { StreamingKMeansModel, VectorBlock } from 'millrace';
   * const model = new StreamingKMeansModel([[0, 0], [10, 10]], [1, 1]);
   * model.predictBlock(new VectorBlock(Float64Array.of(1, 1, 9, 8, 0, 1), 2)); // Int32Array [0, 1, 0]
   */
  predictBlock(block: VectorBlock, onBadRow?: BadRowHandler): Int32Array {
    const scorer: BlockScorer<Int32Array> = {
      score: (rows) => {
        const clusters = new Int32Array(rows.n);
        assignRows(rows, this.table, clusters);
        return clusters;
      },
      unusable: -1,
    };
    return predictBlockRows(block, this.dim, scorer, onBadRow);
  }

  /** Sum of squared distances from each point to its nearest centre (Spark's `computeCost`). */
  computeCost(points: readonly VectorLike[]): number {
    const { squaredDistances } = this.assign(points, throwOnReject, { withDistances: true });
    let cost = 0;
    for (const squaredDistance of squaredDistances ?? []) cost += squaredDistance;
    return cost;
  }

  /**
   * For streaming operators: the nearest centre of every usable record of a partition, and with
   * `withDistances` the squared distance to it. Records that are not finite vectors of
   * dimension `dim` go to `onReject` with the reason and are left out (see `kept`).
   */
  assign(
    records: readonly unknown[],
    onReject: RejectRecord,
    options: { withDistances?: boolean } = {},
  ): KMeansAssignment {
    const borrowed = this.assignInKernelMemory(records, onReject, options);
    try {
      return {
        kept: borrowed.kept.slice(),
        clusters: borrowed.clusters.slice(),
        squaredDistances: borrowed.squaredDistances?.slice(),
      };
    } finally {
      borrowed.release();
    }
  }

  /**
   * `assign` with every array in reused kernel memory (the kernel writes the results in place):
   * for operators that read them once. Call `release()` after, and use none of them after it.
   */
  assignInKernelMemory(
    records: readonly unknown[],
    onReject: RejectRecord,
    options: { withDistances?: boolean } = {},
  ): KMeansAssignment & { readonly release: () => void } {
    const packed = packForKernels(records, this.dim, onReject);
    const n = packed.rows.n;
    // Each loan joins `release` as it is made, so a failure at any step gives back every one.
    const loans: (Float64Array | Int32Array)[] = [];
    const release = () => {
      packed.release();
      for (const loan of loans) returnKernelArray(loan);
    };
    try {
      const clusters = borrowKernelInt32Array(n);
      loans.push(clusters);
      const squaredDistances = options.withDistances ? borrowKernelArray(n) : undefined;
      if (squaredDistances !== undefined) loans.push(squaredDistances);
      assignRows(packed.rows, this.table, clusters, squaredDistances);
      return { kept: packed.kept, clusters, squaredDistances, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * The model after one batch of `points`, by Spark's rule: assign each point to its nearest
   * centre; discount every weight by `decayFactor` (`'batches'`) or `decayFactor^n` for n points
   * (`'points'`); move each centre that got points to the weighted mean of its discounted self
   * and its points; then split the lightest cluster off the heaviest if it is dying (weight under
   * 1e-8 of the heaviest). Throws a `DataError` for a bad point, before changing anything.
   */
  update(
    points: readonly VectorLike[],
    decayFactor: number,
    timeUnit: TimeUnit,
  ): StreamingKMeansModel {
    return this.updateWithPartitions([points], decayFactor, timeUnit, throwOnReject);
  }

  /**
   * For streaming operators: `update` with a batch held as partitions, whose statistics are
   * computed per partition and merged. Records that are not finite vectors of dimension `dim`
   * go to `onReject` with the reason and have no effect on the model.
   */
  updateWithPartitions(
    batch: Batch<unknown>,
    decayFactor: number,
    timeUnit: TimeUnit,
    onReject: RejectRecord,
  ): StreamingKMeansModel {
    checkDecay(decayFactor, timeUnit);
    const statistics = usePackedPartitions(batch, this.packerFor(onReject), (partitions) =>
      batchStatistics(partitions, this.table),
    );
    return this.updatedWith(statistics, decayFactor, timeUnit);
  }

  /**
   * `updateWithPartitions` with large batches split over the kernels' worker threads (see
   * `configureKernels`): the new model has the same bits whatever the number of threads.
   *
   * @example
   * const next = await model.updateInParallel([points], 1, 'batches', (record, reason) => {});
   */
  async updateInParallel(
    batch: Batch<unknown>,
    decayFactor: number,
    timeUnit: TimeUnit,
    onReject: RejectRecord,
  ): Promise<StreamingKMeansModel> {
    checkDecay(decayFactor, timeUnit);
    const statistics = await usePackedPartitions(batch, this.packerFor(onReject), (partitions) =>
      batchStatisticsInParallel(partitions, this.table),
    );
    return this.updatedWith(statistics, decayFactor, timeUnit);
  }

  private packerFor(onReject: RejectRecord): (partition: readonly unknown[]) => ReleasableRows {
    return (partition) => packForKernels(partition, this.dim, onReject);
  }

  /** Spark's update from a batch's merged statistics: decay, weighted means, dying clusters. */
  private updatedWith(
    statistics: ClusterStatistics,
    decayFactor: number,
    timeUnit: TimeUnit,
  ): StreamingKMeansModel {
    const centers = this.table.centers.slice();
    const weights = this.weights.slice();
    const discount = discountFor(decayFactor, timeUnit, pointCount(statistics));
    applyBatchStatistics(centers, weights, statistics, discount);
    splitDyingCluster(centers, weights, this.dim);
    const rows = Array.from({ length: this.k }, (_, c) =>
      centers.subarray(c * this.dim, (c + 1) * this.dim),
    );
    return new StreamingKMeansModel(rows, weights);
  }

  /** A plain, versioned JSON object; `StreamingKMeansModel.fromJSON` restores it exactly. */
  toJSON(): StreamingKMeansModelJSON {
    return envelope(KIND, VERSION, {
      k: this.k,
      dim: this.dim,
      clusterCenters: this.clusterCenters.map((center) => Array.from(center)),
      clusterWeights: Array.from(this.weights),
    });
  }

  /**
   * The model `toJSON()` described (also after `JSON.parse(JSON.stringify(model))`). Throws a
   * `ModelFormatError` for anything else, including a format version this millrace doesn't know.
   *
   * @example
   * const copy = StreamingKMeansModel.fromJSON(JSON.parse(JSON.stringify(model)));
   */
  static fromJSON(json: unknown): StreamingKMeansModel {
    const record = openEnvelope(json, KIND, [VERSION]);
    const centers = record.clusterCenters;
    if (!Array.isArray(centers) || centers.some((center) => !Array.isArray(center))) {
      throw new ModelFormatError(`saved ${KIND} has no array of arrays "clusterCenters"`);
    }
    const weights = readNumbers(record, 'clusterWeights', KIND);
    return restoreSaved(`saved ${KIND} is malformed`, () => {
      const model = new StreamingKMeansModel(centers as number[][], weights);
      if (model.k !== record.k || model.dim !== record.dim) {
        throw new ConfigurationError(
          `it says k = ${String(record.k)}, dim = ${String(record.dim)} but holds ${model.k} centres of dimension ${model.dim}`,
        );
      }
      return model;
    });
  }

  /** Writes the model's JSON to `path` atomically (temporary file, then rename). */
  async save(path: string): Promise<void> {
    await writeModelFile(path, this.toJSON());
  }

  /** Reads a model `save` wrote; a file from an unknown format version is a `ModelFormatError`. */
  static async load(path: string): Promise<StreamingKMeansModel> {
    return StreamingKMeansModel.fromJSON(await readModelFile(path));
  }
}
