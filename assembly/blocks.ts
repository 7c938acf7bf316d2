// Block partials are merged in block order, so a result's bits depend only on the input and the
// block size: never on how many threads computed the blocks or in which order they finished.

/**
 * out[i] = Σ_b partials[b][i] for b = 0, 1, … count−1, added in that order: `width` f64 per
 * partial, partial b at partials + b·stride·8.
 */
export function mergeBlocks(
  partials: usize,
  width: i32,
  stride: i32,
  count: i32,
  out: usize,
): void {
  const bytes = (<usize>width) << 3;
  memory.fill(out, 0, bytes);
  for (let block = 0; block < count; block++) {
    const partial = partials + ((<usize>block * <usize>stride) << 3);
    let at: usize = 0;
    for (; at + 16 <= bytes; at += 16) {
      v128.store(out + at, f64x2.add(v128.load(out + at), v128.load(partial + at)));
    }
    if (at < bytes) store<f64>(out + at, load<f64>(out + at) + load<f64>(partial + at));
  }
}
