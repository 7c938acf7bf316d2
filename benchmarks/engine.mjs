// Engine benchmark (issue 2; issue 8's engine row):
//  (a) overhead per batch: empty batches pushed through a 'replay' context with one foreachBatch;
//  (b) records/s of map -> reduceByKey -> foreachBatch over word-like keys, side by side with the
//      same work as an RxJS 7 pipeline (bufferCount + map + per-batch reduce) and as hand-written
//      loops over plain arrays and a Map.
// Usage: node --expose-gc benchmarks/engine.mjs [--quick] [--runs=N] [--only=overhead,pipeline]
//        [--contenders=millrace,rxjs,handLoop,handLoopFused]
import { queueStream } from 'millrace';
import { bufferCount, from, map } from 'rxjs';
import { parseArgs } from './lib/args.mjs';
import { describeEnvironment } from './lib/environment.mjs';
import { SeededRandom } from './lib/random.mjs';
import { drawWords, makeVocabulary } from './lib/words.mjs';
import { timeReplay, toBatches } from './lib/replay.mjs';
import { writeResults } from './lib/results.mjs';
import { repeatInTurns, rateOf, summarize, timed } from './lib/stats.mjs';
import { formatRate, formatRatio, printTable } from './lib/table.mjs';

const { quick, runs, isScratch, wants, wantsContender } = parseArgs();
const TARGET_OVERHEAD_US = 50;
const results = { benchmark: 'engine', quick, runs, environment: describeEnvironment() };

// (a) ---------------------------------------------------------------------------------------
if (wants('overhead')) {
  const batches = quick ? 1_000 : 10_000;
  const emptyBatches = Array.from({ length: batches }, () => []);
  const measured = await repeatInTurns(
    {
      engine: () => {
        let jobs = 0;
        return timeReplay((ssc) => {
          queueStream(ssc, emptyBatches).foreachBatch(() => {
            jobs++;
          });
          return () => ({ jobs });
        });
      },
    },
    { runs },
  );
  const seconds = measured.engine.map((run) => run.seconds);
  for (const run of measured.engine) {
    if (run.jobs !== batches) throw new Error(`expected ${batches} jobs, ran ${run.jobs}`);
  }
  const time = summarize(seconds);
  const usPerBatch = {
    median: (time.median / batches) * 1e6,
    min: (time.min / batches) * 1e6,
    max: (time.max / batches) * 1e6,
  };
  results.overhead = {
    description: 'empty batches on the replay clock, one foreachBatch output; start() to stop',
    batches,
    seconds,
    usPerBatch,
    targetUsPerBatch: TARGET_OVERHEAD_US,
    meetsTarget: usPerBatch.median < TARGET_OVERHEAD_US,
  };
  printTable(
    `Engine overhead: ${batches} empty batches, replay clock, ${runs} runs`,
    ['measure', 'median', 'min', 'max', `target < ${TARGET_OVERHEAD_US} µs`],
    [
      [
        'µs per batch',
        usPerBatch.median.toFixed(2),
        usPerBatch.min.toFixed(2),
        usPerBatch.max.toFixed(2),
        results.overhead.meetsTarget ? 'met' : 'MISSED',
      ],
    ],
  );
}

// (b) ---------------------------------------------------------------------------------------
const add = (a, b) => a + b;
const toPair = (word) => [word, 1];

/** Reduces one batch's pairs by key with `fn` (what reduceByKey does, written by hand). */
function reducePairs(pairs, fn) {
  const reduced = new Map();
  for (const [key, value] of pairs) {
    const previous = reduced.get(key);
    reduced.set(key, previous === undefined ? value : fn(previous, value));
  }
  return [...reduced];
}

/** The output every contender feeds each batch's counts to; the totals prove equal work. */
function makeSink() {
  const totals = { records: 0, keys: 0 };
  const consume = (counts) => {
    totals.keys += counts.length;
    for (const [, count] of counts) totals.records += count;
  };
  return { totals, consume };
}

if (wants('pipeline')) {
  const batchCount = quick ? 20 : 200;
  const batchSize = 10_000;
  const vocabularySize = 10_000;
  const random = new SeededRandom(42);
  const words = drawWords(random, makeVocabulary(random, vocabularySize), batchCount * batchSize);
  const batches = toBatches(words, batchSize);
  const records = words.length;

  const contenders = {
    millrace: () =>
      timeReplay((ssc) => {
        const { totals, consume } = makeSink();
        queueStream(ssc, batches).map(toPair).reduceByKey(add).foreachBatch(consume);
        return () => totals;
      }),
    rxjs: () => {
      const { totals, consume } = makeSink();
      return timed(async () => {
        await new Promise((resolve, reject) =>
          from(words)
            .pipe(
              bufferCount(batchSize),
              map((batch) => batch.map(toPair)),
              map((pairs) => reducePairs(pairs, add)),
            )
            .subscribe({ next: consume, error: reject, complete: resolve }),
        );
        return totals;
      });
    },
    handLoop: () => {
      const { totals, consume } = makeSink();
      return timed(async () => {
        for (const batch of batches) consume(reducePairs(batch.map(toPair), add));
        return totals;
      });
    },
    handLoopFused: () => {
      const { totals, consume } = makeSink();
      return timed(async () => {
        for (const batch of batches) {
          const counts = new Map();
          for (const word of batch) counts.set(word, (counts.get(word) ?? 0) + 1);
          consume([...counts]);
        }
        return totals;
      });
    },
  };
  const descriptions = {
    millrace: 'queueStream -> map -> reduceByKey -> foreachBatch, replay clock',
    rxjs: 'RxJS 7: from(records) -> bufferCount -> map(pairs) -> map(reduce by key)',
    handLoop: 'plain arrays + Map, same stages: map to pairs, reduce by key',
    handLoopFused: 'plain arrays + Map, counting in one loop (no pairs): a floor, not a target',
  };
  const chosen = Object.entries(contenders).filter(([name]) => wantsContender(name));
  const measured = await repeatInTurns(Object.fromEntries(chosen), { runs });
  const reference = Object.values(measured)[0][0];
  const rows = Object.entries(measured).map(([name, runResults]) => {
    for (const run of runResults) {
      if (run.records !== records || run.keys !== reference.keys) {
        throw new Error(`${name} did different work: ${JSON.stringify(run)} vs ${records} records`);
      }
    }
    const seconds = runResults.map((run) => run.seconds);
    return {
      name,
      description: descriptions[name],
      seconds,
      recordsPerSecond: rateOf(records, seconds),
      gcMs: summarize(runResults.map((run) => run.gcMs)),
    };
  });
  const rate = Object.fromEntries(rows.map((row) => [row.name, row.recordsPerSecond.median]));
  const ratios = {
    millraceOverRxjs: rate.millrace / rate.rxjs,
    handLoopOverMillrace: rate.handLoop / rate.millrace,
    handLoopFusedOverMillrace: rate.handLoopFused / rate.millrace,
  };
  results.pipeline = {
    batches: batchCount,
    batchSize,
    records,
    vocabularySize,
    distinctKeysPerRun: reference.keys,
    rows,
    ratios,
    targets: {
      atLeastRxjs: ratios.millraceOverRxjs >= 1,
      within2xOfHandLoop: ratios.handLoopOverMillrace <= 2,
    },
  };
  printTable(
    `Engine pipeline: ${batchCount} batches x ${batchSize} words, ${runs} runs (records/s)`,
    ['implementation', 'median', 'min', 'max', 'vs millrace', 'GC ms/run'],
    rows.map((row) => [
      row.name,
      formatRate(row.recordsPerSecond.median),
      formatRate(row.recordsPerSecond.min),
      formatRate(row.recordsPerSecond.max),
      formatRatio(row.recordsPerSecond.median / rate.millrace),
      row.gcMs.median.toFixed(0),
    ]),
  );
  console.log(
    `millrace / RxJS = ${formatRatio(ratios.millraceOverRxjs)} (target >= 1: ` +
      `${results.pipeline.targets.atLeastRxjs ? 'met' : 'MISSED'}); hand loop / millrace = ` +
      `${formatRatio(ratios.handLoopOverMillrace)} (target <= 2: ` +
      `${results.pipeline.targets.within2xOfHandLoop ? 'met' : 'MISSED'})`,
  );
}

console.log(`\nwrote ${writeResults('engine', results, { isScratch })}`);
