import { isObservable, type Observable, type Subscription } from 'rxjs';
import type { StreamingContext } from '../streaming/context.js';
import type { DStream } from '../streaming/dstream.js';
import { ConfigurationError } from '../streaming/errors.js';
import { Receiver, receiverStreamOfKind } from './receiver.js';
import type { ReceiverOptions } from './receiver-options.js';

/** Subscribes when the context starts, unsubscribes when it stops. */
class ObservableReceiver<T> extends Receiver<T> {
  private subscription: Subscription | undefined;

  constructor(private readonly source: Observable<T>) {
    super();
  }

  onStart(): void {
    this.subscription = this.source.subscribe({
      next: (value) => {
        this.store(value);
      },
      error: (error: unknown) => this.fail(error),
      complete: () => this.complete(),
    });
  }

  onStop(): void {
    // Undefined only if the source errored or completed during subscribe(): nothing to release.
    this.subscription?.unsubscribe();
  }
}

/**
 * A push-based stream over an RxJS `Observable`: subscribed when the context starts, each value
 * goes into the next batch. An observable can't be paused, so when `maxBufferedRecords` values
 * are waiting for a batch, each further value goes to the dead-letter stream with the reason
 * `receiver buffer full (maxBufferedRecords=N)` (and one receiver error event per overflow
 * episode) instead of growing memory. Values emitted before `start()` are not seen (a hot
 * observable's values are only received while subscribed).
 *
 * When the observable completes, the stream is exhausted once its values are processed (a
 * `'replay'` context then stops by itself). When it errors, the values before the error are
 * delivered, then the context stops and `awaitTermination()` rejects with a `SourceError`.
 *
 * @example
 * import { Subject } from 'rxjs';
 * import { StreamingContext, ManualClock, fromObservable } from 'millrace';
 * const clicks$ = new Subject<string>();
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
 * fromObservable(ssc, clicks$).foreachBatch((items) => console.log(items));
 * ssc.start();
 * clicks$.next('a');
 * clicks$.next('b');
 * await ssc.advance(1); // logs ['a', 'b']
 * await ssc.stop();
 */
export function fromObservable<T>(
  context: StreamingContext,
  source: Observable<T>,
  options: ReceiverOptions = {},
): DStream<T> {
  if (!isObservable(source)) {
    throw new ConfigurationError(
      `fromObservable needs an RxJS Observable, got ${String(source)}; wrap other sources with rxjs from()`,
    );
  }
  return receiverStreamOfKind(context, 'fromObservable', new ObservableReceiver(source), options);
}
