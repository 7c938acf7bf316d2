// A kernel worker thread (plain JavaScript: Node 20 can't start a worker from a .ts file, and
// the tests run the sources). It instantiates the kernels' WebAssembly module over the shared
// memory it is given, then serves requests through a small shared control block, blocking in
// Atomics.wait between them, so a request costs no message passing.
//
// Control block (Int32 words, then Float64 arguments, then an error message), as
// parallel-protocol.ts defines it: REQUEST holds the number of the newest request, RESPONSE the
// number of the newest finished one, STATUS 0 (ok) or 1 (failed, MESSAGE_LENGTH bytes of UTF-8
// text at MESSAGE_OFFSET). Arguments: [kernel index, argument count, ...arguments].
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, control, layout } = workerData;
const words = new Int32Array(control, 0, layout.words);
const args = new Float64Array(control, layout.argumentsOffset, layout.maxArguments + 2);
const message = new Uint8Array(control, layout.messageOffset, layout.messageBytes);
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;

function fail(error) {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const { written } = new TextEncoder().encodeInto(text, message);
  Atomics.store(words, layout.MESSAGE_LENGTH, written);
  Atomics.store(words, layout.STATUS, 1);
}

parentPort.postMessage('ready');
let served = 0;
for (;;) {
  Atomics.wait(words, layout.REQUEST, served);
  served = Atomics.load(words, layout.REQUEST);
  const kernel = layout.kernels[args[0]];
  if (kernel === undefined) break; // the stop request
  Atomics.store(words, layout.STATUS, 0);
  try {
    kernels[kernel](...args.subarray(2, 2 + args[1]));
  } catch (error) {
    fail(error);
  }
  Atomics.store(words, layout.RESPONSE, served);
  Atomics.notify(words, layout.RESPONSE);
}
