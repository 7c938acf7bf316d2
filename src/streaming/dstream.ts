import type { Observable } from 'rxjs';
import { countBatch, flattenBatch, type Batch } from './batch.js';
import type { StreamingContext } from './context.js';
import { ConfigurationError } from './errors.js';
import type { StreamNode } from './node.js';
import { CoGroupedNode, joinNode, type CoGrouped } from './operators/joined.js';
import { groupValuesByKey, reduceValuesByKey } from './operators/keyed.js';
import { MapWithStateNode, StateSnapshotNode, type StateSpec } from './operators/map-with-state.js';
import { MapPartitionsNode, type PartitionFunction } from './operators/mapped.js';
import { ParsedNode } from './operators/parsed.js';
import { ReducedWindowedNode } from './operators/reduced-windowed.js';
import { StateNode, type UpdateStateFunction } from './operators/state.js';
import { TransformedNode } from './operators/transformed.js';
import { UnionNode } from './operators/union.js';
import { WindowedNode, validateWindow } from './operators/windowed.js';
import { outputToObservable } from './outputs/observable.js';
import { printRecords } from './outputs/print.js';
import {
  batchDirectoryName,
  validateTextFilesPrefix,
  writeBatchAsTextFiles,
} from './outputs/save-text-files.js';

/** Options of an output operation. */
export interface OutputOptions {
  /** Name of the operation in `BatchInfo`, listener events and errors (default `<kind>-<id>`). */
  name?: string;
}

/** Options of {@link DStream.updateStateByKey}. */
export interface UpdateStateOptions<K, S> {
  /** State the keys start with before the first batch (Spark's `initialRDD`). */
  initialState?: Iterable<readonly [K, S]>;
}

/** Options of {@link DStream.print}. */
export interface PrintOptions {
  /** Where lines go (default `console.log`). */
  write?: (line: string) => void;
}

/**
 * A discretized stream: a sequence of batches, one per batch interval (Spark's DStream). Build a
 * graph of transformations on it, end it in output operations, then start the context. Operators
 * follow Spark's names and semantics; each returns a new stream and leaves this one unchanged.
 *
 * @example
 * import { StreamingContext, ManualClock, queueStream } from 'millrace';
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * queueStream(ssc, [['a b', 'b']])
 *   .flatMap((line) => line.split(' '))
 *   .map((word) => [word, 1] as [string, number])
 *   .reduceByKey((a, b) => a + b)
 *   .foreachBatch((counts) => console.log(counts)); // [['a', 1], ['b', 2]]
 * ssc.start();
 * await ssc.advance(1);
 * await ssc.stop();
 */
export class DStream<T> {
  constructor(
    readonly context: StreamingContext,
    /** The graph node behind this stream (for operator and source authors). */
    readonly node: StreamNode<T>,
  ) {}

  /** Wraps a new node of the same context in a stream. */
  protected derive<U>(node: StreamNode<U>): DStream<U> {
    return new DStream(this.context, node);
  }

  /** The operator's stable name (keys its state in checkpoints and names it in errors). */
  get operatorName(): string {
    return this.node.name;
  }

  /** The interval between this stream's batches, in milliseconds. */
  get slideMs(): number {
    return this.node.slideMs;
  }

  /** Names this operator (Spark's `setName`); names must be unique among stateful operators. */
  name(name: string): this {
    this.node.setName(name);
    return this;
  }

  private mapPartitionsNamed<U>(kind: string, fn: PartitionFunction<T, U>): DStream<U> {
    return this.derive(new MapPartitionsNode(this.node, kind, fn));
  }

  /** Applies `fn` to every record. */
  map<U>(fn: (value: T) => U): DStream<U> {
    return this.mapPartitionsNamed('map', (partition) => partition.map((value) => fn(value)));
  }

  /** Applies `fn` to every record and flattens the iterables it returns. */
  flatMap<U>(fn: (value: T) => Iterable<U>): DStream<U> {
    return this.mapPartitionsNamed('flatMap', (partition) => {
      const out: U[] = [];
      for (const value of partition) for (const produced of fn(value)) out.push(produced);
      return out;
    });
  }

  /** Keeps the records for which `predicate` is true. */
  filter(predicate: (value: T) => boolean): DStream<T> {
    return this.mapPartitionsNamed('filter', (partition) =>
      partition.filter((value) => predicate(value)),
    );
  }

  /** Transforms each partition of each batch as a whole (with the batch time). */
  mapPartitions<U>(fn: (partition: readonly T[], time: number) => Iterable<U>): DStream<U> {
    return this.mapPartitionsNamed('mapPartitions', (partition, time) => [...fn(partition, time)]);
  }

  /**
   * Applies a parser to every record; a record the parser throws on goes to the dead-letter
   * stream (`ssc.deadLetters()`) with the parser's message as the reason, and the batch goes on.
   *
   * @example
   * const vectors = lines.parse(Vectors.parse); // DStream<Vector>; bad lines become dead letters
   */
  parse<U>(parser: (value: T) => U, options: { stage?: string } = {}): DStream<U> {
    return this.derive(new ParsedNode(this.node, parser, options.stage));
  }

  /** Any function of the batch's records (partitions concatenated) and its time (ms). */
  transform<U>(fn: (items: readonly T[], time: number) => readonly U[]): DStream<U> {
    return this.derive(
      new TransformedNode(this.node, 'transform', (batch, time) => fn(flattenBatch(batch), time)),
    );
  }

  /** This stream's batches side by side with the others' (same context, same slide). */
  union(...others: DStream<T>[]): DStream<T> {
    for (const other of others) {
      if (other.context !== this.context) {
        throw new ConfigurationError('union() needs streams of the same StreamingContext');
      }
    }
    return this.derive(new UnionNode([this.node, ...others.map((other) => other.node)]));
  }

  /** One record per batch: the number of records in it (0 for an empty batch). */
  count(): DStream<number> {
    return this.derive(new TransformedNode(this.node, 'count', (batch) => [countBatch(batch)]));
  }

  /** Each distinct record with its number of occurrences in the batch. */
  countByValue(): DStream<[T, number]> {
    return this.map((value): [T, number] => [value, 1]).reduceByKey((a, b) => a + b);
  }

  /** One record per non-empty batch: its records folded with `fn` (associative). */
  reduce(fn: (a: T, b: T) => T): DStream<T> {
    return this.derive(
      new TransformedNode(this.node, 'reduce', (batch) => {
        const items = flattenBatch(batch);
        return items.length === 0 ? [] : [items.reduce(fn)];
      }),
    );
  }

  /**
   * At each slide, the union of this stream's batches of the last `lengthMs`: those at times in
   * (T - lengthMs, T], oldest first (the first windows are partial). Both durations must be
   * positive multiples of this stream's slide (a `ConfigurationError` otherwise).
   *
   * @example
   * stream.window(3000, 1000).count().print(); // records of the last 3 batches, every batch
   */
  window(lengthMs: number, slideMs: number = this.slideMs): DStream<T> {
    return this.derive(new WindowedNode(this.node, lengthMs, slideMs));
  }

  /**
   * One record per non-empty window: the window's records folded with `fn` (associative).
   *
   * @example
   * numbers.reduceByWindow((a, b) => Math.max(a, b), 60_000, 10_000); // max of the last minute
   */
  reduceByWindow(
    fn: (a: T, b: T) => T,
    lengthMs: number,
    slideMs: number = this.slideMs,
  ): DStream<T> {
    validateWindow('reduceByWindow', this.slideMs, lengthMs, slideMs);
    return this.reduce(fn).window(lengthMs, slideMs).reduce(fn);
  }

  /**
   * One record per window: the number of records in it (0 for an empty window).
   *
   * @example
   * events.countByWindow(60_000, 10_000).print(); // events in the last minute, every 10 s
   */
  countByWindow(lengthMs: number, slideMs: number = this.slideMs): DStream<number> {
    validateWindow('countByWindow', this.slideMs, lengthMs, slideMs);
    return this.window(lengthMs, slideMs).count();
  }

  /**
   * Each distinct record with its number of occurrences in the window, computed incrementally;
   * records whose count fell to 0 are dropped.
   *
   * @example
   * words.countByValueAndWindow(30_000, 10_000).print(); // [word, count] over the last 30 s
   */
  countByValueAndWindow(lengthMs: number, slideMs: number = this.slideMs): DStream<[T, number]> {
    validateWindow('countByValueAndWindow', this.slideMs, lengthMs, slideMs);
    return this.map((value): [T, number] => [value, 1]).reduceByKeyAndWindow(
      (a, b) => a + b,
      (a, b) => a - b,
      lengthMs,
      slideMs,
      ([, count]) => count !== 0,
    );
  }

  /** Key-value streams: applies `fn` to every value, keeping keys. */
  mapValues<K, V, W>(this: DStream<[K, V]>, fn: (value: V) => W): DStream<[K, W]> {
    return this.map(([key, value]): [K, W] => [key, fn(value)]);
  }

  /** Key-value streams: folds each key's values within the batch with `fn` (associative). */
  reduceByKey<K, V>(this: DStream<[K, V]>, fn: (a: V, b: V) => V): DStream<[K, V]> {
    return this.derive(
      new TransformedNode(this.node, 'reduceByKey', (batch) => reduceValuesByKey(batch, fn)),
    );
  }

  /** Key-value streams: each key with all its values in the batch. */
  groupByKey<K, V>(this: DStream<[K, V]>): DStream<[K, V[]]> {
    return this.derive(
      new TransformedNode(this.node, 'groupByKey', (batch) => groupValuesByKey(batch)),
    );
  }

  /**
   * Key-value streams: each key's values in the window folded with `fn` (associative and
   * commutative), recomputed from the window's batches at every slide.
   *
   * @example
   * pairs.reduceByKeyAndWindow((a, b) => a + b, 30_000, 10_000); // per-key sums over 30 s
   */
  reduceByKeyAndWindow<K, V>(
    this: DStream<[K, V]>,
    fn: (a: V, b: V) => V,
    lengthMs: number,
    slideMs?: number,
  ): DStream<[K, V]>;
  /**
   * Key-value streams, incremental form: the previous window's value per key, plus the batches
   * that entered reduced with `fn`, minus the batches that left removed with `invFn`
   * (`invFn(fn(a, b), b) = a`). Gives what the plain form gives, except that keys whose value
   * went back to "empty" (a count of 0) stay unless `filterFn` drops them. `filterFn` must only
   * drop such empty keys: a dropped key restarts from the values that enter afterwards.
   *
   * @example
   * pairs.reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 30_000, 10_000, ([, n]) => n !== 0);
   */
  reduceByKeyAndWindow<K, V>(
    this: DStream<[K, V]>,
    fn: (a: V, b: V) => V,
    invFn: (a: V, b: V) => V,
    lengthMs: number,
    slideMs?: number,
    filterFn?: (entry: [K, V]) => boolean,
  ): DStream<[K, V]>;
  reduceByKeyAndWindow<K, V>(
    this: DStream<[K, V]>,
    fn: (a: V, b: V) => V,
    invFnOrLengthMs: ((a: V, b: V) => V) | number,
    lengthOrSlideMs?: number,
    slideMs?: number,
    filterFn?: (entry: [K, V]) => boolean,
  ): DStream<[K, V]> {
    const [invFn, lengthMs, slide] =
      typeof invFnOrLengthMs === 'number'
        ? [undefined, invFnOrLengthMs, lengthOrSlideMs ?? this.slideMs]
        : [invFnOrLengthMs, lengthOrSlideMs as number, slideMs ?? this.slideMs];
    validateWindow('reduceByKeyAndWindow', this.slideMs, lengthMs, slide);
    const perBatch = this.reduceByKey(fn);
    if (invFn === undefined) return perBatch.window(lengthMs, slide).reduceByKey(fn);
    const reduction = { reduce: fn, invReduce: invFn, filter: filterFn };
    return this.derive(new ReducedWindowedNode(perBatch.node, reduction, lengthMs, slide));
  }

  /**
   * Key-value streams: per-key state kept across batches. Every batch, `update(newValues,
   * state)` runs for every key with new values or existing state; returning `undefined` removes
   * the key. The stream's batches are `[key, state]` for every key still in state.
   *
   * @example
   * const totals = pairs.updateStateByKey<string, number, number>(
   *   (values, total) => values.reduce((a, b) => a + b, total ?? 0),
   * );
   */
  updateStateByKey<K, V, S>(
    this: DStream<[K, V]>,
    update: UpdateStateFunction<V, S>,
    options: UpdateStateOptions<K, S> = {},
  ): DStream<[K, S]> {
    if (typeof update !== 'function') {
      throw new ConfigurationError('updateStateByKey(update) needs an update function');
    }
    return this.derive(new StateNode(this.node, update, options.initialState ?? []));
  }

  /**
   * Key-value streams: Spark's `mapWithState`. Calls `spec.mappingFunction(key, value, state)`
   * for each record and emits what it returns; keys idle for longer than `spec.timeoutMs` get one
   * last call with `value` undefined and `state.isTimingOut()` true, then lose their state.
   *
   * @example
   * const running = pairs.mapWithState<string, number, number, [string, number]>({
   *   mappingFunction: (key, value, state) => {
   *     const sum = (state.getOption() ?? 0) + (value ?? 0);
   *     if (!state.isTimingOut()) state.update(sum);
   *     return [key, sum];
   *   },
   * });
   */
  mapWithState<K, V, S, R>(
    this: DStream<[K, V]>,
    spec: StateSpec<K, V, S, R>,
  ): MapWithStateDStream<K, V, S, R> {
    return new MapWithStateDStream(this.context, new MapWithStateNode(this.node, spec));
  }

  /**
   * Key-value streams: per batch, every key of either stream with its values from each.
   *
   * @example
   * clicks.cogroup(views); // DStream<[page, [clickValues[], viewValues[]]]>
   */
  cogroup<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>): DStream<CoGrouped<K, V, W>> {
    return this.derive(new CoGroupedNode('cogroup', this.node, other.node));
  }

  /**
   * Key-value streams: per batch, `[key, [v, w]]` for every pair of values of a key present in
   * both streams. Both streams need the same slide.
   *
   * @example
   * orders.join(payments); // DStream<[orderId, [order, payment]]>
   */
  join<K, V, W>(this: DStream<[K, V]>, other: DStream<[K, W]>): DStream<[K, [V, W]]> {
    return this.derive(joinNode<K, V, W, [V, W]>('join', this.node, other.node));
  }

  /**
   * Like `join`, plus `[key, [v, undefined]]` for each value of a key absent from `other`.
   *
   * @example
   * orders.leftOuterJoin(payments); // unpaid orders come with `undefined`
   */
  leftOuterJoin<K, V, W>(
    this: DStream<[K, V]>,
    other: DStream<[K, W]>,
  ): DStream<[K, [V, W | undefined]]> {
    return this.derive(
      joinNode<K, V, W, [V, W | undefined]>('leftOuterJoin', this.node, other.node),
    );
  }

  /**
   * Like `join`, plus `[key, [undefined, w]]` for each value of a key absent from this stream.
   *
   * @example
   * orders.rightOuterJoin(payments); // payments without an order come with `undefined`
   */
  rightOuterJoin<K, V, W>(
    this: DStream<[K, V]>,
    other: DStream<[K, W]>,
  ): DStream<[K, [V | undefined, W]]> {
    return this.derive(
      joinNode<K, V, W, [V | undefined, W]>('rightOuterJoin', this.node, other.node),
    );
  }

  /**
   * Both outer joins at once: every value of either stream appears, paired or with `undefined`.
   *
   * @example
   * orders.fullOuterJoin(payments);
   */
  fullOuterJoin<K, V, W>(
    this: DStream<[K, V]>,
    other: DStream<[K, W]>,
  ): DStream<[K, [V | undefined, W | undefined]]> {
    return this.derive(
      joinNode<K, V, W, [V | undefined, W | undefined]>('fullOuterJoin', this.node, other.node),
    );
  }

  /**
   * Output: runs `fn` with each batch's records (partitions concatenated, in order) and the batch
   * time. An async `fn` is awaited before the batch's next job. A throw fails the batch.
   */
  foreachBatch(
    fn: (items: readonly T[], time: number) => void | Promise<void>,
    options: OutputOptions = {},
  ): void {
    this.context.graph.addOutput(
      this.node,
      'foreachBatch',
      (batch, time) => fn(flattenBatch(batch), time),
      options.name,
    );
  }

  /** Output: like `foreachBatch`, but `fn` gets the batch as partitions. */
  foreachPartitions(
    fn: (batch: Batch<T>, time: number) => void | Promise<void>,
    options: OutputOptions = {},
  ): void {
    this.context.graph.addOutput(this.node, 'foreachPartitions', fn, options.name);
  }

  /**
   * Output: writes each batch to the directory `${prefix}-${timeMs}` (`.${suffix}` appended when
   * given), one `part-NNNNN` text file per partition with one record per line (see the README
   * for the text form), and an empty `_SUCCESS` file. The directory appears atomically, and a
   * re-run of a batch replaces it. The batch waits for the files.
   *
   * @example
   * counts.saveAsTextFiles('/tmp/out/counts', 'txt'); // /tmp/out/counts-1000.txt/part-00000, ...
   */
  saveAsTextFiles(prefix: string, suffix?: string, options: OutputOptions = {}): void {
    validateTextFilesPrefix(prefix, suffix);
    this.context.graph.addOutput(
      this.node,
      'saveAsTextFiles',
      (batch, time) => writeBatchAsTextFiles(batchDirectoryName(prefix, suffix, time), batch),
      options.name,
    );
  }

  /**
   * Output: every record of every batch, in order, as a hot RxJS `Observable`: subscribers get
   * the records of batches run after they subscribed; it completes when the context stops and
   * errors with the error that stopped it. Call it before `start()` (it registers an output).
   *
   * @example
   * stream.toObservable().subscribe({ next: (record) => console.log(record), error: console.error });
   */
  toObservable(options: OutputOptions = {}): Observable<T> {
    return outputToObservable(this.context, this.node, options.name);
  }

  /** Output: prints the batch time and the first `num` records of each batch (Spark's format). */
  print(num = 10, options: PrintOptions = {}): void {
    const write = options.write ?? ((line: string) => console.log(line));
    this.foreachBatch(printRecords(num, write), {
      name: `print-${this.context.graph.outputs.length}`,
    });
  }
}

/**
 * The stream `mapWithState` returns: the mapped records, plus the state itself through
 * `stateSnapshots()`.
 *
 * @example
 * const running = pairs.mapWithState(spec);
 * running.stateSnapshots().print(); // [key, state] of every key, every batch
 */
export class MapWithStateDStream<K, V, S, R> extends DStream<R> {
  private snapshots: DStream<[K, S]> | undefined;

  constructor(
    context: StreamingContext,
    private readonly stateNode: MapWithStateNode<K, V, S, R>,
  ) {
    super(context, stateNode);
  }

  /** `[key, state]` for every key in state after each batch (the same stream on every call). */
  stateSnapshots(): DStream<[K, S]> {
    this.snapshots ??= this.derive(new StateSnapshotNode(this.stateNode));
    return this.snapshots;
  }
}
