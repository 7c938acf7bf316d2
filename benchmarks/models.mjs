// Models benchmark (issue 8): millrace's streaming k-means, linear and logistic regression side by
// side with scikit-learn's partial_fit models, on the same seeded data, in one run:
//  - update throughput, one pass per batch (millrace with numIterations 1, equal work with one
//    partial_fit, and with Spark's defaults of 50 iterations);
//  - predict throughput;
//  - quality at equal time: each side's held-out metric after the wall time scikit-learn needs
//    for one pass over the stream.
// Usage: node --expose-gc benchmarks/models.mjs [--quick] [--runs=N] [--only=kmeans,linear,logistic]
//        [--no-sklearn]
import * as millrace from 'millrace';
import { ensureDataset } from './lib/datasets.mjs';
import { describeEnvironment } from './lib/environment.mjs';
import { budgetedTrainRun, predictBlocksRun, predictRun, trainRun } from './lib/millrace-runs.mjs';
import { K, MODEL_SPECS, SEED, missingExports } from './lib/model-specs.mjs';
import { qualityTable, throughputTable } from './lib/model-tables.mjs';
import { parseArgs } from './lib/args.mjs';
import { probePython, runPython, sklearnThreadSettings } from './lib/python.mjs';
import { rowsOf } from './lib/quality.mjs';
import { toBatches } from './lib/replay.mjs';
import { writeResults } from './lib/results.mjs';
import { rateOf, repeatInTurns, summarize } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';

const { quick, runs, isScratch, skipSklearn, wants } = parseArgs();
const points = quick ? 20_000 : 200_000;
const testPoints = quick ? 5_000 : 20_000;
const dimensions = [10, 100];
const shapes = dimensions.flatMap((d) => [1_000, 10_000].map((batchSize) => ({ d, batchSize })));
// Keeps `npm run bench` within its time: a row whose runs would take longer gets fewer runs.
const maxSecondsPerRow = quick ? 10 : 40;

const python = skipSklearn ? { available: false, reason: '--no-sklearn given' } : probePython();
if (!python.available) console.log(`scikit-learn rows skipped: ${python.reason}`);
const models = Object.keys(MODEL_SPECS).filter((kind) => wants(kind));
const results = {
  benchmark: 'models',
  quick,
  runs,
  points,
  testPoints,
  k: K,
  seed: SEED,
  models,
  shapes,
  // How each data set was generated (benchmarks/lib/datasets.mjs documents the generators).
  datasets: Object.fromEntries(
    Object.keys(MODEL_SPECS).map((kind) => [
      kind,
      dimensions.map((d) => MODEL_SPECS[kind].dataset(d, points, testPoints)),
    ]),
  ),
  environment: describeEnvironment(python),
  // The models' kernel threads as millrace sets them by default (what a user gets).
  millraceKernels:
    typeof millrace.configureKernels === 'function' ? await millrace.configureKernels({}) : null,
  kernelBackend: typeof millrace.kernelBackend === 'function' ? millrace.kernelBackend() : null,
  update: [],
  predict: [],
  quality: [],
  skipped: [],
};

function throughputEntry(model, shape, library, implementation, seconds, extra = {}) {
  return {
    model,
    ...shape,
    points,
    library,
    implementation,
    ...extra,
    runs: seconds.length,
    seconds,
    pointsPerSecond: rateOf(points, seconds),
  };
}

/** GC time inside the runs (median, min, max ms): how much of a row is memory churn. */
const gcSummary = (runResults) => summarize(runResults.map((run) => run.gcMs));

function qualityEntry(model, shape, library, implementation, metric, runsOfIt) {
  const summary = (values) => (values.length > 0 ? summarize(values).median : undefined);
  return {
    model,
    ...shape,
    library,
    implementation,
    points: summary(runsOfIt.map((run) => run.points).filter((value) => value !== undefined)),
    trainingSeconds: summary(
      runsOfIt.map((run) => run.trainingSeconds).filter((value) => value !== undefined),
    ),
    metric: {
      name: metric.name,
      better: metric.better,
      ...summarize(runsOfIt.map((run) => run.metric)),
    },
    runs: runsOfIt,
  };
}

/** Both sides must read the very same numbers: python's view of the file is checked here. */
function checkSameData(check, { features, labels }, d) {
  const n = labels.length;
  const same = (a, b) => a.length === b.length && a.every((value, i) => value === b[i]);
  if (
    !same(check.shape, [n, d]) ||
    !same(check.first_row, Array.from(features.subarray(0, d))) ||
    !same(check.last_row, Array.from(features.subarray((n - 1) * d))) ||
    check.last_label !== labels[n - 1]
  ) {
    throw new Error(`python read different data: ${JSON.stringify(check).slice(0, 200)}`);
  }
}

/**
 * The scikit-learn rows of one shape, under each thread setting; returns the answer of the
 * faster setting (its one-pass time is the quality budget, its final model the one scored).
 */
function measureSklearn(kind, spec, data, shape) {
  if (!python.available) return undefined;
  let best;
  for (const setting of sklearnThreadSettings(python)) {
    const request = {
      data: data.path,
      model: kind,
      batch_size: shape.batchSize,
      runs,
      warmup: 1,
      max_seconds: maxSecondsPerRow,
      k: K,
      seed: SEED,
    };
    const answer = runPython('sklearn_models.py', request, setting.env);
    checkSameData(answer.data_check, data.arrays, shape.d);
    const extra = { threads: setting.threads, config: answer.config };
    const label = (name) => `${name} (${setting.label})`;
    results.update.push(
      throughputEntry(
        kind,
        shape,
        'scikit-learn',
        label(spec.sklearn),
        answer.update_seconds,
        extra,
      ),
    );
    results.predict.push(
      throughputEntry(
        kind,
        shape,
        'scikit-learn',
        label(spec.sklearnPredict),
        answer.predict_seconds,
        {
          threads: setting.threads,
        },
      ),
    );
    const median = summarize(answer.update_seconds).median;
    if (best === undefined || median < best.median) best = { ...answer, median, setting };
  }
  return best;
}

/** One VectorBlock per batch: views of consecutive rows of the data file's features. */
function blockBatches(data, d, batchSize) {
  const { features } = data.arrays;
  const batches = [];
  for (let start = 0; start < points; start += batchSize) {
    const end = Math.min(points, start + batchSize);
    batches.push([new millrace.VectorBlock(features.subarray(start * d, end * d), d)]);
  }
  return batches;
}

/** The millrace rows of one shape: updates for each config, predict, quality at equal time. */
async function measureMillrace(kind, spec, data, records, shape, sklearn) {
  const { d, batchSize } = shape;
  const trainBatches = toBatches(records.train, batchSize);
  const updates = await repeatInTurns(
    Object.fromEntries(
      spec.configs.map((config) => [config.name, trainRun(spec, config, d, trainBatches)]),
    ),
    { runs, maxSeconds: maxSecondsPerRow },
  );
  for (const config of spec.configs) {
    const seconds = updates[config.name].map((run) => run.seconds);
    const extra = { options: config.options, gcMs: gcSummary(updates[config.name]) };
    results.update.push(throughputEntry(kind, shape, 'millrace', config.name, seconds, extra));
  }
  const vectorBatches = toBatches(records.vectors, batchSize);
  const predictions = await repeatInTurns(
    {
      predictOn: predictRun(spec, data.arrays, d, vectorBatches),
      predictOnBlocks: predictBlocksRun(spec, data.arrays, d, blockBatches(data, d, batchSize)),
    },
    { runs, maxSeconds: maxSecondsPerRow },
  );
  const predictRows = {
    predictOn: 'predictOn (a record per vector)',
    predictOnBlocks: 'predictOnBlocks (one VectorBlock per batch)',
  };
  for (const [method, label] of Object.entries(predictRows)) {
    for (const run of predictions[method]) {
      if (run.predicted !== points) throw new Error(`${method} gave ${run.predicted} of ${points}`);
    }
    const seconds = predictions[method].map((run) => run.seconds);
    results.predict.push(
      throughputEntry(kind, shape, 'millrace', `${spec.classes[0]}.${label}`, seconds, {
        gcMs: gcSummary(predictions[method]),
      }),
    );
  }
  if (sklearn === undefined) return;
  const budget = sklearn.median;
  const score = (parameters) => spec.metric.score(parameters, data.arrays, d);
  results.quality.push(
    qualityEntry(
      kind,
      shape,
      'scikit-learn',
      `${spec.sklearn} (${sklearn.setting.label}, one pass)`,
      spec.metric,
      [{ points, trainingSeconds: budget, metric: score(sklearn.final) }],
    ),
  );
  const budgeted = await repeatInTurns(
    Object.fromEntries(
      spec.configs.map((config) => [
        config.name,
        budgetedTrainRun(spec, config, d, trainBatches, budget),
      ]),
    ),
    { runs, warmup: 0 },
  );
  for (const config of spec.configs) {
    const runsOfIt = budgeted[config.name].map((run) => ({
      seconds: run.seconds,
      points: run.points,
      trainingSeconds: run.trainingSeconds,
      metric: score(run.parameters),
    }));
    results.quality.push({
      ...qualityEntry(kind, shape, 'millrace', config.name, spec.metric, runsOfIt),
      budgetSeconds: budget,
    });
  }
  results.quality.push(
    qualityEntry(kind, shape, 'reference', 'true generating parameters', spec.metric, [
      { metric: score(spec.truth(data.arrays, d)) },
    ]),
  );
}

for (const kind of models) {
  const spec = MODEL_SPECS[kind];
  const missing = missingExports(spec);
  if (missing) results.skipped.push({ model: kind, reason: missing });
  for (const d of dimensions) {
    const data = ensureDataset(spec.dataset(d, points, testPoints));
    const records = missing
      ? undefined
      : { train: spec.trainRecords(data.arrays, d), vectors: rowsOf(data.arrays.features, d) };
    for (const shape of shapes.filter((candidate) => candidate.d === d)) {
      console.log(`${kind}, d=${d}, batch ${shape.batchSize}...`);
      const sklearn = measureSklearn(kind, spec, data, shape);
      if (!missing) await measureMillrace(kind, spec, data, records, shape, sklearn);
    }
  }
}
if (!python.available) results.skipped.push({ model: 'scikit-learn', reason: python.reason });

for (const table of [
  throughputTable(results, 'update'),
  throughputTable(results, 'predict'),
  qualityTable(results),
]) {
  printTable(table.title, table.header, table.rows);
}
console.log(`\nwrote ${writeResults('models', results, { isScratch })}`);
