import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  allocateKernelArray,
  ConfigurationError,
  configureKernels,
  kernelBackend,
  LinearRegressionModel,
  releaseKernelArray,
  StreamingKMeansModel,
  VectorBlock,
  wasmClusterStatistics,
  wasmGradientSum,
  wasmGramSums,
  wasmNearestCenters,
  wasmNonFiniteRows,
  wasmPredictLinear,
  type DenseRows,
} from '../../src/index.js';
import { nativeKernels } from '../../src/models/kernels/kernel-backend.js';
import { SeededRandom } from '../../src/models/random.js';

/*
 * The native kernels (native/kernels.c) against the WebAssembly ones: the same bits for every
 * kernel and shape (logistic probabilities and losses to the last place: the C library's exp and
 * log1p may differ there), arrays read in place, and the switch between them.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));

afterAll(async () => {
  await configureKernels({ native: true });
});

/** Everything every kernel computes for one batch, on the backend in force. */
function everyKernel(rows: DenseRows, labels: Float64Array, centers: Float64Array, k: number) {
  const { n, d } = rows;
  const weights = Float64Array.from({ length: d }, (_, j) => Math.sin(j + 1));
  const sample = Int32Array.from({ length: Math.floor(n / 2) }, (_, i) => 2 * i + (i % 2));
  const assignment = new Int32Array(n);
  const distances = new Float64Array(n);
  wasmNearestCenters(rows, centers, k, assignment, distances);
  const statistics = wasmClusterStatistics(rows, centers, k, { cost: true });
  const margins = new Float64Array(n);
  wasmPredictLinear(rows, weights, 0.25, 'margin', margins);
  const probabilities = new Float64Array(n);
  wasmPredictLinear(rows, weights, 0.25, 'probability', probabilities);
  const squares = wasmGradientSum('leastSquares', rows, labels, weights);
  const sampled = wasmGradientSum('leastSquares', rows, labels, weights, { sample });
  const logistic = wasmGradientSum('logistic', rows, labels, weights, { withLoss: false });
  const logisticLoss = wasmGradientSum('logistic', rows, labels, weights);
  const gram = wasmGramSums(rows, labels);
  return {
    exact: {
      assignment,
      distances,
      statistics,
      margins,
      squares,
      sampled,
      gram,
      nonFinite: wasmNonFiniteRows(rows),
    },
    // Through exp (and log1p for the loss): the C library's and AssemblyScript's may differ in
    // the last place.
    toLastPlace: {
      probabilities,
      logistic: [...logistic.gradient, logisticLoss.lossSum, ...logisticLoss.gradient],
    },
  };
}

/** |actual − expected| within `relative`·|expected| (+ the same absolute near 0); NaN matches NaN. */
function expectClose(actual: number, expected: number, relative: number): void {
  if (Number.isNaN(expected)) expect(actual).toBeNaN();
  else expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * (1 + Math.abs(expected)));
}

/** Batches that reach every path of the kernels, the k-means exact path included. */
type Variant = 'plain' | 'ties' | 'far' | 'nanCentre';

function batch(seed: number, n: number, d: number, k: number, variant: Variant = 'plain') {
  const random = new SeededRandom(seed);
  const data = Float64Array.from({ length: n * d }, () => random.nextGaussian());
  const centers = Float64Array.from({ length: k * d }, () => random.nextGaussian());
  if (variant === 'ties' && k >= 3) {
    // Centre 1 duplicates centre 0, and rows 1-3 sit at the midpoint of centres 0 and 2: the
    // expanded distances can't tell these apart, so the direct form must (ties to the lowest).
    centers.copyWithin(d, 0, d);
    for (let row = 1; row < Math.min(n, 4); row++) {
      for (let j = 0; j < d; j++) data[row * d + j] = (centers[j] + centers[2 * d + j]) / 2;
    }
  }
  // Far from the origin, ‖x‖² and x·c nearly cancel in the expansion: more rows go exact.
  if (variant === 'far')
    for (const values of [data, centers]) values.forEach((v, i) => (values[i] = v + 1e8));
  // A NaN centre: every row to the direct form, which never picks it.
  if (variant === 'nanCentre' && k >= 2) centers[d] = Number.NaN;
  if (n > 4) data.set(centers.subarray(0, d), 4 * d); // a row on a centre
  if (n > 6) data.copyWithin(5 * d, 6 * d, 7 * d); // a duplicated row
  if (n > 8 && d > 1) data[8 * d + 1] = Number.NaN;
  const labels = Float64Array.from({ length: n }, () => (random.nextDouble() < 0.5 ? 0 : 1));
  const rows: DenseRows = { kind: 'dense', n, d, data };
  return { rows, labels, centers };
}

/** Runs every kernel on both backends and checks they agree: bit for bit, or to the last place. */
async function expectBackendsToAgree(
  rows: DenseRows,
  labels: Float64Array,
  centers: Float64Array,
  k: number,
): Promise<void> {
  await configureKernels({ native: false });
  const webAssembly = everyKernel(rows, labels, centers, k);
  await configureKernels({ native: true });
  const native = everyKernel(rows, labels, centers, k);
  expect(native.exact).toEqual(webAssembly.exact);
  const expected = webAssembly.toLastPlace;
  // A probability is one exp and a division: a few units in the last place at most.
  native.toLastPlace.probabilities.forEach((p, i) => {
    expectClose(p, expected.probabilities[i], 4 * Number.EPSILON);
  });
  // Gradients and losses sum up to 700 terms, each a few units in the last place apart.
  native.toLastPlace.logistic.forEach((value, i) => {
    expectClose(value, expected.logistic[i], 1e-12);
  });
}

describe('the native kernels', () => {
  it('are built and in use by default, for this processor', () => {
    const backend = kernelBackend();
    // scripts/test.sh builds them (npm run build) and fails if they can't be built.
    expect(backend.name, backend.reason).toBe('native');
    expect(backend.instructionSet).toMatch(/^x86-64/);
  });

  it('give the WebAssembly kernels’ bits for every kernel and shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 19 }),
        fc.integer(),
        fc.constantFrom<Variant>('plain', 'ties', 'far', 'nanCentre'),
        async (n, d, k, seed, variant) => {
          const { rows, labels, centers } = batch(seed, n, d, k, variant);
          await expectBackendsToAgree(rows, labels, centers, k);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('agree at wide rows too: around the eight-row k-means limit of 256 values, and past it', async () => {
    for (const d of [255, 256, 257, 300]) {
      const { rows, labels, centers } = batch(d, 203, d, 10, 'ties');
      await expectBackendsToAgree(rows, labels, centers, 10);
    }
  });

  it('settle exact ties by the direct form, to the lowest index', async () => {
    // Centres 0 and 1 are the same point; rows 1-3 are equidistant from centres 0 and 2.
    const { rows, centers } = batch(5, 64, 3, 4, 'ties');
    const assignment = new Int32Array(rows.n);
    await configureKernels({ native: true });
    wasmNearestCenters(rows, centers, 4, assignment);
    const direct = (row: number, c: number) => {
      let sum = 0;
      for (let j = 0; j < 3; j++) sum += (rows.data[row * 3 + j] - centers[c * 3 + j]) ** 2;
      return sum;
    };
    for (let row = 0; row < rows.n; row++) {
      if (row === 8) continue; // the NaN row
      const distances = [0, 1, 2, 3].map((c) => direct(row, c));
      expect(assignment[row]).toBe(distances.indexOf(Math.min(...distances)));
    }
    expect(assignment[4]).toBe(0); // on centre 0, which centre 1 duplicates
  });

  it('read arrays in place, in kernel memory or not, with the same results', () => {
    const { rows, centers } = batch(3, 1000, 10, 4);
    const shared = allocateKernelArray(rows.n * rows.d);
    try {
      shared.set(rows.data);
      const inPlace = new Int32Array(rows.n);
      const fromKernelMemory = new Int32Array(rows.n);
      wasmNearestCenters(rows, centers, 4, inPlace);
      wasmNearestCenters({ ...rows, data: shared }, centers, 4, fromKernelMemory);
      expect(inPlace).toEqual(fromKernelMemory);
      // A subarray view starts mid-buffer: the kernel must read from its offset.
      const offsetRows = { ...rows, n: 10, data: rows.data.subarray(5 * rows.d, 15 * rows.d) };
      const offsetAssignment = new Int32Array(10);
      wasmNearestCenters(offsetRows, centers, 4, offsetAssignment);
      expect(offsetAssignment).toEqual(inPlace.subarray(5, 15));
    } finally {
      releaseKernelArray(shared);
    }
  });

  it('leave a model’s block predictions and the block itself as on WebAssembly', async () => {
    const { rows } = batch(11, 3000, 10, 3);
    const values = rows.data.slice();
    const block = new VectorBlock(rows.data, 10);
    const linear = new LinearRegressionModel(Float64Array.from({ length: 10 }, (_, j) => j - 4));
    const kmeans = new StreamingKMeansModel(
      Array.from({ length: 3 }, (_, c) => Array.from({ length: 10 }, (_, j) => c * j)),
      [1, 1, 1],
    );
    const predictAll = () => {
      const bad: number[] = [];
      return {
        linear: linear.predictBlock(block, (_row, index) => bad.push(index)),
        kmeans: kmeans.predictBlock(block, (_row, index) => bad.push(index)),
        bad,
      };
    };
    await configureKernels({ native: false });
    const webAssembly = predictAll();
    await configureKernels({ native: true });
    const native = predictAll();
    expect(native).toEqual(webAssembly);
    expect(native.bad).toEqual([8, 8]); // the NaN row, once per model
    expect(block.values).toEqual(values); // read, never written
  });

  it('keep freed memory for reuse in glibc, as configured', async () => {
    const kernels = nativeKernels();
    expect(kernels?.retainFreedMemory(64 * 2 ** 20)).toBe(true); // this machine's libc is glibc
    for (const bad of [-1, 0.5, 2 ** 30 + 1]) {
      await expect(configureKernels({ retainFreedMemory: bad })).rejects.toThrow(
        /retainFreedMemory must be a whole number of bytes from 0 to 2\^30 \(1 GiB\)/,
      );
    }
    const settings = await configureKernels({ retainFreedMemory: 0 });
    expect(settings.retainFreedMemory).toBe(0);
    await configureKernels({ retainFreedMemory: 64 * 2 ** 20 });
  });

  it('never see an array of another element type: the wrappers refuse it first', async () => {
    const rows = { kind: 'dense', n: 4, d: 2, data: new Float64Array(8) } as const;
    const centers = Float64Array.of(0, 0, 1, 1);
    for (const native of [true, false]) {
      await configureKernels({ native });
      // A Float32Array holds half the bytes the kernel would read: past its end, in C.
      const narrow = { ...rows, data: new Float32Array(8) as unknown as Float64Array };
      expect(() => wasmNearestCenters(narrow, centers, 2, new Int32Array(4))).toThrow(
        /rows.data must be a Float64Array, got Float32Array/,
      );
      const wide = new Float64Array(4) as unknown as Int32Array;
      expect(() => wasmNearestCenters(rows, centers, 2, wide)).toThrow(
        /assignment must be an Int32Array, got Float64Array/,
      );
      const labels = [1, 2, 3, 4] as unknown as Float64Array;
      expect(() => wasmGradientSum('leastSquares', rows, labels, new Float64Array(2))).toThrow(
        ConfigurationError,
      );
    }
    await configureKernels({ native: true });
  });

  it('refuse arguments of the wrong type with a TypeError instead of crashing', () => {
    const kernels = nativeKernels();
    expect(kernels).toBeDefined();
    expect(() => kernels?.nonFiniteRows('rows' as never, 1, 1, new Int32Array(1))).toThrow(
      TypeError,
    );
    expect(() => kernels?.kmeansAssign(1, 2)).toThrow(/too few arguments/);
  });
});

describe('the native kernels in several threads', () => {
  it('keep each thread’s kernel memory apart (the addon is loaded once per process)', () => {
    // Every thread has its own WebAssembly memory; statistics go through reserved addresses in
    // it. Three threads at once must each get the single-thread answer, every time.
    const program = `
      import { Worker, isMainThread, parentPort } from 'node:worker_threads';
      import { kernelBackend, wasmClusterStatistics } from 'millrace';
      const n = 4096, d = 12, k = 7;
      const data = Float64Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.37) * 5);
      const centers = data.slice(0, k * d);
      const rows = { kind: 'dense', n, d, data };
      const once = () => Array.from(wasmClusterStatistics(rows, centers, k).sums).join();
      const expected = once();
      // The workers start first, so that all three threads compute at the same time.
      const workers = isMainThread
        ? [0, 1].map(() => new Worker(new URL(import.meta.url), { type: 'module' }))
        : [];
      let mismatches = 0;
      for (let i = 0; i < 2000; i++) if (once() !== expected) mismatches++;
      if (isMainThread) {
        const answers = await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
        // Once the workers (and their memories) are gone, this thread still computes right.
        for (let i = 0; i < 50; i++) if (once() !== expected) mismatches++;
        console.log(JSON.stringify({ backend: kernelBackend().name, mismatches, answers, same: answers.every((a) => a.expected === expected) }));
      } else {
        parentPort.postMessage({ expected, mismatches });
      }
    `;
    // Inside the package, so that 'millrace' resolves to the built package by its name.
    const directory = mkdtempSync(join(root, '.kernel-threads-'));
    const file = join(directory, 'threads.mjs');
    let output: string;
    try {
      writeFileSync(file, program);
      output = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8' });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    const result = JSON.parse(output) as {
      backend: string;
      mismatches: number;
      answers: { mismatches: number }[];
      same: boolean;
    };
    expect(result.backend).toBe('native');
    expect(result.mismatches).toBe(0);
    expect(result.answers.map((a) => a.mismatches)).toEqual([0, 0]);
    expect(result.same).toBe(true);
  });
});

describe('choosing the kernels', () => {
  it('validates the setting and says why WebAssembly runs when the native kernels are off', async () => {
    await expect(configureKernels({ native: 'yes' as never })).rejects.toThrow(ConfigurationError);
    await configureKernels({ native: false });
    expect(kernelBackend()).toEqual({
      name: 'webassembly',
      reason: 'turned off by configureKernels({ native: false })',
    });
    await configureKernels({ native: true });
    expect(kernelBackend().name).toBe('native');
  });

  it('in the built package: native by default, WebAssembly with MILLRACE_KERNELS=webassembly', () => {
    const program = `
      import { kernelBackend, wasmNearestCenters } from 'millrace';
      const rows = { kind: 'dense', n: 2, d: 1, data: Float64Array.of(0.2, 7) };
      const assignment = new Int32Array(2);
      wasmNearestCenters(rows, Float64Array.of(0, 5), 2, assignment);
      console.log(JSON.stringify({ backend: kernelBackend().name, assignment: Array.from(assignment) }));
    `;
    const run = (environment: Record<string, string>) =>
      JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', program], {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, ...environment },
        }),
      ) as unknown;
    expect(run({})).toEqual({ backend: 'native', assignment: [0, 1] });
    expect(run({ MILLRACE_KERNELS: 'webassembly' })).toEqual({
      backend: 'webassembly',
      assignment: [0, 1],
    });
  });
});
