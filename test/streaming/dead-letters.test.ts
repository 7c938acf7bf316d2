import { describe, expect, it } from 'vitest';
import {
  LabeledPoint,
  ManualClock,
  StreamingContext,
  Vectors,
  queueStream,
  type DeadLetter,
} from '../../src/index.js';

describe('dead letters', () => {
  it('parse routes records the parser rejects, with stage, reason and batch time', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 100, clock: new ManualClock() });
    const parsed: number[][][] = [];
    const letters: DeadLetter[] = [];
    queueStream(ssc, [['[1,2]', 'oops', '(3,[0],[5])'], ['[3,x]']])
      .parse(Vectors.parse)
      .name('vectors')
      .foreachBatch((vectors) => {
        parsed.push(vectors.map((v) => Array.from(v instanceof Float64Array ? v : v.values)));
      });
    // Registered before the other output: still runs last, so it sees this batch's letters.
    ssc.deadLetters().foreachBatch((batch) => {
      letters.push(...batch);
    });
    ssc.start();
    const infos = await ssc.advance(2);
    await ssc.stop();
    expect(parsed).toEqual([[[1, 2], [5]], []]);
    expect(letters.map((l) => [l.stage, l.record, l.batchTime])).toEqual([
      ['vectors', 'oops', 100],
      ['vectors', '[3,x]', 200],
    ]);
    expect(letters[0].reason).toContain('cannot parse "oops" as a vector');
    expect(letters[1].reason).toContain('"x"');
    expect(infos.map((i) => i.numDeadLetters)).toEqual([1, 1]);
  });

  it('LabeledPoint.parse rejects malformed points without stopping the batch', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 100, clock: new ManualClock() });
    const labels: number[] = [];
    const reasons: string[] = [];
    queueStream(ssc, [['(1.0,[1,2])', '(1.0 [1,2])', '(0,(2,[1],[4]))']])
      .parse(LabeledPoint.parse, { stage: 'points' })
      .foreachBatch((points) => {
        labels.push(...points.map((p) => p.label));
      });
    ssc.deadLetters().foreachBatch((batch) => {
      reasons.push(...batch.map((l) => `${l.stage}: ${l.reason}`));
    });
    ssc.start();
    await ssc.advance(1);
    await ssc.stop();
    expect(labels).toEqual([1, 0]);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^points: cannot parse/);
  });

  it('counts rejected records in BatchInfo even when nobody consumes dead letters', async () => {
    const ssc = new StreamingContext({ batchIntervalMs: 100, clock: new ManualClock() });
    queueStream(ssc, [['1', 'two', '3']])
      .parse((text) => {
        const value = Number(text);
        if (Number.isNaN(value)) throw new Error(`not a number: ${text}`);
        return value;
      })
      .foreachBatch(() => {});
    ssc.start();
    const [info] = await ssc.advance(1);
    await ssc.stop();
    expect(info.numDeadLetters).toBe(1);
  });
});
