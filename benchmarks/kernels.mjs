// Kernel micro-benchmark (issue 8, item 2): points/s of each batch kernel at the shapes
// (k = 10, d ∈ {10, 100}, batches of 1k and 10k points), for
//   - plain JS: straightforward Float64Array loops, one thread (the baseline to beat);
//   - wasm, copied: the WebAssembly SIMD kernel on one thread, batch in an ordinary array (the
//     wrapper copies it into kernel memory on each call);
//   - wasm: the same with the batch packed in kernel memory (allocateKernelArray: no copy);
//   - wasm + pool: the batch split over the calling thread and the worker threads;
//   - native: the C kernels (native/kernels.c) on one thread, reading the ordinary array in place;
//   - auto: the parallel entry points with the default settings (what models get: native when
//     built, else WebAssembly with the default size threshold for the pool).
// Kernel-only figures: the models' end-to-end rows are in models.mjs. A second part
// (`crossover`) times one thread against the pool on growing batches, kernel alone; the
// minParallelWork default comes from end-to-end runs instead (see parallel-kernels.ts).
// Usage: node --expose-gc benchmarks/kernels.mjs [--quick] [--runs=N] [--only=kernels,crossover]
//        [--threads=N]
import {
  allocateKernelArray,
  closeKernelThreads,
  configureKernels,
  kernelBackend,
  parallelClusterStatistics,
  parallelGradientSum,
  parallelGramSums,
  parallelNearestCenters,
  parallelPredictLinear,
  releaseKernelArray,
  wasmClusterStatistics,
  wasmGradientSum,
  wasmGramSums,
  wasmNearestCenters,
  wasmPredictLinear,
} from 'millrace';
import { parseArgs } from './lib/args.mjs';
import { describeEnvironment } from './lib/environment.mjs';
import { SeededRandom } from './lib/random.mjs';
import { writeResults } from './lib/results.mjs';
import { rateOf, repeatInTurns, secondsSince } from './lib/stats.mjs';
import { formatRate, formatRatio, printTable } from './lib/table.mjs';

const { quick, runs, wants, isScratch } = parseArgs();
const threadsArgument = process.argv.find((arg) => arg.startsWith('--threads='));
const K = 10;
const SEED = 7;
const points = quick ? 20_000 : 200_000;
const shapes = [10, 100].flatMap((d) => [1_000, 10_000].map((batchSize) => ({ d, batchSize })));
const defaults = await configureKernels({});
const threads = threadsArgument ? Number(threadsArgument.split('=')[1]) : defaults.threads;
await configureKernels({ threads });
const results = {
  benchmark: 'kernels',
  quick,
  runs,
  points,
  k: K,
  seed: SEED,
  kernelThreads: threads,
  defaultMinParallelWork: defaults.minParallelWork,
  environment: describeEnvironment(),
  kernelBackend: kernelBackend(),
  rows: [],
  crossover: [],
};

// Plain JS baselines ----------------------------------------------------------------------------
// Row-major n × d rows, k × d centres: the loops a straightforward TypeScript port would write.

function plainClusterStatistics(data, n, d, centers, k, assignment) {
  const norms = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) norms[c] += centers[c * d + j] * centers[c * d + j];
  }
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = Infinity;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += data[i * d + j] * centers[c * d + j];
      const value = norms[c] - 2 * dot;
      if (value < bestValue) {
        bestValue = value;
        best = c;
      }
    }
    if (assignment !== undefined) assignment[i] = best;
    counts[best] += 1;
    for (let j = 0; j < d; j++) sums[best * d + j] += data[i * d + j];
  }
  return { sums, counts };
}

function plainGradientSum(logistic, data, n, d, labels, weights) {
  const gradient = new Float64Array(d);
  let lossSum = 0;
  for (let i = 0; i < n; i++) {
    let margin = 0;
    for (let j = 0; j < d; j++) margin += data[i * d + j] * weights[j];
    let multiplier;
    if (logistic) {
      const m = -margin;
      const log1pExp = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      multiplier = 1 / (1 + Math.exp(m)) - labels[i];
      lossSum += labels[i] > 0 ? log1pExp : log1pExp - m;
    } else {
      multiplier = margin - labels[i];
      lossSum += (multiplier * multiplier) / 2;
    }
    for (let j = 0; j < d; j++) gradient[j] += multiplier * data[i * d + j];
  }
  return { gradient, lossSum };
}

function plainGramSums(data, n, d, labels) {
  const gram = new Float64Array(d * d);
  const labelSums = new Float64Array(d);
  let labelSquares = 0;
  for (let r = 0; r < n; r++) {
    const base = r * d;
    for (let i = 0; i < d; i++) {
      const xi = data[base + i];
      for (let j = i; j < d; j++) gram[i * d + j] += xi * data[base + j];
      labelSums[i] += labels[r] * xi;
    }
    labelSquares += labels[r] * labels[r];
  }
  return { gram, labelSums, labelSquares };
}

function plainPredict(data, n, d, weights, out) {
  for (let i = 0; i < n; i++) {
    let margin = 0;
    for (let j = 0; j < d; j++) margin += data[i * d + j] * weights[j];
    out[i] = margin;
  }
}

// Data ------------------------------------------------------------------------------------------

/** One shape's stream: `points` rows in kernel memory and in an ordinary array, cut in batches. */
function makeStream({ d, batchSize }) {
  const random = new SeededRandom(SEED + d);
  const shared = allocateKernelArray(points * d);
  for (let i = 0; i < shared.length; i++) shared[i] = random.nextGaussian();
  const plain = Float64Array.from(shared);
  const labels = Float64Array.from({ length: points }, () => (random.nextDouble() < 0.5 ? 1 : 0));
  const centers = Float64Array.from({ length: K * d }, () => random.nextGaussian());
  const weights = Float64Array.from({ length: d }, () => 0.1 * random.nextGaussian());
  const batches = [];
  for (let start = 0; start < points; start += batchSize) {
    const n = Math.min(batchSize, points - start);
    const slice = (array) => array.subarray(start * d, (start + n) * d);
    batches.push({
      n,
      shared: { kind: 'dense', n, d, data: slice(shared) },
      plain: { kind: 'dense', n, d, data: slice(plain) },
      labels: labels.subarray(start, start + n),
    });
  }
  const out = new Float64Array(batchSize);
  const assignment = new Int32Array(batchSize);
  const release = () => releaseKernelArray(shared);
  return { d, batchSize, batches, centers, weights, out, assignment, release };
}

// Kernels ---------------------------------------------------------------------------------------
// Each kernel: a plain-JS, a one-thread and a parallel way to process one batch.

const KERNELS = {
  'kmeans statistics': {
    plain: (s, b) => plainClusterStatistics(b.plain.data, b.n, s.d, s.centers, K),
    wasm: (s, rows) => wasmClusterStatistics(rows, s.centers, K),
    parallel: (s, rows) => parallelClusterStatistics(rows, s.centers, K),
  },
  'kmeans predict': {
    plain: (s, b) => plainClusterStatistics(b.plain.data, b.n, s.d, s.centers, K, s.assignment),
    wasm: (s, rows) => wasmNearestCenters(rows, s.centers, K, s.assignment),
    parallel: (s, rows) => parallelNearestCenters(rows, s.centers, K, s.assignment),
  },
  'gradient least squares': {
    plain: (s, b) => plainGradientSum(false, b.plain.data, b.n, s.d, b.labels, s.weights),
    wasm: (s, rows, b) => wasmGradientSum('leastSquares', rows, b.labels, s.weights),
    parallel: (s, rows, b) => parallelGradientSum('leastSquares', rows, b.labels, s.weights),
  },
  'gradient logistic': {
    plain: (s, b) => plainGradientSum(true, b.plain.data, b.n, s.d, b.labels, s.weights),
    wasm: (s, rows, b) => wasmGradientSum('logistic', rows, b.labels, s.weights),
    parallel: (s, rows, b) => parallelGradientSum('logistic', rows, b.labels, s.weights),
  },
  // Least squares' Σ x·xᵀ, Σ y·x, Σ y² (the Gram form gradient descent switches to).
  'gram sums': {
    plain: (s, b) => plainGramSums(b.plain.data, b.n, s.d, b.labels),
    wasm: (s, rows, b) => wasmGramSums(rows, b.labels),
    parallel: (s, rows, b) => parallelGramSums(rows, b.labels),
  },
  'predict margins': {
    plain: (s, b) => plainPredict(b.plain.data, b.n, s.d, s.weights, s.out),
    wasm: (s, rows) => wasmPredictLinear(rows, s.weights, 0, 'margin', s.out),
    parallel: (s, rows) => parallelPredictLinear(rows, s.weights, 0, 'margin', s.out),
  },
};

/** Times `once(batch)` over every batch of the stream. */
async function overStream(stream, once) {
  const start = process.hrtime.bigint();
  for (const batch of stream.batches) await once(batch);
  return { seconds: secondsSince(start) };
}

/** The contenders of one kernel on one stream, each a full pass over the stream. */
function contenders(kernel, stream) {
  const withSettings = (settings, run) => async () => {
    await configureKernels(settings);
    return run();
  };
  const webAssembly = { native: false, minParallelWork: defaults.minParallelWork };
  return {
    'plain JS': () => overStream(stream, (b) => kernel.plain(stream, b)),
    'wasm, copied': withSettings(webAssembly, () =>
      overStream(stream, (b) => kernel.wasm(stream, b.plain, b)),
    ),
    wasm: withSettings(webAssembly, () =>
      overStream(stream, (b) => kernel.wasm(stream, b.shared, b)),
    ),
    'wasm + pool': withSettings({ ...webAssembly, minParallelWork: 0 }, () =>
      overStream(stream, (b) => kernel.parallel(stream, b.shared, b)),
    ),
    native: withSettings({ ...webAssembly, native: true }, () =>
      overStream(stream, (b) => kernel.wasm(stream, b.plain, b)),
    ),
    auto: withSettings(defaults, () =>
      overStream(stream, (b) => kernel.parallel(stream, b.shared, b)),
    ),
  };
}

/** Checks once per stream that the contenders agree (a fast wrong kernel is no result). */
async function checkAgreement(stream) {
  const [batch] = stream.batches;
  const plain = plainClusterStatistics(batch.plain.data, batch.n, stream.d, stream.centers, K);
  const wasm = wasmClusterStatistics(batch.shared, stream.centers, K);
  const pooled = await parallelClusterStatistics(batch.shared, stream.centers, K);
  const counts = (stats) => Array.from(stats.counts).join(',');
  if (counts(plain) !== counts(wasm) || counts(wasm) !== counts(pooled)) {
    throw new Error(`k-means counts differ: plain ${counts(plain)}, wasm ${counts(wasm)}`);
  }
}

if (wants('kernels')) {
  for (const shape of shapes) {
    const stream = makeStream(shape);
    await checkAgreement(stream);
    for (const [name, kernel] of Object.entries(KERNELS)) {
      const measured = await repeatInTurns(contenders(kernel, stream), {
        runs,
        maxSeconds: quick ? 5 : 30,
      });
      for (const [implementation, outcomes] of Object.entries(measured)) {
        const seconds = outcomes.map((outcome) => outcome.seconds);
        results.rows.push({
          kernel: name,
          d: shape.d,
          batchSize: shape.batchSize,
          implementation,
          threads: implementation.includes('pool') || implementation.includes('auto') ? threads : 0,
          seconds,
          pointsPerSecond: rateOf(points, seconds),
        });
      }
    }
    stream.release();
  }
  for (const name of Object.keys(KERNELS)) {
    const implementations = Object.keys(contenders(KERNELS[name], { batches: [] }));
    const rows = shapes.map(({ d, batchSize }) => {
      const cells = implementations.map(
        (implementation) =>
          results.rows.find(
            (row) =>
              row.kernel === name &&
              row.d === d &&
              row.batchSize === batchSize &&
              row.implementation === implementation,
          ).pointsPerSecond.median,
      );
      const rate = (implementation) => cells[implementations.indexOf(implementation)];
      return [
        `d=${d}, batch ${batchSize / 1000}k`,
        ...cells.map(formatRate),
        formatRatio(rate('wasm') / rate('plain JS')),
        formatRatio(rate('wasm + pool') / rate('plain JS')),
        formatRatio(rate('native') / rate('wasm')),
      ];
    });
    printTable(
      `${name}: points/s (median of ${runs}; k = ${K}, ${points} points; pool = calling thread + ${threads} worker${threads === 1 ? '' : 's'})`,
      ['shape', ...implementations, 'wasm ÷ plain', 'pool ÷ plain', 'native ÷ wasm'],
      rows,
    );
  }
}

// Crossover: one thread against the pool on growing batches ----------------------------------

if (wants('crossover') && threads > 0) {
  const sizes = quick ? [256, 1024, 4096] : [128, 256, 512, 1024, 2048, 4096, 8192];
  const repeats = quick ? 50 : 300;
  // The pool serves the WebAssembly kernels: the crossover compares them on one and more threads.
  await configureKernels({ native: false, minParallelWork: 0 });
  const table = [];
  for (const [name, d] of [
    ['kmeans statistics', 10],
    ['kmeans statistics', 100],
    ['gradient logistic', 10],
    ['gradient logistic', 100],
  ]) {
    const stream = makeStream({ d, batchSize: Math.max(...sizes) });
    const kernel = KERNELS[name];
    for (const n of sizes) {
      const rows = { kind: 'dense', n, d, data: stream.batches[0].shared.data.subarray(0, n * d) };
      const batch = { labels: stream.batches[0].labels.subarray(0, n) };
      const best = async (run) => {
        let fastest = Infinity;
        for (let round = 0; round < 5; round++) {
          const start = process.hrtime.bigint();
          for (let i = 0; i < repeats; i++) await run();
          fastest = Math.min(fastest, secondsSince(start) / repeats);
        }
        return fastest;
      };
      const alone = await best(() => kernel.wasm(stream, rows, batch));
      const pooled = await best(() => kernel.parallel(stream, rows, batch));
      const entry = { kernel: name, d, n, alone, pooled };
      results.crossover.push(entry);
      table.push([
        `${name}, d=${d}`,
        n,
        `${(alone * 1e6).toFixed(1)} µs`,
        `${(pooled * 1e6).toFixed(1)} µs`,
        formatRatio(alone / pooled),
      ]);
    }
    stream.release();
  }
  printTable(
    `Crossover: fastest of 5 × ${repeats} calls, one thread against calling thread + ${threads} worker(s)`,
    ['kernel', 'n', 'one thread', 'pool', 'speedup'],
    table,
  );
}

await configureKernels(defaults);
await closeKernelThreads();
// A run with another thread count than the default is an experiment, not the published figures.
const path = writeResults('kernels', results, {
  isScratch: isScratch || threadsArgument !== undefined,
});
console.log(`\nwrote ${path}`);
