// Keeps onnxruntime-node's native binding loaded for the lifetime of an embedding pool, and does
// nothing else (no session, no inference). Node forgets a native addon once every thread that loaded
// it has exited, but the library stays mapped, so a worker started after that fails with "Module did
// not self-register". With this thread holding it, Piscina can replace even a pool whose every worker died.
import { parentPort } from 'node:worker_threads';
import 'onnxruntime-node';

parentPort?.on('message', () => undefined);
parentPort?.postMessage('loaded');
