// Keeps onnxruntime-node's native binding loaded for the rest of the process, and does nothing else
// (no session, no inference). Node forgets a native addon once every thread that loaded it has exited,
// but the library stays mapped, so a worker started after that fails with "Module did not
// self-register". With this thread holding it, Piscina can replace even a pool whose every worker
// died, and a second Embedder works after the first was closed. The load passes the process's
// anchor gate (src/search/ort-gate.ts): a thread terminated while loading the binding aborts the process.
import { parentPort, workerData } from 'node:worker_threads';
import { OrtGate } from '../src/search/ort-gate';

new OrtGate(workerData as SharedArrayBuffer).through(async () => require('onnxruntime-node')).then(
  () => {
    parentPort?.on('message', () => undefined); // stays, idle, for the rest of the process
    parentPort?.postMessage({ loaded: true });
  },
  // Reported as a message, not thrown: an unhandled rejection does not end a worker under every
  // --unhandled-rejections mode. The thread then ends by itself.
  (err: unknown) => parentPort?.postMessage({ error: (err as Error).message ?? String(err) }),
);
