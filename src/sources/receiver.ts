import type { StreamingContext } from '../streaming/context.js';
import { DStream } from '../streaming/dstream.js';
import { ConfigurationError, StateError } from '../streaming/errors.js';
import { ReceiverInputNode } from './receiver-input.js';
import { resolveReceiverOptions, type ReceiverOptions } from './receiver-options.js';

/** The input node each receiver feeds, set once by `receiverStream`; users never see it. */
const inputNodes = new WeakMap<Receiver<unknown>, ReceiverInputNode<unknown>>();

/**
 * A source that pushes records as they arrive (Spark's Receiver): subclass it, start receiving
 * in `onStart()` (subscribe, connect, register callbacks) and hand each record to `store()`;
 * release everything in `onStop()`. Use it with {@link receiverStream}.
 *
 * Records are grouped into blocks and every block stored before a batch is fixed goes into that
 * batch. The buffer is bounded (`maxBufferedRecords`): a pushed source can't be paused, so a
 * record that doesn't fit goes to the dead-letter stream with the reason
 * `receiver buffer full (maxBufferedRecords=N)` and `store` returns false. Sources that can wait
 * should be written as async iterables and read with `fromAsyncIterable`, which stops pulling
 * instead.
 *
 * A receiver ends in one of three ways: the context stops it (`onStop()`), it calls `complete()`
 * (a finite source: the `'replay'` clock then stops once everything is processed), or it calls
 * `fail(error)` (its records are delivered, then the context stops with a `SourceError`).
 *
 * @example
 * import { StreamingContext, ManualClock, Receiver, receiverStream } from 'millrace';
 * class TickReceiver extends Receiver<number> {
 *   private timer: NodeJS.Timeout | undefined;
 *   onStart(): void {
 *     let n = 0;
 *     this.timer = setInterval(() => this.store(n++), 10);
 *   }
 *   onStop(): void {
 *     clearInterval(this.timer);
 *   }
 * }
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * receiverStream(ssc, new TickReceiver()).count().print();
 */
export abstract class Receiver<T> {
  /** Starts receiving. Return quickly: set up callbacks or background work, don't loop here. */
  abstract onStart(): void | Promise<void>;

  /** Stops receiving and releases resources; records stored before it returns are delivered. */
  abstract onStop(): void | Promise<void>;

  /**
   * Stores one record for the next batch. Returns false if it was refused (buffer full, or the
   * receiver has stopped); the record then went to the dead-letter stream with the reason.
   */
  store(record: T): boolean {
    return this.inputNode('store').storeRecord(record);
  }

  /** Stores each record in turn (see `store`); returns how many were stored. */
  storeMany(records: Iterable<T>): number {
    const node = this.inputNode('storeMany');
    let stored = 0;
    for (const record of records) if (node.storeRecord(record)) stored++;
    return stored;
  }

  /** Says the source has nothing more; the stream is exhausted once its records are processed. */
  complete(): void {
    this.inputNode('complete').markCompleted();
  }

  /** Reports a problem the receiver recovered from (a receiver error event); it keeps running. */
  reportError(message: string, error?: unknown): void {
    this.inputNode('reportError').reportError(message, error);
  }

  /**
   * Ends the receiver because its source failed: records stored so far are delivered, then the
   * context stops and `awaitTermination()` rejects with a `SourceError` naming this source.
   * (Spark's `stop(message, error)`, except that the failure is not left in a log.)
   */
  fail(error: unknown): void {
    this.inputNode('fail').fail(error);
  }

  /** Whether the receiver completed, failed or was stopped: loops in a receiver check this. */
  isStopped(): boolean {
    return this.inputNode('isStopped').isStopped;
  }

  private inputNode(method: string): ReceiverInputNode<T> {
    const node = inputNodes.get(this);
    if (node === undefined) {
      throw new StateError(
        `${this.constructor.name}.${method}() was called on a receiver no stream uses: pass it to receiverStream(ssc, receiver) first`,
      );
    }
    return node as ReceiverInputNode<T>;
  }
}

/** Runs a user's `Receiver`: its callbacks start and stop the receiving. */
class ReceiverStreamNode<T> extends ReceiverInputNode<T> {
  constructor(
    context: StreamingContext,
    kind: string,
    private readonly receiver: Receiver<T>,
    options: ReceiverOptions,
  ) {
    super(context, kind, resolveReceiverOptions(context, options));
  }

  protected override startReceiving(): Promise<void> | void {
    return this.receiver.onStart();
  }

  protected override stopReceiving(): Promise<void> | void {
    return this.receiver.onStop();
  }
}

/** `receiverStream` under another operator name, for sources built on a `Receiver`. */
export function receiverStreamOfKind<T>(
  context: StreamingContext,
  kind: string,
  receiver: Receiver<T>,
  options: ReceiverOptions,
): DStream<T> {
  if (!(receiver instanceof Receiver)) {
    throw new ConfigurationError(
      `receiverStream needs an instance of a Receiver subclass, got ${String(receiver)}`,
    );
  }
  if (inputNodes.has(receiver)) {
    throw new ConfigurationError(
      `this ${receiver.constructor.name} already feeds a stream; create one receiver per receiverStream call`,
    );
  }
  const node = new ReceiverStreamNode(context, kind, receiver, options);
  inputNodes.set(receiver, node);
  return new DStream(context, node);
}

/**
 * A stream fed by a custom {@link Receiver} (Spark's `receiverStream`). The receiver starts when
 * the context starts and stops when it stops; see {@link ReceiverOptions} for blocks and the
 * buffer bound.
 *
 * @example
 * import { StreamingContext, ManualClock, Receiver, receiverStream } from 'millrace';
 * class OnceReceiver extends Receiver<string> {
 *   onStart(): void {
 *     this.storeMany(['a', 'b']);
 *     this.complete();
 *   }
 *   onStop(): void {}
 * }
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * receiverStream(ssc, new OnceReceiver()).foreachBatch((items) => console.log(items)); // ['a', 'b']
 * ssc.start();
 * await ssc.advance(1);
 * await ssc.stop();
 */
export function receiverStream<T>(
  context: StreamingContext,
  receiver: Receiver<T>,
  options: ReceiverOptions = {},
): DStream<T> {
  return receiverStreamOfKind(context, 'receiverStream', receiver, options);
}
