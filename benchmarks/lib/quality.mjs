// Scores a model's parameters on a held-out set. Both libraries' final models go through these
// same functions, so a difference in the table is a difference in the models, not in the scoring.

/** Rows of a row-major Float64Array as an array of subarray views. */
export function rowsOf(values, d) {
  const rows = [];
  for (let i = 0; i < values.length; i += d) rows.push(values.subarray(i, i + d));
  return rows;
}

function dot(weights, features, offset, d) {
  let sum = 0;
  for (let j = 0; j < d; j++) sum += weights[j] * features[offset + j];
  return sum;
}

/** Root mean squared error of w·x + intercept against the labels. */
export function rootMeanSquaredError({ weights, intercept = 0 }, features, labels) {
  const d = weights.length;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const error = dot(weights, features, i * d, d) + intercept - labels[i];
    sum += error * error;
  }
  return Math.sqrt(sum / labels.length);
}

/** Share of points whose label (0 or 1) is on the side of w·x + intercept = 0 it predicts. */
export function accuracy({ weights, intercept = 0 }, features, labels) {
  const d = weights.length;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = dot(weights, features, i * d, d) + intercept > 0 ? 1 : 0;
    if (predicted === labels[i]) correct++;
  }
  return correct / labels.length;
}

/** k-means cost per point: mean squared distance from each point to its nearest centre. */
export function kMeansCostPerPoint({ centers }, features, d) {
  const n = features.length / d;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (const center of centers) {
      let distance = 0;
      for (let j = 0; j < d; j++) {
        const difference = features[i * d + j] - center[j];
        distance += difference * difference;
      }
      if (distance < best) best = distance;
    }
    sum += best;
  }
  return sum / n;
}
