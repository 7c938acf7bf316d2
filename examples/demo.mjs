// The demo behind `npm run demo`: card-transaction anomaly detection with streaming k-means, on
// the embedded queue source and the 'replay' clock (no broker; it ends when the data is done).
// Imports the built package by its name, as an application would.
import { StreamingContext, StreamingKMeans, Vectors, queueStream } from 'millrace';

// Synthetic transactions as text lines "[amount, hourOfDay]": three kinds of normal spending,
// a few frauds (large amounts at night), and one malformed line per batch.
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const gaussian = () =>
  Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
const habits = [
  [12, 9], // coffee
  [60, 13], // lunch, groceries
  [35, 19], // evening
];
const batches = Array.from({ length: 30 }, (_, b) => {
  const lines = [];
  for (let i = 0; i < 200; i++) {
    const [amount, hour] = habits[i % habits.length];
    lines.push(`[${(amount + 4 * gaussian()).toFixed(2)},${(hour + gaussian()).toFixed(2)}]`);
  }
  if (b >= 10 && b % 5 === 0) lines.push('[950.00,3.10]', '[720.50,2.40]'); // frauds
  lines.push('[12.5,nine]'); // malformed: goes to dead letters, never crashes the pipeline
  return lines;
});

const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
const transactions = queueStream(ssc, batches).parse(Vectors.parse).name('transactions');

const model = new StreamingKMeans({ k: 3, decayFactor: 0.9 }).setInitialCenters(
  [
    [10, 10],
    [50, 12],
    [30, 18],
  ],
  [0, 0, 0],
);
// Score each batch with the model as it stood before the batch, then train on it.
let flagged = 0;
let firstBatchTime;
model.scoreOn(transactions).foreachBatch((scores, time) => {
  firstBatchTime ??= time;
  const alarms = scores.filter((s) => s.distance > 100);
  flagged += alarms.length;
  if (alarms.length > 0) {
    const worst = Math.max(...alarms.map((s) => s.distance)).toFixed(0);
    const batch = (time - firstBatchTime) / 1000 + 1;
    console.log(
      `batch ${batch}: ${alarms.length} suspicious transactions (distance up to ${worst})`,
    );
  }
});
model.trainOn(transactions);

let rejected = 0;
ssc.deadLetters().foreachBatch((letters) => {
  rejected += letters.length;
});

let batchesRun = 0;
let recordsSeen = 0;
ssc.addStreamingListener({
  onBatchCompleted: (info) => {
    batchesRun += 1;
    recordsSeen += info.numRecords;
  },
});

ssc.start();
await ssc.awaitTermination();

console.log(
  `\n${batchesRun} batches, ${recordsSeen} records, ${flagged} flagged, ${rejected} malformed`,
);
console.log('learned spending habits [amount, hour] and their weights:');
const latest = model.latestModel();
latest.clusterCenters.forEach((center, i) => {
  const [amount, hour] = Array.from(center, (x) => x.toFixed(1));
  console.log(`  [${amount}, ${hour}]  weight ${latest.clusterWeights[i].toFixed(1)}`);
});
