import { Subject, type Observable } from 'rxjs';
import type { Batch } from '../batch.js';
import type { StreamingContext } from '../context.js';
import type { StreamNode } from '../node.js';

/**
 * Registers an output that pushes every record of every batch of `node`, in order, into a hot
 * RxJS observable: it completes when the context stops and errors with the error that stopped
 * it. Records go to the subscribers there are at the time (an RxJS `Subject`): nothing is
 * buffered or replayed, and a subscriber that is slow holds up the batch, as any output does.
 */
export function outputToObservable<T>(
  context: StreamingContext,
  node: StreamNode<T>,
  name: string | undefined,
): Observable<T> {
  const subject = new Subject<T>();
  context.graph.addOutput(
    node,
    'toObservable',
    (batch: Batch<T>) => {
      for (const partition of batch) for (const record of partition) subject.next(record);
    },
    name,
  );
  context.addStreamingListener({
    onStreamingStopped: ({ error }) => {
      if (error === undefined) subject.complete();
      else subject.error(error);
    },
  });
  return subject.asObservable();
}
