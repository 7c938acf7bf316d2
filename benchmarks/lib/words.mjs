// Word-like keys for the engine benchmark: a seeded vocabulary and Zipf-distributed draws from it,
// so reduceByKey sees the skewed key frequencies of real text.

/** `size` distinct word-like strings (3 to 10 lower-case letters). */
export function makeVocabulary(random, size) {
  const words = new Set();
  while (words.size < size) {
    const length = 3 + random.nextInt(8);
    let word = '';
    for (let i = 0; i < length; i++) word += String.fromCharCode(97 + random.nextInt(26));
    words.add(word);
  }
  return [...words];
}

/** `count` words drawn from `vocabulary` with Zipf(1) frequencies, as natural text has. */
export function drawWords(random, vocabulary, count) {
  const cumulative = new Float64Array(vocabulary.length);
  let total = 0;
  for (let rank = 0; rank < vocabulary.length; rank++) cumulative[rank] = total += 1 / (rank + 1);
  const words = new Array(count);
  for (let i = 0; i < count; i++) {
    const target = random.nextDouble() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    words[i] = vocabulary[low];
  }
  return words;
}
