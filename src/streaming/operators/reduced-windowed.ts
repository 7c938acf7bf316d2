import type { Batch } from '../batch.js';
import { StreamNode } from '../node.js';
import { reduceValuesByKey } from './keyed.js';
import { sliceBatches, validateWindow } from './windowed.js';

/** The functions of an incremental windowed reduction. */
export interface InverseReduction<K, V> {
  /** Associative and commutative: adds values. */
  readonly reduce: (a: V, b: V) => V;
  /** Undoes `reduce`: `invReduce(reduce(a, b), b)` equals `a`. */
  readonly invReduce: (a: V, b: V) => V;
  /** Keeps only the pairs it returns true for (drops keys whose value became "empty"). */
  readonly filter?: (entry: [K, V]) => boolean;
}

/**
 * Spark's incremental `reduceByKeyAndWindow(f, invF, ...)`. The window at T is the window at
 * T - slide, plus the batches that entered since (reduced with `f`), minus the batches that left
 * (removed with `invF`), so each slide costs the batches that moved rather than the whole window.
 *
 * The parent is the per-batch `reduceByKey`, so each batch contributes one value per key. Entering
 * and leaving batches are taken exactly: when the slide exceeds the length, the batches in the
 * gap between two windows are in neither set.
 *
 * The node is stateful (computed at every slide even when no output reads it then), so its
 * previous window value is always at hand: a reader that samples it rarely would otherwise make
 * one batch rebuild the whole chain of previous windows, one recursive step per slide.
 */
export class ReducedWindowedNode<K, V> extends StreamNode<[K, V]> {
  constructor(
    reducedParent: StreamNode<[K, V]>,
    private readonly reduction: InverseReduction<K, V>,
    readonly lengthMs: number,
    private readonly windowSlideMs: number,
  ) {
    super(reducedParent.graph, [reducedParent], 'reduceByKeyAndWindow');
    validateWindow('reduceByKeyAndWindow', reducedParent.slideMs, lengthMs, windowSlideMs);
  }

  override get slideMs(): number {
    return this.windowSlideMs;
  }

  override get isStateful(): boolean {
    return true;
  }

  // Leaving batches go back to T - slide - length; the node's own rememberMs (at least one slide)
  // keeps its previous window value.
  protected override parentRememberMs(): number {
    return this.rememberMs + this.lengthMs;
  }

  protected override compute(time: number): Batch<[K, V]> {
    const parent = this.parents[0] as StreamNode<[K, V]>;
    const { reduce, invReduce, filter } = this.reduction;
    const previousEnd = time - this.windowSlideMs;
    const entered = reduceValuesByKey(
      sliceBatches(parent, Math.max(previousEnd, time - this.lengthMs), time),
      reduce,
    );
    const left = reduceValuesByKey(
      sliceBatches(
        parent,
        previousEnd - this.lengthMs,
        Math.min(previousEnd, time - this.lengthMs),
      ),
      reduce,
    );
    const window = new Map<K, V>();
    for (const partition of this.getOrCompute(previousEnd) ?? []) {
      for (const [key, value] of partition) window.set(key, value);
    }
    for (const [key, value] of left) {
      // A key missing from the previous window was dropped by the filter: its value was "empty",
      // so it restarts from the values that entered (Spark's rule).
      if (window.has(key)) window.set(key, invReduce(window.get(key) as V, value));
    }
    for (const [key, value] of entered) {
      window.set(key, window.has(key) ? reduce(window.get(key) as V, value) : value);
    }
    const entries = [...window];
    return [filter === undefined ? entries : entries.filter((entry) => filter(entry))];
  }
}
