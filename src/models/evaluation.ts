import type { Batch } from '../streaming/batch.js';
import { StateError } from '../streaming/errors.js';
import { StreamNode, type StatefulComponent } from '../streaming/node.js';
import { addTotals, type Totals } from './metrics.js';
import type { LabeledRows } from './optim/gradient-sum.js';

/** Regression metrics of one set of records: RMSE and MAE (NaN when there were none). */
export interface RegressionMetrics {
  /** Records scored. */
  readonly count: number;
  readonly rmse: number;
  readonly mae: number;
}

/** Classification metrics of one set of records (NaN when there were none). */
export interface ClassificationMetrics {
  /** Records scored. */
  readonly count: number;
  /** Fraction classified correctly at the model's threshold (0.5 when it is cleared). */
  readonly accuracy: number;
  /** Mean logistic loss (cross-entropy), from the margins, so never Infinity. */
  readonly logLoss: number;
}

/**
 * One batch of a regression model's prequential evaluation: the batch's own metrics, scored
 * with the model as it was before the batch trained it, and the cumulative metrics of every
 * batch evaluated so far.
 *
 * @example
 * // { kind: 'regression', batchTime: 2000, count: 100, rmse: 0.11, mae: 0.09,
 * //   cumulative: { count: 200, rmse: 0.8, mae: 0.4 } }
 */
export interface RegressionEvaluation extends RegressionMetrics {
  readonly kind: 'regression';
  readonly batchTime: number;
  readonly cumulative: RegressionMetrics;
}

/**
 * One batch of a classifier's prequential evaluation. `auc` is the batch's area under the ROC
 * curve (NaN when the batch holds only one class); there is no cumulative AUC, because an exact
 * one needs every score ever seen.
 *
 * @example
 * // { kind: 'classification', batchTime: 2000, count: 100, accuracy: 0.9, logLoss: 0.3,
 * //   auc: 0.95, cumulative: { count: 200, accuracy: 0.85, logLoss: 0.4 } }
 */
export interface ClassificationEvaluation extends ClassificationMetrics {
  readonly kind: 'classification';
  readonly batchTime: number;
  readonly auc: number;
  readonly cumulative: ClassificationMetrics;
}

/** What `evaluateOn` emits once per batch. */
export type EvaluationRecord = RegressionEvaluation | ClassificationEvaluation;

/**
 * Scores labelled batches and keeps the cumulative totals, which are state: checkpoints save
 * and restore them with the model.
 */
export interface BatchEvaluator<M, E> extends StatefulComponent {
  /** Scores a batch's packed partitions with `model`, adds them to the totals, returns the record. */
  evaluate(partitions: readonly LabeledRows[], model: M, batchTime: number): E;
}

/**
 * The stream `evaluateOn` returns. It is stateful, and the engine computes stateful streams at
 * the start of each batch, before any of the batch's output jobs (trainOn among them) run: so a
 * batch is always scored by the model that had not yet seen it, whatever order `evaluateOn` and
 * `trainOn` were called in, and the cumulative metrics advance every batch even if nothing
 * reads the stream.
 */
export class EvaluationNode<E> extends StreamNode<E> {
  constructor(
    parent: StreamNode<unknown>,
    /** Scores one batch (packing it, dead-lettering bad records) with the current model. */
    private readonly evaluateBatch: (batch: Batch<unknown>, time: number) => E,
    /** The evaluator's cumulative totals. */
    private readonly totals: StatefulComponent,
  ) {
    super(parent.graph, [parent], 'evaluateOn');
  }

  override get isStateful(): boolean {
    return true;
  }

  override stateComponent(): StatefulComponent {
    return this.totals;
  }

  protected override compute(time: number): Batch<E> | undefined {
    const batch = this.parents[0].getOrCompute(time);
    if (batch === undefined) return undefined;
    return [[this.evaluateBatch(batch, time)]];
  }
}

/**
 * The cumulative half of an evaluator: totals (sums and counts) of every batch evaluated so far,
 * kept as state that checkpoints save and restore. `none` is the totals of no records; its fields
 * are the ones a restored snapshot must have.
 *
 * @example
 * class Counter extends CumulativeTotals<{ count: number }> {
 *   constructor() {
 *     super({ count: 0 });
 *   }
 *   add(counts: number[]) {
 *     return this.accumulate(counts.map((count) => ({ count })));
 *   }
 * }
 * new Counter().add([2, 3]); // { batch: { count: 5 }, cumulative: { count: 5 } }
 */
export abstract class CumulativeTotals<T extends Totals<T>> implements StatefulComponent {
  private cumulative: T;

  protected constructor(private readonly none: T) {
    this.cumulative = none;
  }

  /** Adds a batch's per-partition totals; returns the batch's totals and the new cumulative ones. */
  protected accumulate(partitions: readonly T[]): { batch: T; cumulative: T } {
    const batch = partitions.reduce((sum, totals) => addTotals(sum, totals), this.none);
    this.cumulative = addTotals(this.cumulative, batch);
    return { batch, cumulative: this.cumulative };
  }

  snapshotState(): T {
    return this.cumulative;
  }

  restoreState(snapshot: unknown): void {
    const record = snapshot as Record<string, unknown> | null;
    for (const field of Object.keys(this.none)) {
      if (typeof record?.[field] !== 'number') {
        throw new StateError(
          `cannot restore evaluation state: field "${field}" is missing or not a number`,
        );
      }
    }
    this.cumulative = { ...(record as T) };
  }
}
