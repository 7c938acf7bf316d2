import type { Batch } from '../batch.js';
import { StateError } from '../errors.js';
import { StreamNode, type StatefulComponent } from '../node.js';

/**
 * What a keyed state operator saves in a checkpoint: the batch its state is as of, and one array
 * per key (`[key, state, ...]`). Keys and states must be JSON-able for checkpoints to hold them.
 */
export interface KeyedStateSnapshot {
  /**
   * The batch the state is as of (`null` before the first). A restored operator refuses batch
   * times up to it: applying a batch the state already holds would count it twice.
   */
  readonly batchTime: number | null;
  readonly entries: readonly (readonly unknown[])[];
}

/**
 * Base of the operators that carry per-key state from batch to batch (updateStateByKey,
 * mapWithState). The state lives in the node rather than in its previous batch, so it survives
 * without a checkpoint directory, and the node is computed at every one of its batch times (in
 * time order) whether or not an output reads it then: skipping a batch would lose its updates.
 */
export abstract class KeyedStateNode<T> extends StreamNode<T> implements StatefulComponent {
  private lastBatchTime: number | undefined;

  override get isStateful(): boolean {
    return true;
  }

  override stateComponent(): StatefulComponent {
    return this;
  }

  protected override compute(time: number): Batch<T> {
    if (this.lastBatchTime !== undefined && time <= this.lastBatchTime) {
      // Only a forgotten batch could be asked for again, and re-applying it would count its
      // records twice: refuse rather than corrupt the state.
      throw new StateError(
        `operator "${this.name}" was asked for batch ${time} after its state moved on to batch ` +
          `${this.lastBatchTime}; stateful operators advance one batch at a time, in time order`,
      );
    }
    const batch = this.advance(time);
    this.lastBatchTime = time;
    return batch;
  }

  /** Applies the batch at `time` to the state (all or nothing) and returns the node's batch. */
  protected abstract advance(time: number): Batch<T>;

  /** One array per key, as `restoreEntries` reads them back. */
  protected abstract snapshotEntries(): unknown[][];

  /** Replaces the state with entries of `entryLength` items each (already checked). */
  protected abstract restoreEntries(entries: readonly (readonly unknown[])[]): void;

  /** How many items each snapshot entry has (`[key, state]` or `[key, state, updatedAt]`). */
  protected abstract readonly entryLength: number;

  snapshotState(): KeyedStateSnapshot {
    return { batchTime: this.lastBatchTime ?? null, entries: this.snapshotEntries() };
  }

  restoreState(snapshot: unknown): void {
    const { batchTime, entries } = (snapshot ?? {}) as Partial<KeyedStateSnapshot>;
    const isValid =
      (batchTime === null || typeof batchTime === 'number') &&
      Array.isArray(entries) &&
      entries.every((entry) => Array.isArray(entry) && entry.length === this.entryLength);
    if (!isValid) {
      throw new StateError(
        `cannot restore the state of operator "${this.name}": expected { batchTime, entries } ` +
          `with entries of ${this.entryLength} items, got ${JSON.stringify(snapshot)?.slice(0, 200)}`,
      );
    }
    this.restoreEntries(entries);
    this.lastBatchTime = batchTime ?? undefined;
  }
}
