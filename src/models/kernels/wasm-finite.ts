import type { DenseRows } from './pack.js';
import { computeKernels, readsArraysInPlace } from './kernel-backend.js';
import { int32At, KernelAllocations } from './wasm-memory.js';
import { checkRows, rowValues } from './wasm-shapes.js';

let inPlaceIndices = new Int32Array(0);

/**
 * The rows of a dense batch that hold a NaN or an infinity, in increasing order: the records a
 * model must send to the dead letters. Packing a batch with `Float64Array.prototype.set` and
 * checking it here is several times faster than checking each value in a JavaScript loop.
 *
 * @example
 * const rows = { kind: 'dense', n: 3, d: 2, data: Float64Array.of(1, 2, NaN, 4, 5, Infinity) } as const;
 * wasmNonFiniteRows(rows); // Int32Array [1, 2]
 */
export function wasmNonFiniteRows(rows: DenseRows): Int32Array {
  checkRows('nonFiniteRows', rows);
  if (readsArraysInPlace()) {
    // Room for every row, reused: bad rows are rare, and a fresh array per batch costs more
    // than the scan (page faults; see retainFreedMemory).
    if (inPlaceIndices.length < rows.n) inPlaceIndices = new Int32Array(rows.n);
    const found = computeKernels().nonFiniteRows(rowValues(rows), rows.n, rows.d, inPlaceIndices);
    return inPlaceIndices.slice(0, found);
  }
  const memory = new KernelAllocations();
  try {
    const out = memory.reserve(rows.n * 4);
    const data = memory.input(rowValues(rows));
    const found = computeKernels().nonFiniteRows(data, rows.n, rows.d, out);
    return int32At(out, found).slice();
  } finally {
    memory.release();
  }
}
