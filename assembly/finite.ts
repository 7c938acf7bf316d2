// Finiteness of packed rows: the models reject records with NaN or ±Infinity (dead letters), and
// checking a packed batch here, two values per instruction, is several times faster than the
// per-value check of a JavaScript loop.

import { rowAt } from './rows';

/**
 * Writes to `out` (i32) the index of every row of the n × d batch at `data` that holds a NaN or
 * an infinity, in order, and returns how many there are.
 */
export function nonFiniteRows(data: usize, n: i32, d: i32, out: usize): i32 {
  let found = 0;
  for (let row = 0; row < n; row++) {
    const x = rowAt(data, row, d);
    // x − x is 0 for every finite x and NaN for NaN and ±Infinity; NaN survives the sums.
    let check = f64x2.splat(0);
    let check2 = check;
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      const pair = v128.load(x + ((<usize>j) << 3));
      const pair2 = v128.load(x + ((<usize>j) << 3), 16);
      check = f64x2.add(check, f64x2.sub(pair, pair));
      check2 = f64x2.add(check2, f64x2.sub(pair2, pair2));
    }
    if (j + 2 <= d) {
      const pair = v128.load(x + ((<usize>j) << 3));
      check = f64x2.add(check, f64x2.sub(pair, pair));
      j += 2;
    }
    check = f64x2.add(check, check2);
    let total = f64x2.extract_lane(check, 0) + f64x2.extract_lane(check, 1);
    if (j < d) {
      const last = load<f64>(x + ((<usize>j) << 3));
      total += last - last;
    }
    if (total != 0) {
      store<i32>(out + ((<usize>found) << 2), row);
      found++;
    }
  }
  return found;
}
