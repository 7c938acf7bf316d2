import type { Batch } from '../batch.js';
import type { StreamNode } from '../node.js';
import { groupValuesByKey } from './keyed.js';
import { KeyedStateNode } from './stateful.js';

/**
 * The function of `updateStateByKey`: the key's values in this batch (in arrival order, `[]` when
 * none) and its state so far (`undefined` for a new key) give its new state; `undefined` removes
 * the key.
 */
export type UpdateStateFunction<V, S> = (newValues: V[], state: S | undefined) => S | undefined;

/**
 * Spark's state stream (`updateStateByKey`): every batch, the update runs for every key that has
 * new values or existing state, and the batch is `[key, state]` for every key still in state.
 */
export class StateNode<K, V, S> extends KeyedStateNode<[K, S]> {
  protected readonly entryLength = 2;
  private state = new Map<K, S>();

  constructor(
    parent: StreamNode<[K, V]>,
    private readonly update: UpdateStateFunction<V, S>,
    initialState: Iterable<readonly [K, S]>,
  ) {
    super(parent.graph, [parent], 'updateStateByKey');
    for (const [key, state] of initialState) this.state.set(key, state);
  }

  protected advance(time: number): Batch<[K, S]> {
    const batch = (this.parents[0] as StreamNode<[K, V]>).getOrCompute(time) ?? [];
    const newValues = new Map(groupValuesByKey(batch));
    // Built aside and swapped in at the end, so an update that throws leaves the state untouched.
    const next = new Map<K, S>();
    const apply = (key: K, state: S | undefined): void => {
      const updated = this.update(newValues.get(key) ?? [], state);
      if (updated !== undefined) next.set(key, updated);
    };
    for (const [key, state] of this.state) apply(key, state);
    for (const key of newValues.keys()) if (!this.state.has(key)) apply(key, undefined);
    this.state = next;
    return [[...next]];
  }

  protected snapshotEntries(): unknown[][] {
    return [...this.state];
  }

  protected restoreEntries(entries: readonly (readonly unknown[])[]): void {
    this.state = new Map(entries.map(([key, state]) => [key as K, state as S]));
  }
}
