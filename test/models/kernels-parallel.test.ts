import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeKernelThreads,
  ConfigurationError,
  configureKernels,
  KernelWorkerError,
  parallelClusterStatistics,
  parallelGradientSum,
  parallelNearestCenters,
  parallelPredictLinear,
  wasmClusterStatistics,
  wasmGradientSum,
  wasmNearestCenters,
  wasmPredictLinear,
} from '../../src/index.js';
import { KernelPool } from '../../src/models/kernels/parallel-pool.js';
import { clusterStatisticsPlan } from '../../src/models/kernels/wasm-kmeans.js';
import { BLOCK_ROWS, type BlockJob } from '../../src/models/kernels/wasm-job.js';
import { KernelAllocations } from '../../src/models/kernels/wasm-memory.js';
import { kernelRuntime, type KernelArgument } from '../../src/models/kernels/wasm-module.js';
import { SeededRandom } from '../../src/models/random.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function rowsOf(data: Float64Array, n: number, d: number) {
  return { kind: 'dense' as const, n, d, data };
}

function gaussians(random: SeededRandom, length: number): Float64Array {
  return Float64Array.from({ length }, () => random.nextGaussian());
}

/** Every kernel's output on one batch, through the worker threads or on this thread alone. */
async function allOutputs(n: number, d: number, k: number, seed: number, useThreads: boolean) {
  const random = new SeededRandom(seed);
  const rows = rowsOf(gaussians(random, n * d), n, d);
  const centers = gaussians(random, k * d);
  const labels = Float64Array.from({ length: n }, () => (random.nextDouble() < 0.5 ? 1 : 0));
  const weights = gaussians(random, d);
  const sample = Int32Array.from({ length: Math.floor(n / 3) }, (_, i) => 3 * i);
  const assignment = new Int32Array(n);
  const distances = new Float64Array(n);
  const probabilities = new Float64Array(n);
  const options = { assignment: new Int32Array(n), cost: true };
  if (useThreads) {
    return {
      statistics: await parallelClusterStatistics(rows, centers, k, options),
      nearest: await parallelNearestCenters(rows, centers, k, assignment, distances),
      gradient: await parallelGradientSum('logistic', rows, labels, weights, { sample }),
      squares: await parallelGradientSum('leastSquares', rows, labels, weights),
      predicted: await parallelPredictLinear(rows, weights, 0.5, 'probability', probabilities),
      assignment,
      distances,
      probabilities,
      statisticsAssignment: options.assignment,
    };
  }
  return {
    statistics: wasmClusterStatistics(rows, centers, k, options),
    nearest: wasmNearestCenters(rows, centers, k, assignment, distances),
    gradient: wasmGradientSum('logistic', rows, labels, weights, { sample }),
    squares: wasmGradientSum('leastSquares', rows, labels, weights),
    predicted: wasmPredictLinear(rows, weights, 0.5, 'probability', probabilities),
    assignment,
    distances,
    probabilities,
    statisticsAssignment: options.assignment,
  };
}

afterAll(async () => {
  await closeKernelThreads();
});

describe('kernels on worker threads', () => {
  it('give the same bits as the calling thread alone, for any number of threads', async () => {
    // Partials are per 256-row block and merged in block order, so splitting the blocks over
    // threads can't change a single rounding: equality here is exact, not within a tolerance.
    for (const threads of [1, 3]) {
      await configureKernels({ threads, minParallelWork: 0 });
      for (const [n, d, k] of [
        [1, 3, 2],
        [257, 5, 3],
        [1000, 10, 10],
        [2500, 33, 9],
      ]) {
        const alone = await allOutputs(n, d, k, n + d, false);
        const threaded = await allOutputs(n, d, k, n + d, true);
        expect(threaded).toEqual(alone);
      }
    }
  });

  it('queue concurrent calls and answer each one correctly', async () => {
    await configureKernels({ threads: 1, minParallelWork: 0 });
    const random = new SeededRandom(99);
    const batches = Array.from({ length: 6 }, () => rowsOf(gaussians(random, 800 * 4), 800, 4));
    const centers = gaussians(random, 3 * 4);
    const together = await Promise.all(
      batches.map((rows) => parallelClusterStatistics(rows, centers, 3)),
    );
    expect(together).toEqual(batches.map((rows) => wasmClusterStatistics(rows, centers, 3)));
  });

  it('validate the settings', async () => {
    await expect(configureKernels({ threads: -1 })).rejects.toThrow(
      /threads must be an integer from 0 to 256, got -1/,
    );
    await expect(configureKernels({ minParallelWork: Number.NaN })).rejects.toThrow(
      ConfigurationError,
    );
    const settings = await configureKernels({ threads: 0, minParallelWork: 5 });
    expect(settings).toEqual({
      native: true,
      retainFreedMemory: 64 * 2 ** 20,
      threads: 0,
      minParallelWork: 5,
    });
  });
});

describe('KernelPool', () => {
  /** A linearPredict job over n one-value rows at `data`, writing to `out`. */
  function predictJob(
    data: KernelArgument,
    n: number,
    weights: KernelArgument,
    out: number,
  ): BlockJob {
    return {
      kernel: 'linearPredict',
      args: [data, n, 1, weights, 0, 0, out, BLOCK_ROWS],
      blocks: Math.ceil(n / BLOCK_ROWS),
      scratchBytes: 0,
      estimatedMicros: 0.003 * n,
    };
  }

  it('runs everything on the calling thread with no workers, empty jobs included', async () => {
    const pool = await KernelPool.start({ threads: 0 });
    const memory = new KernelAllocations();
    try {
      const data = memory.input(Float64Array.from({ length: 600 }, (_, i) => i));
      const weights = memory.input(Float64Array.of(3));
      const out = memory.reserve(600 * 8);
      await pool.run(predictJob(data, 600, weights, out));
      await pool.run(predictJob(data, 0, weights, out));
      expect(new Float64Array(kernelRuntime().memory.buffer, out, 600)[599]).toBe(1797);
      await expect(
        pool.run({ ...predictJob(data, 1, weights, out), kernel: 'nope' as never }),
      ).rejects.toThrow(/unknown kernel 'nope'/);
      // Arrays are for this thread's native kernels: a worker reads kernel memory only.
      const inPlace = predictJob(Float64Array.of(1, 2), 2, Float64Array.of(3), out);
      await expect(pool.run(inPlace)).rejects.toThrow(/every argument must be a number/);
    } finally {
      memory.release();
      await pool.close();
    }
  });

  it('reports a kernel that fails on any thread, and stays usable', async () => {
    const pool = await KernelPool.start({ threads: 1 });
    const memory = new KernelAllocations();
    try {
      // Two blocks of k-means rows (k = 100, d = 1,000: milliseconds each). The calling thread
      // claims block 0 at once; block 1, whose rows we move past the end of memory, is normally
      // claimed by the worker meanwhile, and traps there.
      const [n, d, k] = [2 * BLOCK_ROWS, 1000, 100];
      const random = new SeededRandom(8);
      const rows = rowsOf(gaussians(random, n * d), n, d);
      const centers = gaussians(random, k * d);
      const plan = clusterStatisticsPlan(rows, centers, k)(memory);
      const end = kernelRuntime().memory.buffer.byteLength;
      const args = [end - BLOCK_ROWS * d * 8, ...plan.job.args.slice(1)];
      await expect(pool.run({ ...plan.job, args })).rejects.toThrow(/memory access out of bounds/);
      expect(pool.isUsable).toBe(true);
      await pool.run(plan.job);
      expect(plan.finish()).toEqual(wasmClusterStatistics(rows, centers, k));
    } finally {
      memory.release();
      await pool.close();
    }
  });

  it('rejects instead of hanging when a worker thread dies', async () => {
    const pool = await KernelPool.start({ threads: 1 });
    const memory = new KernelAllocations();
    try {
      const data = memory.input(new Float64Array(2 * BLOCK_ROWS));
      const weights = memory.input(Float64Array.of(1));
      const out = memory.reserve(2 * BLOCK_ROWS * 8);
      // Killing the thread from outside, as an out-of-memory abort or a stray terminate would.
      const { workers } = pool as unknown as { workers: { thread: Worker }[] };
      await workers[0].thread.terminate();
      const job = predictJob(data, 2 * BLOCK_ROWS, weights, out);
      await expect(pool.run(job)).rejects.toThrow(KernelWorkerError);
      expect(pool.isUsable).toBe(false);
      await expect(pool.run(job)).rejects.toThrow(/a worker thread of this pool died/);
    } finally {
      memory.release();
      await pool.close();
    }
  });

  it('never keeps the process alive, and closes cleanly', () => {
    expect(existsSync(`${root}/dist/index.js`), 'run `npm run build` before the tests').toBe(true);
    // A separate process (the built package) uses the threads, then either ends without closing
    // them (it must exit by itself, promptly) or closes them (it must exit 0 once they're gone).
    for (const ending of ['', 'await closeKernelThreads();']) {
      const program = `
        import { closeKernelThreads, configureKernels, parallelClusterStatistics } from 'millrace';
        await configureKernels({ threads: 1, minParallelWork: 0 });
        const data = Float64Array.from({ length: 4000 }, (_, i) => i % 7);
        const rows = { kind: 'dense', n: 2000, d: 2, data };
        const stats = await parallelClusterStatistics(rows, Float64Array.of(0, 0, 6, 6), 2);
        console.log(JSON.stringify(Array.from(stats.counts)));
        ${ending}
      `;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', program], {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      });
      const total: number[] = JSON.parse(output.trim()) as number[];
      expect(total[0] + total[1]).toBe(2000);
    }
  });
});
