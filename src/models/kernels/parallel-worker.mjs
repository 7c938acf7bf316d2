// A kernel worker thread (plain JavaScript: Node 20 can't start a worker from a .ts file, and
// the tests run the sources). It instantiates the kernels' WebAssembly module over the shared
// memory it is given, then serves jobs through shared memory, blocking in Atomics.wait between
// them. The protocol and LAYOUT are described in parallel-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, control, job, layout, index } = workerData;
const words = new Int32Array(control, 0, layout.controlWords);
const message = new Uint8Array(control, layout.messageOffset, layout.messageBytes);
const slots = Array.from({ length: layout.SLOTS }, (_, slot) => ({
  counters: new Int32Array(job, slot * layout.slotBytes, layout.counterWords),
  header: new Float64Array(
    job,
    slot * layout.slotBytes + layout.headerOffset,
    layout.ARGUMENTS + layout.maxArguments,
  ),
}));
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;

function fail(error) {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const { written } = new TextEncoder().encodeInto(text, message);
  Atomics.store(words, layout.MESSAGE_LENGTH, written);
  Atomics.store(words, layout.STATUS, 1);
}

/** Claims and runs blocks of the job in `slot` until none is left. */
function serve(kernel, { counters, header }) {
  const blocks = header[layout.BLOCKS];
  const scratchBytes = header[layout.SCRATCH_BYTES];
  // Scratch share 0 is the calling thread's; worker i uses share i + 1.
  const scratch = scratchBytes === 0 ? 0 : header[layout.SCRATCH] + (index + 1) * scratchBytes;
  const count = header[layout.ARGUMENT_COUNT];
  const args = Array.from(header.subarray(layout.ARGUMENTS, layout.ARGUMENTS + count));
  for (;;) {
    const block = Atomics.add(counters, layout.NEXT, 1);
    if (block >= blocks) return;
    try {
      kernels[kernel](...args, scratch, block, block + 1);
    } catch (error) {
      fail(error);
    }
    Atomics.add(counters, layout.DONE, 1);
    Atomics.notify(counters, layout.DONE);
  }
}

parentPort.postMessage('ready');
let served = 0;
for (;;) {
  Atomics.wait(words, layout.REQUEST, served);
  served = Atomics.load(words, layout.REQUEST);
  const slot = slots[served % layout.SLOTS];
  const kernel = layout.kernels[slot.header[layout.KERNEL]];
  if (kernel === undefined) break; // the stop request
  serve(kernel, slot);
  Atomics.store(words, layout.RESPONSE, served);
  Atomics.notify(words, layout.RESPONSE);
}
