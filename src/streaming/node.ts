import type { Batch } from './batch.js';
import type { DStreamGraph } from './graph.js';
import { ConfigurationError } from './errors.js';

/** State that must survive restarts: snapshots are plain JSON-able data, keyed by operator name. */
export interface StatefulComponent {
  snapshotState(): unknown;
  restoreState(snapshot: unknown): void;
}

/**
 * One node of the stream graph: knows how to compute its batch at a time from its parents'
 * batches (Spark's DStream internals). Users never see nodes; they hold `DStream` handles.
 *
 * Each node memoises the batches it computed, so a parent shared by several outputs is computed
 * once per batch, and forgets them once no child can ask for them any more (`rememberMs`).
 */
export abstract class StreamNode<T> {
  readonly id: number;
  rememberMs = 0;
  private customName: string | undefined;
  private readonly generated = new Map<number, Batch<T>>();

  constructor(
    readonly graph: DStreamGraph,
    readonly parents: readonly StreamNode<unknown>[],
    /** Operator family, used in default names and messages (`map`, `window`, `queueStream`). */
    readonly kind: string,
  ) {
    this.id = graph.registerNode(this);
  }

  /** Stable operator name: the one given with `DStream.name()`, else `<kind>-<creation order>`. */
  get name(): string {
    return this.customName ?? `${this.kind}-${this.id}`;
  }

  setName(name: string): void {
    if (name.length === 0) throw new ConfigurationError('an operator name must not be empty');
    this.graph.assertNotStarted(`rename operator "${this.name}"`);
    this.customName = name;
  }

  /** Interval between this node's batches; transformations inherit their parent's. */
  get slideMs(): number {
    return this.parents[0].slideMs;
  }

  /** Whether the node must be computed at every valid time even when no output asks for it. */
  get isStateful(): boolean {
    return false;
  }

  /** The node's state for checkpoints, when it has any. */
  stateComponent(): StatefulComponent | undefined {
    return undefined;
  }

  /** Whether `time` is one of this node's batch times (Spark's `isTimeValid`). */
  isTimeValid(time: number): boolean {
    const sinceZero = time - this.graph.zeroTime;
    return sinceZero > 0 && sinceZero % this.slideMs === 0;
  }

  /** The batch at `time`, computed once and then memoised; undefined when `time` is not valid. */
  getOrCompute(time: number): Batch<T> | undefined {
    const cached = this.generated.get(time);
    if (cached !== undefined) return cached;
    if (!this.isTimeValid(time)) return undefined;
    const batch = this.compute(time);
    if (batch !== undefined) this.generated.set(time, batch);
    return batch;
  }

  /** Computes the batch at a valid `time` from the parents' batches. */
  protected abstract compute(time: number): Batch<T> | undefined;

  /** Stores a batch decided outside `compute` (input streams fix their batch at batch time). */
  protected storeBatch(time: number, batch: Batch<T>): void {
    this.generated.set(time, batch);
  }

  /** Ensures this node keeps batches for at least `ms`, and tells its parents what it needs. */
  remember(ms: number): void {
    this.rememberMs = Math.max(this.rememberMs, ms, this.slideMs);
    for (const parent of this.parents) parent.remember(this.parentRememberMs());
  }

  /** How far back parents must keep batches for this node; windows need their whole length. */
  protected parentRememberMs(): number {
    return this.rememberMs;
  }

  /** Forgets batches that no child can ask for after the batch at `time` completed. */
  clearOldBatches(time: number): void {
    // A node whose children only ever read the current batch (remember = one slide) lets its
    // batch go as soon as the batch completes, so it dies young instead of being promoted by
    // the garbage collector. Stateful nodes keep Spark's rule, one batch more: they read their
    // own previous batch.
    const forgetUpTo =
      this.rememberMs <= this.slideMs && !this.isStateful ? time : time - this.rememberMs;
    for (const batchTime of this.generated.keys()) {
      if (batchTime <= forgetUpTo) this.generated.delete(batchTime);
    }
  }

  /** Whether this node or any ancestor satisfies `predicate`. */
  dependsOn(predicate: (node: StreamNode<unknown>) => boolean): boolean {
    return predicate(this) || this.parents.some((parent) => parent.dependsOn(predicate));
  }
}
