// Regenerates the README's performance section (between its performance markers) from the JSON the
// benchmarks wrote, so no figure is ever typed by hand. With --quick it reads the scratch results
// and writes next to them instead (a smoke run must not replace the published figures).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.mjs';
import { qualityTable, throughputTable } from './lib/model-tables.mjs';
import { resultsDirectory } from './lib/results.mjs';
import { formatRate, formatRatio, markdownTable } from './lib/table.mjs';

const { isScratch } = parseArgs();
const directory = resultsDirectory(isScratch);
const load = (name) => {
  const path = `${directory}${name}.json`;
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
};
const engine = load('engine');
const models = load('models');

function describeRun({ environment: { date, machine, versions, sklearnSide, git } }) {
  const pools = (sklearnSide?.threadpools ?? [])
    .map((pool) => `${pool.internal_api} ${pool.version ?? ''} ${pool.num_threads} threads`)
    .join(', ');
  const lines = [
    `${date.slice(0, 10)}, commit ${git.commit}${git.srcChangedSinceCommit ? ' (src/ modified)' : ''}`,
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, ` +
      `load average ${machine.loadAverage1m} at start`,
    `Node ${versions.node}, millrace ${versions.millrace}, RxJS ${versions.rxjs}` +
      (versions.sklearn
        ? `, Python ${versions.python}, NumPy ${versions.numpy}, scikit-learn ${versions.sklearn}`
        : ''),
  ];
  if (pools) lines.push(`scikit-learn's thread pools: ${pools}`);
  if (sklearnSide && !sklearnSide.available) {
    lines.push(`scikit-learn rows skipped: ${sklearnSide.reason}`);
  }
  return lines.map((line) => `- ${line}`).join('\n');
}

function describeKernels(kernels, backend) {
  if (backend?.name === 'native') {
    return `the native kernels, ${backend.instructionSet}, on the calling thread`;
  }
  if (!kernels) return 'one thread';
  return (
    `the WebAssembly kernels, ${kernels.threads} worker thread${kernels.threads === 1 ? '' : 's'} ` +
    `beside the main one for batch jobs estimated at ${kernels.minParallelWork} µs or more on one thread`
  );
}

const section = (title, table) => `${title}\n\n${markdownTable(table.header, table.rows)}\n`;
const parts = [
  '## Performance',
  '',
  "Measured end to end through the public API: a `'replay'` StreamingContext over `queueStream` " +
    'batches, timed from `start()` until the context stops by itself. Medians of several runs ' +
    '(min and max are in the JSON files under `benchmarks/results/`). This section is generated ' +
    'from those files by `benchmarks/README-table.mjs`; reproduce it with `npm run bench` ' +
    '(or one script: `npm run build && node --expose-gc benchmarks/engine.mjs`, `--quick` for a ' +
    'short run).',
  '',
];

// A runnable program (the README test runs every ts block): the measuring method in miniature.
const example = `\`\`\`ts
import { StreamingContext, queueStream } from 'millrace';

// Throughput the way the benchmarks measure it: a 'replay' context pushes the batches through as
// fast as they complete and stops by itself when the queue is empty.
const batches = Array.from({ length: 50 }, (_, b) =>
  Array.from({ length: 10_000 }, (_, i) => \`key\${(b * 7919 + i) % 1000}\`),
);
const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
let records = 0;
queueStream(ssc, batches)
  .map((key): [string, number] => [key, 1])
  .reduceByKey((a, b) => a + b)
  .foreachBatch((counts) => {
    for (const [, count] of counts) records += count;
  });
const start = performance.now();
ssc.start();
await ssc.awaitTermination();
const seconds = (performance.now() - start) / 1000;
console.log(\`\${records} records in \${seconds.toFixed(3)} s: \${(records / seconds / 1e6).toFixed(2)} M records/s\`);
\`\`\``;
parts.push(
  example,
  '',
  'The scripts, each runnable alone after `npm run build` (`--quick` for a short check, ' +
    '`--runs=N` for more or fewer runs):',
  '',
  '- `benchmarks/engine.mjs`: overhead per empty batch; map → reduceByKey → foreachBatch ' +
    'against RxJS and hand-written loops (`--only=overhead,pipeline`).',
  '- `benchmarks/models.mjs`: k-means, linear and logistic regression against scikit-learn ' +
    "(Debian's `/usr/bin/python3` with python3-sklearn; without it the scikit-learn rows are " +
    'skipped and the tables say why): update and predict throughput, quality at equal time ' +
    '(`--only=kmeans,linear,logistic`, `--no-sklearn`).',
  '- `benchmarks/profile.mjs <script> [its options]`: where the time goes, as shares of V8 ' +
    'profiler samples per `file:line function`.',
  '',
);

if (engine) {
  parts.push('### Engine', '', describeRun(engine), '');
  if (engine.overhead) {
    const { usPerBatch, batches, targetUsPerBatch } = engine.overhead;
    parts.push(
      `Overhead per batch (${batches} empty batches, one \`foreachBatch\`): ` +
        `**${usPerBatch.median.toFixed(1)} µs** median (min ${usPerBatch.min.toFixed(1)}, ` +
        `max ${usPerBatch.max.toFixed(1)}; target < ${targetUsPerBatch} µs).`,
      '',
    );
  }
  if (engine.pipeline) {
    const { rows, batches, batchSize, ratios } = engine.pipeline;
    const millrace = rows.find((row) => row.name === 'millrace').recordsPerSecond.median;
    parts.push(
      section(
        `map → reduceByKey → foreachBatch, ${batches} batches × ${batchSize} word-like keys ` +
          `(records/s):`,
        {
          header: ['implementation', 'records/s', 'vs millrace', 'GC ms per run', 'what it is'],
          rows: rows.map((row) => [
            row.name,
            formatRate(row.recordsPerSecond.median),
            formatRatio(row.recordsPerSecond.median / millrace),
            row.gcMs ? row.gcMs.median.toFixed(0) : 'n/a',
            row.description,
          ]),
        },
      ),
      `millrace / RxJS: ${formatRatio(ratios.millraceOverRxjs)} (target ≥ 1); hand loop / ` +
        `millrace: ${formatRatio(ratios.handLoopOverMillrace)} (target ≤ 2).`,
      '',
    );
  }
}

if (models) {
  parts.push(
    '### Models versus scikit-learn',
    '',
    describeRun(models),
    '',
    `k = ${models.k} clusters; ${models.points} training points streamed in batches; the same ` +
      'seeded data file is read by both sides. scikit-learn is measured with its default threads ' +
      'and with one thread, and ratios are against the faster of the two; millrace runs with ' +
      `its default kernel settings (${describeKernels(models.millraceKernels, models.kernelBackend)}). ` +
      "`numIterations 1` does the same work as one `partial_fit` pass; Spark's default is 50 " +
      'iterations per batch.',
    '',
    section(`${throughputTable(models, 'update').title}:`, throughputTable(models, 'update')),
    section(`${throughputTable(models, 'predict').title}:`, throughputTable(models, 'predict')),
    section(`${qualityTable(models).title}:`, qualityTable(models)),
  );
}

const generated = `${parts.join('\n').trimEnd()}\n`;
if (isScratch) {
  const output = `${directory}performance.md`;
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, generated);
  console.log(`wrote ${output}`);
} else {
  // The README carries the section between two markers; everything else in it is left alone.
  const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
  const begin = '<!-- performance:begin (generated by benchmarks/README-table.mjs) -->';
  const end = '<!-- performance:end -->';
  const readme = readFileSync(readmePath, 'utf8');
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${begin} ... ${end} markers`);
  writeFileSync(
    readmePath,
    `${readme.slice(0, from + begin.length)}\n\n${generated}\n${readme.slice(to)}`,
  );
  console.log(`updated the performance section of ${readmePath}`);
}
