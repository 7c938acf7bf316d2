import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { countBatch } from '../batch.js';
import type { Clock, ManualClock } from '../clock.js';
import type { DStreamGraph } from '../graph.js';
import type { InputInfo } from '../listener.js';
import type { JobScheduler } from './job-scheduler.js';

/**
 * Under `'replay'`, batches follow each other without a pause, and the event loop gets a turn
 * (sources fed by I/O or timers, and the user's own timers, run then) once this much wall time
 * has passed since its last turn. A turn per batch cost ~10 µs (an epoll call per iteration of
 * the loop), most of an empty batch's time; a millisecond keeps timers and I/O responsive.
 */
const REPLAY_YIELD_INTERVAL_MS = 1;

/** How batch times advance: wall time, a test's hand, or as fast as batches complete. */
export type ClockMode = 'system' | 'manual' | 'replay';

/**
 * Decides when batches happen. At each batch time it asks every input to fix its batch, then
 * submits the batch to the scheduler (Spark's JobGenerator). Under the `'replay'` clock it moves
 * the (virtual) clock to the next batch time as soon as the previous batch has completed, and asks
 * for a stop once every input is exhausted.
 */
export class JobGenerator {
  private nextTime = 0;
  private stopRequest: { graceful: boolean } | undefined;
  private readonly abort = new AbortController();
  private lastYield = 0;

  constructor(
    private readonly graph: DStreamGraph,
    private readonly clock: Clock,
    private readonly mode: ClockMode,
    private readonly scheduler: JobScheduler,
    /** Called when a replay has delivered everything its inputs had. */
    private readonly onInputsExhausted: () => void,
  ) {}

  initialize(zeroTime: number): void {
    this.nextTime = zeroTime + this.graph.batchIntervalMs;
  }

  /** Generates batches until a stop is requested (and, for a graceful stop, inputs are drained). */
  async run(): Promise<void> {
    while (!this.scheduler.hasFailed) {
      const time = this.nextTime;
      if (this.stopRequest) {
        if (!this.stopRequest.graceful || !this.hasPendingData()) return;
        // Draining a graceful stop: virtual clocks are stepped here, the system clock waited on.
        if (this.mode !== 'system') (this.clock as ManualClock).setTime(time);
      }
      if (this.mode === 'replay') {
        await this.scheduler.idle();
        if (performance.now() - this.lastYield >= REPLAY_YIELD_INTERVAL_MS) {
          await yieldToEventLoop();
          this.lastYield = performance.now();
        }
        if (this.scheduler.hasFailed) return;
        (this.clock as ManualClock).setTime(time);
      } else if (!(await this.waitFor(time))) {
        continue; // a stop was requested while waiting: decide again whether to drain
      }
      await this.generate(time);
      this.nextTime = time + this.graph.batchIntervalMs;
      if (
        this.mode === 'replay' &&
        !this.stopRequest &&
        this.graph.inputs.every((input) => input.isExhausted())
      ) {
        this.requestStop(true);
        this.onInputsExhausted();
      }
    }
  }

  requestStop(graceful: boolean): void {
    this.stopRequest = { graceful: graceful && (this.stopRequest?.graceful ?? true) };
    this.abort.abort(new Error('stop requested'));
  }

  private async waitFor(time: number): Promise<boolean> {
    if (this.stopRequest && this.clock.now() >= time) return true;
    try {
      await this.clock.waitUntil(time, this.stopRequest ? undefined : this.abort.signal);
      return true;
    } catch {
      return false;
    }
  }

  private hasPendingData(): boolean {
    return this.graph.inputs.some((input) => input.hasPendingData());
  }

  private async generate(time: number): Promise<void> {
    const inputInfos: InputInfo[] = [];
    for (const input of this.graph.inputs) {
      const generated = await input.fixBatch(time);
      inputInfos.push({
        inputStreamId: input.id,
        name: input.name,
        numRecords: countBatch(generated.partitions),
        metadata: generated.metadata ?? {},
      });
    }
    // A non-graceful stop requested while inputs were being read drops this batch too.
    if (this.stopRequest && !this.stopRequest.graceful) return;
    this.scheduler.submit(time, inputInfos);
  }
}
