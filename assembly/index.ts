// The WebAssembly kernels' exports. The memory is imported and shared: the main thread allocates
// (allocate/release are the only exports that touch the allocator, and only it calls them), and
// worker threads run kernels on disjoint blocks of the same memory.

export { kmeansAssign, kmeansPrepare } from './kmeans';
export { gradientSums, gramSums, linearPredict } from './linear';
export { mergeBlocks } from './blocks';
export { nonFiniteRows } from './finite';

/** `bytes` of memory, 16-byte aligned, or traps when the memory can't grow. */
export function allocate(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Returns memory from allocate() to the allocator. */
export function release(address: usize): void {
  heap.free(address);
}
