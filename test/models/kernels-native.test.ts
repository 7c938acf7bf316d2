import { execFileSync } from 'node:child_process';
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
      logistic: logistic.gradient,
      gram,
      nonFinite: wasmNonFiniteRows(rows),
    },
    toLastPlace: { probabilities, logisticLoss: [logisticLoss.lossSum, ...logisticLoss.gradient] },
  };
}

/** |actual − expected| within `relative`·|expected| (+ the same absolute near 0); NaN matches NaN. */
function expectClose(actual: number, expected: number, relative: number): void {
  if (Number.isNaN(expected)) expect(actual).toBeNaN();
  else expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * (1 + Math.abs(expected)));
}

function batch(seed: number, n: number, d: number, k: number) {
  const random = new SeededRandom(seed);
  const data = Float64Array.from({ length: n * d }, () => random.nextGaussian());
  // A few exact duplicates of a centre and of each other: ties the exact path must settle.
  const centers = Float64Array.from({ length: k * d }, () => random.nextGaussian());
  if (n > 2) data.set(centers.subarray(0, d), 0);
  if (n > 4) data.copyWithin(3 * d, d, 2 * d);
  if (n > 6 && d > 1) data[5 * d + 1] = Number.NaN;
  const labels = Float64Array.from({ length: n }, () => (random.nextDouble() < 0.5 ? 0 : 1));
  const rows: DenseRows = { kind: 'dense', n, d, data };
  return { rows, labels, centers };
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
        async (n, d, k, seed) => {
          const { rows, labels, centers } = batch(seed, n, d, k);
          await configureKernels({ native: false });
          const webAssembly = everyKernel(rows, labels, centers, k);
          await configureKernels({ native: true });
          const native = everyKernel(rows, labels, centers, k);
          expect(native.exact).toEqual(webAssembly.exact);
          const wasmValues = webAssembly.toLastPlace;
          // A probability is one exp and a division: a few units in the last place at most.
          native.toLastPlace.probabilities.forEach((p, i) => {
            expectClose(p, wasmValues.probabilities[i], 4 * Number.EPSILON);
          });
          // Losses sum up to 700 log1p(exp) terms, each a few units in the last place apart.
          native.toLastPlace.logisticLoss.forEach((value, i) => {
            expectClose(value, wasmValues.logisticLoss[i], 1e-12);
          });
        },
      ),
      { numRuns: 60 },
    );
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
    expect(native.bad).toEqual([5, 5]); // the NaN row, once per model
    expect(block.values).toEqual(values); // read, never written
  });

  it('keep freed memory for reuse in glibc, as configured', async () => {
    const kernels = nativeKernels();
    expect(kernels?.retainFreedMemory(64 * 2 ** 20)).toBe(true); // this machine's libc is glibc
    await expect(configureKernels({ retainFreedMemory: -1 })).rejects.toThrow(
      /retainFreedMemory must be a whole number of bytes >= 0, got -1/,
    );
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
