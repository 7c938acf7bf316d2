// Turns models.json into tables ({ title, header, rows }), printed on the terminal by models.mjs
// and as markdown by README-table.mjs: one construction, so the two never disagree.
import { formatRate, formatRatio } from './table.mjs';

const shapeLabel = ({ d, batchSize }) =>
  `d=${d}, batch ${batchSize >= 1000 ? `${batchSize / 1000}k` : batchSize}`;
const sameShape = (a, b) => a.d === b.d && a.batchSize === b.batchSize;

/** Throughput table ('update' or 'predict'): one row per implementation, one column per shape. */
export function throughputTable(results, table) {
  const rows = [];
  for (const model of results.models) {
    const entries = results[table].filter((entry) => entry.model === model);
    const sklearn = entries.filter((entry) => entry.library === 'scikit-learn');
    const implementations = [...new Set(entries.map((entry) => entry.implementation))];
    for (const implementation of implementations) {
      const mine = entries.filter((entry) => entry.implementation === implementation);
      rows.push([
        `${mine[0].library} ${implementation}`,
        ...results.shapes.map((shape) => {
          const entry = mine.find((candidate) => sameShape(candidate, shape));
          return entry ? formatRate(entry.pointsPerSecond.median) : 'n/a';
        }),
      ]);
      if (mine[0].library !== 'millrace' || sklearn.length === 0) continue;
      rows.push([
        '  ratio millrace / best scikit-learn',
        ...results.shapes.map((shape) => {
          const entry = mine.find((candidate) => sameShape(candidate, shape));
          const best = Math.max(
            ...sklearn
              .filter((candidate) => sameShape(candidate, shape))
              .map((candidate) => candidate.pointsPerSecond.median),
          );
          return entry && best > 0 ? formatRatio(entry.pointsPerSecond.median / best) : 'n/a';
        }),
      ]);
    }
  }
  for (const skipped of results.skipped) {
    rows.push([`${skipped.model}: ${skipped.reason}`, ...results.shapes.map(() => 'skipped')]);
  }
  return {
    title:
      table === 'update'
        ? `Update throughput, points/s (median of ${results.runs} runs), ${results.points} points, one pass per batch`
        : `Predict throughput, points/s (median of ${results.runs} runs), ${results.points} points`,
    header: ['implementation', ...results.shapes.map(shapeLabel)],
    rows,
  };
}

function formatMetric(value, name) {
  if (value === undefined) return 'n/a';
  return name.startsWith('accuracy') ? value.toFixed(4) : value.toPrecision(5);
}

/** Quality at equal time: each side's test-set metric after the same wall time on one stream. */
export function qualityTable(results) {
  const sklearnSkipped = results.skipped.find((skipped) => skipped.model === 'scikit-learn');
  const rows = results.quality.map((entry) => [
    `${entry.model} ${shapeLabel(entry)}`,
    `${entry.library} ${entry.implementation}`,
    entry.points === undefined ? '' : String(Math.round(entry.points)),
    // No batch completed in time: the model is its initial state, and there is no time to show.
    entry.trainingSeconds === undefined || entry.points === 0
      ? ''
      : entry.trainingSeconds.toFixed(3),
    `${entry.metric.name}: ${formatMetric(entry.metric.median, entry.metric.name)}`,
  ]);
  if (sklearnSkipped) {
    // The budget is scikit-learn's one-pass time, so without it there is nothing to compare.
    rows.push(['all models', `skipped: ${sklearnSkipped.reason}`, '', '', '']);
  }
  return {
    title:
      'Quality at equal time: millrace gets the wall time scikit-learn needs for one pass over ' +
      'the stream (median); metrics on a held-out test set',
    header: ['model, shape', 'implementation', 'points trained', 'seconds', 'metric'],
    rows,
  };
}
