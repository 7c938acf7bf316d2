/**
 * Listener events and the per-batch records they carry (Spark's `StreamingListener` and
 * `BatchInfo`). Times are milliseconds on the context's clock; under the `'replay'` clock, where
 * batch times are virtual, submission and processing times are wall-clock so delays stay real.
 */

/** What one input stream contributed to a batch. */
export interface InputInfo {
  /** Stable id of the input stream (creation order). */
  readonly inputStreamId: number;
  /** The input stream's operator name. */
  readonly name: string;
  /** Number of records the input put in the batch. */
  readonly numRecords: number;
  /** Source-specific facts fixed before the batch ran (e.g. offset ranges, block ids). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** Timing and outcome of one output operation (one job) of a batch. */
export interface OutputOperationInfo {
  readonly batchTime: number;
  /** Registration order of the output operation on the graph. */
  readonly id: number;
  readonly name: string;
  readonly startTime?: number;
  readonly endTime?: number;
  /** `endTime - startTime`, once the operation has finished. */
  readonly duration?: number;
  /** The error's message when the operation threw. */
  readonly failureReason?: string;
}

/** Everything known about one batch; delays are filled in as the batch progresses. */
export interface BatchInfo {
  readonly batchTime: number;
  /** Records from every input in this batch. */
  readonly numRecords: number;
  readonly inputInfos: readonly InputInfo[];
  /** When the batch's jobs were handed to the scheduler. */
  readonly submissionTime: number;
  readonly processingStartTime?: number;
  readonly processingEndTime?: number;
  /** `processingStartTime - submissionTime`: how long the batch waited for earlier batches. */
  readonly schedulingDelay?: number;
  /** `processingEndTime - processingStartTime`. */
  readonly processingDelay?: number;
  /** `processingEndTime - submissionTime` = schedulingDelay + processingDelay. */
  readonly totalDelay?: number;
  readonly outputOperationInfos: readonly OutputOperationInfo[];
  /** Records routed to the dead-letter stream while this batch was generated or processed. */
  readonly numDeadLetters: number;
}

/** Receiver lifecycle facts. */
export interface ReceiverInfo {
  readonly inputStreamId: number;
  readonly name: string;
  readonly lastError?: string;
}

/**
 * Callbacks for the engine's events; implement any subset. A listener that throws is reported as
 * a process warning and does not disturb the engine or the other listeners.
 *
 * @example
 * ssc.addStreamingListener({
 *   onBatchCompleted: (info) => console.log(info.batchTime, info.numRecords, info.totalDelay),
 * });
 */
export interface StreamingListener {
  onStreamingStarted?(event: { time: number }): void;
  onBatchSubmitted?(info: BatchInfo): void;
  onBatchStarted?(info: BatchInfo): void;
  onBatchCompleted?(info: BatchInfo): void;
  onOutputOperationStarted?(info: OutputOperationInfo): void;
  onOutputOperationCompleted?(info: OutputOperationInfo): void;
  onReceiverStarted?(info: ReceiverInfo): void;
  onReceiverError?(info: ReceiverInfo): void;
  onReceiverStopped?(info: ReceiverInfo): void;
  onStreamingStopped?(event: { time: number; error?: Error }): void;
}

type EventName = keyof StreamingListener;
type EventArgument<E extends EventName> = Parameters<NonNullable<StreamingListener[E]>>[0];

/** Delivers events to listeners synchronously, in the order listeners were added. */
export class ListenerBus {
  private readonly listeners: StreamingListener[] = [];

  add(listener: StreamingListener): void {
    this.listeners.push(listener);
  }

  remove(listener: StreamingListener): void {
    const index = this.listeners.indexOf(listener);
    if (index >= 0) this.listeners.splice(index, 1);
  }

  post<E extends EventName>(event: E, argument: EventArgument<E>): void {
    for (const listener of this.listeners) {
      const handler = listener[event] as ((arg: EventArgument<E>) => void) | undefined;
      if (!handler) continue;
      try {
        handler.call(listener, argument);
      } catch (error) {
        // A broken dashboard or logger must not stop data processing (Spark's listener bus
        // logs and carries on); a warning keeps the failure visible.
        process.emitWarning(
          `millrace: a StreamingListener threw in ${event}: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'MILLRACE_LISTENER_ERROR' },
        );
      }
    }
  }
}
