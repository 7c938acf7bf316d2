import type { Batch } from '../batch.js';
import { ConfigurationError, StateError } from '../errors.js';
import { StreamNode } from '../node.js';
import { KeyedStateNode } from './stateful.js';

/**
 * The state of one key as the mapping function of `mapWithState` sees it (Spark's `State`).
 *
 * @example
 * const spec: StateSpec<string, number, number, number> = {
 *   mappingFunction: (word, one, state) => {
 *     const total = (state.getOption() ?? 0) + (one ?? 0);
 *     if (!state.isTimingOut()) state.update(total);
 *     return total;
 *   },
 * };
 */
export interface State<S> {
  /** Whether the key has state. */
  exists(): boolean;
  /** The key's state; throws a `StateError` when there is none (see `exists`, `getOption`). */
  get(): S;
  /** The key's state, or `undefined` when there is none. */
  getOption(): S | undefined;
  /** Sets the key's state. Not allowed while the key is timing out (it is being removed). */
  update(newState: S): void;
  /** Removes the key's state. Not allowed while the key is timing out (it is being removed). */
  remove(): void;
  /** True during the last call for a key that received no value for longer than the timeout. */
  isTimingOut(): boolean;
}

/**
 * What `mapWithState` does (Spark's `StateSpec`).
 *
 * @example
 * const spec: StateSpec<string, number, number, [string, number]> = {
 *   mappingFunction: (key, value, state) => {
 *     const sum = (state.getOption() ?? 0) + (value ?? 0);
 *     if (!state.isTimingOut()) state.update(sum);
 *     return [key, sum];
 *   },
 *   timeoutMs: 60_000,
 * };
 */
export interface StateSpec<K, V, S, R> {
  /**
   * Called once per record, in order, with the record's key and value and the key's state; its
   * return value is the output record. For a key that timed out it is called once more with
   * `value` undefined and `state.isTimingOut()` true; the key is then removed.
   */
  mappingFunction(key: K, value: V | undefined, state: State<S>): R;
  /**
   * Batch time after which a key that received no value times out: a key last updated by a
   * record at time t times out in the first batch later than t + timeoutMs. Default: never.
   */
  timeoutMs?: number;
  /** State the keys start with (counted as updated at the first batch, for timeouts). */
  initialState?: Iterable<readonly [K, S]>;
}

interface StateEntry<S> {
  readonly state: S;
  /** Batch time of the last record for the key (or of the first batch, for initial state). */
  readonly updatedAt: number;
}

/** The `State` handed to the mapping function, re-aimed at each record's key. */
class KeyState<S> implements State<S> {
  private value: S | undefined;
  private isDefined = false;
  private isRemoved = false;
  private timingOut = false;

  wrap(entry: StateEntry<S> | undefined, timingOut: boolean): this {
    this.value = entry?.state;
    this.isDefined = entry !== undefined;
    this.isRemoved = false;
    this.timingOut = timingOut;
    return this;
  }

  get wasRemoved(): boolean {
    return this.isRemoved;
  }

  exists(): boolean {
    return this.isDefined;
  }

  get(): S {
    if (!this.isDefined) {
      throw new StateError('State.get(): this key has no state; check exists() or use getOption()');
    }
    return this.value as S;
  }

  getOption(): S | undefined {
    return this.isDefined ? this.value : undefined;
  }

  update(newState: S): void {
    this.assertNotTimingOut('update');
    this.value = newState;
    this.isDefined = true;
    this.isRemoved = false;
  }

  remove(): void {
    this.assertNotTimingOut('remove');
    this.value = undefined;
    this.isDefined = false;
    this.isRemoved = true;
  }

  isTimingOut(): boolean {
    return this.timingOut;
  }

  private assertNotTimingOut(action: string): void {
    if (this.timingOut) {
      throw new StateError(
        `State.${action}() called for a key that is timing out; it is removed after this call, ` +
          'so check isTimingOut() before changing its state',
      );
    }
  }
}

/** Marks a key removed during the batch being computed. */
const REMOVED = Symbol('removed');

/**
 * Spark's mapWithState stream: one output record per input record (and per key timing out), with
 * per-key state. Keys are kept in the order of their last update, so the keys due to time out
 * are always at the front and a batch only looks at those.
 */
export class MapWithStateNode<K, V, S, R> extends KeyedStateNode<R> {
  protected readonly entryLength = 3;
  private readonly entries = new Map<K, StateEntry<S>>();
  private initialState: Iterable<readonly [K, S]> | undefined;
  private readonly mappingFunction: StateSpec<K, V, S, R>['mappingFunction'];
  private readonly timeoutMs: number | undefined;

  constructor(parent: StreamNode<[K, V]>, spec: StateSpec<K, V, S, R>) {
    super(parent.graph, [parent], 'mapWithState');
    if (typeof spec?.mappingFunction !== 'function') {
      throw new ConfigurationError(
        'mapWithState(spec) needs spec.mappingFunction(key, value, state)',
      );
    }
    const { timeoutMs } = spec;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new ConfigurationError(
        `mapWithState: timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`,
      );
    }
    this.mappingFunction = spec.mappingFunction.bind(spec);
    this.timeoutMs = timeoutMs;
    this.initialState = spec.initialState;
  }

  /** `[key, state]` for every key, as of the last batch computed. */
  stateEntries(): [K, S][] {
    return Array.from(this.entries, ([key, entry]): [K, S] => [key, entry.state]);
  }

  protected advance(time: number): Batch<R> {
    if (this.initialState !== undefined) {
      for (const [key, state] of this.initialState)
        this.entries.set(key, { state, updatedAt: time });
      this.initialState = undefined;
    }
    // Changes are collected aside and applied at the end, so a mapping function that throws
    // leaves the state as it was before the batch.
    const changes = new Map<K, StateEntry<S> | typeof REMOVED>();
    const current = (key: K): StateEntry<S> | undefined => {
      const change = changes.get(key);
      return change === REMOVED ? undefined : (change ?? this.entries.get(key));
    };
    const state = new KeyState<S>();
    const mapped: R[] = [];
    for (const partition of (this.parents[0] as StreamNode<[K, V]>).getOrCompute(time) ?? []) {
      for (const [key, value] of partition) {
        mapped.push(this.mappingFunction(key, value, state.wrap(current(key), false)));
        if (state.exists()) changes.set(key, { state: state.get(), updatedAt: time });
        else if (state.wasRemoved) changes.set(key, REMOVED);
      }
    }
    if (this.timeoutMs !== undefined) {
      const threshold = time - this.timeoutMs;
      for (const [key, entry] of this.entries) {
        if (entry.updatedAt >= threshold) break; // ordered by updatedAt: the rest are newer
        if (changes.has(key)) continue; // received a record this batch
        mapped.push(this.mappingFunction(key, undefined, state.wrap(entry, true)));
        changes.set(key, REMOVED);
      }
    }
    for (const [key, change] of changes) {
      this.entries.delete(key); // re-inserted at the end: keeps the map ordered by updatedAt
      if (change !== REMOVED) this.entries.set(key, change);
    }
    return [mapped];
  }

  protected snapshotEntries(): unknown[][] {
    return Array.from(this.entries, ([key, { state, updatedAt }]) => [key, state, updatedAt]);
  }

  protected restoreEntries(entries: readonly (readonly unknown[])[]): void {
    if (!entries.every((entry) => Number.isFinite(entry[2]))) {
      throw new StateError(
        `cannot restore the state of operator "${this.name}": every entry must be ` +
          '[key, state, updatedAt] with updatedAt a batch time in milliseconds',
      );
    }
    this.initialState = undefined;
    this.entries.clear();
    const sorted = [...entries].sort((a, b) => (a[2] as number) - (b[2] as number));
    for (const [key, state, updatedAt] of sorted) {
      this.entries.set(key as K, { state: state as S, updatedAt: updatedAt as number });
    }
  }
}

/**
 * `stateSnapshots()` of a mapWithState stream: `[key, state]` of every key after each batch.
 * Computed at every batch, right after the state, because the state has moved on by the next.
 */
export class StateSnapshotNode<K, V, S, R> extends StreamNode<[K, S]> {
  constructor(private readonly stateNode: MapWithStateNode<K, V, S, R>) {
    super(stateNode.graph, [stateNode], 'stateSnapshots');
  }

  override get isStateful(): boolean {
    return true;
  }

  protected override compute(time: number): Batch<[K, S]> {
    this.stateNode.getOrCompute(time);
    return [this.stateNode.stateEntries()];
  }
}
