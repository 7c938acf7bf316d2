import { countBatch, flattenBatch, type Batch } from './batch.js';
import type { StreamingContext } from './context.js';
import { ConfigurationError, describeError } from './errors.js';
import type { StreamNode } from './node.js';
import { groupValuesByKey, reduceValuesByKey } from './operators/keyed.js';
import { MapPartitionsNode, type PartitionFunction } from './operators/mapped.js';
import { TransformedNode } from './operators/transformed.js';
import { UnionNode } from './operators/union.js';

/** Options of an output operation. */
export interface OutputOptions {
  /** Name of the operation in `BatchInfo`, listener events and errors (default `<kind>-<id>`). */
  name?: string;
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
    const context = this.context;
    let stream: DStream<U> | undefined = undefined;
    stream = this.mapPartitionsNamed('parse', (partition, time) => {
      const parsed: U[] = [];
      for (const record of partition) {
        try {
          parsed.push(parser(record));
        } catch (error) {
          const stage = options.stage ?? (stream as DStream<U>).operatorName;
          context.reportDeadLetter({
            stage,
            reason: describeError(error),
            record,
            batchTime: time,
          });
        }
      }
      return parsed;
    });
    return stream;
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

  /** Output: prints the batch time and the first `num` records of each batch (Spark's format). */
  print(num = 10, options: PrintOptions = {}): void {
    const write = options.write ?? ((line: string) => console.log(line));
    this.foreachBatch(
      (items, time) => {
        write('-------------------------------------------');
        write(`Time: ${time} ms`);
        write('-------------------------------------------');
        for (const item of items.slice(0, num)) write(formatRecord(item));
        if (items.length > num) write('...');
        write('');
      },
      { name: `print-${this.context.graph.outputs.length}` },
    );
  }
}

/** Spark-like text of a record: tuples as `(a,b)`, other values as JSON where that is clearer. */
function formatRecord(value: unknown): string {
  if (Array.isArray(value)) return `(${value.map(formatRecord).join(',')})`;
  if (typeof value === 'string') return value;
  if (value instanceof Float64Array) return `[${Array.from(value).join(',')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
