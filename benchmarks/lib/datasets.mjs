// Seeded synthetic data sets, written to one binary file per data set so that millrace and
// scikit-learn read exactly the same numbers (benchmarks/python/dataset.py reads the same format).
//
// File layout: 8-byte magic "MRBENCH1", a uint32 (little-endian) header length, a JSON header
// padded with spaces so the data starts on an 8-byte boundary, then each array as float64
// little-endian, row-major, at the offset the header gives.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from './random.mjs';

const MAGIC = 'MRBENCH1';
/** Bumped whenever a generator changes, so cached files from an older generator are remade. */
const GENERATOR_VERSION = 1;

/** Where generated files are cached between runs (outside the repository: they are large). */
export const dataDirectory = join(tmpdir(), 'millrace-bench-data');

/** The training set, then the held-out set, drawn in that order, as named arrays with shapes. */
function trainAndTest(draw, n, test, d) {
  const train = draw(n);
  const held = draw(test);
  return {
    features: [train.features, [n, d]],
    labels: [train.labels, [n]],
    testFeatures: [held.features, [test, d]],
    testLabels: [held.labels, [test]],
  };
}

/**
 * Gaussian blobs: `k` centres drawn uniformly in [-10, 10]^d, each point a centre (chosen
 * uniformly) plus N(0, 1) noise per coordinate. The optimal k-means cost per point is about d.
 */
function generateBlobs(random, { n, test, d, k }) {
  const centers = new Float64Array(k * d);
  for (let i = 0; i < centers.length; i++) centers[i] = -10 + 20 * random.nextDouble();
  const draw = (count) => {
    const features = new Float64Array(count * d);
    const labels = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const cluster = random.nextInt(k);
      labels[i] = cluster;
      for (let j = 0; j < d; j++) {
        features[i * d + j] = centers[cluster * d + j] + random.nextGaussian();
      }
    }
    return { features, labels };
  };
  return { arrays: { ...trainAndTest(draw, n, test, d), trueCenters: [centers, [k, d]] } };
}

/**
 * Linear data: features N(0, 1), true weights N(0, 1), no intercept (Spark's streaming models
 * have none), label = w·x + N(0, noise²). The best possible test RMSE is about `noise`.
 * Logistic data: same features, weights scaled so w·x has standard deviation 3 (a clear but
 * imperfect signal), label 1 with probability sigmoid(w·x), else 0.
 */
function generateLinear(random, { n, test, d, noise, logistic }) {
  const weights = new Float64Array(d);
  for (let j = 0; j < d; j++) weights[j] = random.nextGaussian();
  if (logistic) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += weights[j] * weights[j];
    for (let j = 0; j < d; j++) weights[j] *= 3 / Math.sqrt(norm);
  }
  const draw = (count) => {
    const features = new Float64Array(count * d);
    const labels = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      let margin = 0;
      for (let j = 0; j < d; j++) {
        const value = random.nextGaussian();
        features[i * d + j] = value;
        margin += weights[j] * value;
      }
      labels[i] = logistic
        ? Number(random.nextDouble() < 1 / (1 + Math.exp(-margin)))
        : margin + noise * random.nextGaussian();
    }
    return { features, labels };
  };
  return { arrays: { ...trainAndTest(draw, n, test, d), trueWeights: [weights, [d]] } };
}

const generators = {
  kmeans: (random, spec) => generateBlobs(random, spec),
  linear: (random, spec) => generateLinear(random, { ...spec, logistic: false }),
  logistic: (random, spec) => generateLinear(random, { ...spec, logistic: true }),
};

function fileNameOf(spec) {
  const parts = Object.keys(spec)
    .sort()
    .map((key) => `${key}${spec[key]}`);
  return `v${GENERATOR_VERSION}-${parts.join('-')}.bin`;
}

/**
 * The data set for `spec` ({ kind: 'kmeans' | 'linear' | 'logistic', n, test, d, seed, and k or
 * noise }), generated once and cached as a file. Returns { path, header, arrays } where arrays
 * maps each name to a Float64Array view of the file's contents.
 */
export function ensureDataset(spec) {
  mkdirSync(dataDirectory, { recursive: true });
  const path = join(dataDirectory, fileNameOf(spec));
  if (!existsSync(path)) writeDataset(path, spec);
  return { path, ...readDataset(path) };
}

function writeDataset(path, spec) {
  const generate = generators[spec.kind];
  if (generate === undefined) throw new Error(`unknown data set kind "${spec.kind}"`);
  const { arrays } = generate(new SeededRandom(spec.seed), spec);
  const layout = [];
  let offset = 0;
  for (const [name, [values, shape]] of Object.entries(arrays)) {
    layout.push({ name, shape, offset });
    offset += values.byteLength;
  }
  let headerText = JSON.stringify({ generatorVersion: GENERATOR_VERSION, spec, arrays: layout });
  const prefix = MAGIC.length + 4;
  headerText = headerText.padEnd(Math.ceil((prefix + headerText.length) / 8) * 8 - prefix, ' ');
  const header = Buffer.from(headerText, 'utf8');
  const start = Buffer.alloc(prefix);
  start.write(MAGIC, 0, 'ascii');
  start.writeUInt32LE(header.length, MAGIC.length);
  // Written under a temporary name and renamed, so an interrupted run never leaves a short file.
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  writeSync(fd, start);
  writeSync(fd, header);
  for (const [values] of Object.values(arrays)) {
    writeSync(fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  closeSync(fd);
  renameSync(temporary, path);
}

/** Reads a data set file: its header and a Float64Array per array (views, no copies). */
export function readDataset(path) {
  const bytes = readFileSync(path);
  if (bytes.toString('ascii', 0, MAGIC.length) !== MAGIC) {
    throw new Error(`${path} is not a benchmark data set (no ${MAGIC} magic)`);
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const dataStart = MAGIC.length + 4 + headerLength;
  const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, dataStart));
  if (endianness() !== 'LE') throw new Error('the data set files assume a little-endian host');
  // The Buffer may not start on an 8-byte boundary; copy the data into an aligned buffer.
  const data = new ArrayBuffer(bytes.length - dataStart);
  new Uint8Array(data).set(bytes.subarray(dataStart));
  const arrays = {};
  for (const { name, shape, offset } of header.arrays) {
    const length = shape.reduce((a, b) => a * b, 1);
    arrays[name] = new Float64Array(data, offset, length);
  }
  return { header, arrays };
}
