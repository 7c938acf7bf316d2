// The demo behind `npm run demo`: a word count over an in-memory queue, run on the 'replay' clock
// so it finishes as soon as the data is processed. Imports the built package by its name.
import { StreamingContext, queueStream } from 'millrace';

const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: 'replay' });
const lines = queueStream(ssc, [
  ['the quick brown fox', 'jumps over the lazy dog'],
  ['the dog barks', 'the fox runs'],
]);
lines
  .flatMap((line) => line.split(' '))
  .map((word) => [word, 1])
  .reduceByKey((a, b) => a + b)
  .print();
ssc.start();
await ssc.awaitTermination();
