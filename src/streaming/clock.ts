import { ConfigurationError } from './errors.js';

/**
 * A source of time for the engine. Batch times and block boundaries are read from the clock the
 * context was given, never from `Date.now()` deep inside logic, so tests can drive time by hand.
 */
export interface Clock {
  /** Current time in milliseconds (fractional where the clock has sub-millisecond precision). */
  now(): number;
  /** Resolves once `now() >= time`; rejects with the signal's reason when `signal` aborts first. */
  waitUntil(time: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time with sub-millisecond precision (epoch milliseconds). */
export class SystemClock implements Clock {
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  waitUntil(time: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      // setTimeout may fire a little early; re-check so callers can rely on now() >= time.
      const check = (): void => {
        const remaining = time - this.now();
        if (remaining <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        } else {
          timer = setTimeout(check, Math.max(1, Math.ceil(remaining)));
        }
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      let timer: NodeJS.Timeout | undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }
}

interface Waiter {
  time: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told to. With a `ManualClock`, `ssc.advance(n)` runs the next n
 * batches deterministically; tests never sleep.
 *
 * @example
 * const clock = new ManualClock();
 * const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
 * // ... build the graph, ssc.start(), then:
 * const [info] = await ssc.advance(1); // runs the batch at t = 1000
 */
export class ManualClock implements Clock {
  private time: number;
  private waiters: Waiter[] = [];

  constructor(startTime = 0) {
    if (!Number.isFinite(startTime)) {
      throw new ConfigurationError(`ManualClock start time must be finite, got ${startTime}`);
    }
    this.time = startTime;
  }

  now(): number {
    return this.time;
  }

  /** Moves the clock forward by `ms` (never backwards) and wakes every waiter that is due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new ConfigurationError(`ManualClock.advance needs ms >= 0, got ${ms}`);
    this.setTime(this.time + ms);
  }

  /** Sets the clock to `time` (ignored if earlier than now) and wakes every waiter that is due. */
  setTime(time: number): void {
    if (time <= this.time) return;
    this.time = time;
    const due = this.waiters.filter((w) => w.time <= time);
    this.waiters = this.waiters.filter((w) => w.time > time);
    for (const waiter of due) waiter.resolve();
  }

  waitUntil(time: number, signal?: AbortSignal): Promise<void> {
    if (time <= this.time) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const waiter: Waiter = {
        time,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }
}
