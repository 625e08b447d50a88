// Keeps worker threads from being terminated inside an onnxruntime call.
//
// onnxruntime-node's binding is built with node-addon-api's C++ exceptions. When its thread is
// terminated (worker.terminate(), Piscina's destroy(), or process.exit() with workers running) while
// a native call is in progress, the call's next N-API call fails, the binding throws Napi::Error, its
// wrapper fails to hand that error to JavaScript too and throws again from the catch block, and the C++
// runtime aborts the *whole process* ("terminate called after throwing an instance of 'Napi::Error'",
// exit 134). Seen here about once in six process.exit()s during indexing.
//
// So every onnxruntime call in a worker (loading the binding, session creation, run) passes through
// this gate, and whoever is about to terminate workers first closes the gate and waits until no call
// is inside it (Embedder.close(), and process exit through holdExit). Two Int32
// cells in a SharedArrayBuffer: PAUSED (set by the main thread) and BUSY (calls inside, counted by the
// workers). A worker increments BUSY and then reads PAUSED; the main thread sets PAUSED and then reads
// BUSY; with sequentially consistent atomics one of them sees the other. A worker that finds the gate
// closed waits with Atomics.waitAsync: its event loop keeps running (a call of its own already inside
// can finish), and a thread waiting that way is safe to terminate.
const PAUSED = 0;
const BUSY = 1;

/**
 * How long closing a gate waits for the calls inside. One call is at most loading the binding,
 * opening a session or one run of 4,096 token cells (well under a second); a call still inside after
 * this is stuck, and waiting longer would only hang the exit.
 */
export const GATE_WAIT_MS = 10_000;

/** Atomics.waitAsync (Node 16+; in TypeScript's lib only from es2024). */
const waitAsync = (Atomics as unknown as {
  waitAsync(cells: Int32Array, index: number, value: number, timeoutMs?: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

export class OrtGate {
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Int32Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    this.cells = new Int32Array(this.buffer);
  }

  /** Worker side: runs `call` (one onnxruntime call) inside the gate; waits first while it is closed. */
  async through<T>(call: () => Promise<T>): Promise<T> {
    for (;;) {
      await this.opened();
      Atomics.add(this.cells, BUSY, 1);
      if (Atomics.load(this.cells, PAUSED) === 0) break;
      // Inline, not a call: a thread is terminated at call boundaries, and one terminated here would
      // leave the count above zero.
      Atomics.sub(this.cells, BUSY, 1);
      Atomics.notify(this.cells, BUSY);
    }
    try {
      return await call();
    } finally {
      Atomics.sub(this.cells, BUSY, 1);
      Atomics.notify(this.cells, BUSY);
    }
  }

  /** Calls inside the gate now. */
  get busy(): number {
    return Atomics.load(this.cells, BUSY);
  }

  /** Main side: no call may start until resume(). */
  pause(): void {
    Atomics.store(this.cells, PAUSED, 1);
  }

  resume(): void {
    Atomics.store(this.cells, PAUSED, 0);
    Atomics.notify(this.cells, PAUSED);
  }

  /** Main side, after pause(): resolves true once no call is inside, false after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // Atomics.waitAsync does not keep the event loop alive: without this timer a process with nothing
    // else to do would end in the middle of close().
    const alive = setTimeout(() => undefined, timeoutMs);
    try {
      let state = this.idleState(deadline);
      for (; typeof state !== 'boolean'; state = this.idleState(deadline)) {
        const wait = waitAsync(this.cells, BUSY, state.inside, state.left);
        if (wait.async) await wait.value;
      }
      return state;
    } finally {
      clearTimeout(alive);
    }
  }

  /** The same, blocking: for process 'exit', where nothing asynchronous runs any more. */
  idleSync(timeoutMs: number): boolean {
    const deadline = Date.now() + timeoutMs;
    let state = this.idleState(deadline);
    for (; typeof state !== 'boolean'; state = this.idleState(deadline)) Atomics.wait(this.cells, BUSY, state.inside, state.left);
    return state;
  }

  /** true: none inside; false: past the deadline; otherwise how many are inside and the time left. */
  private idleState(deadline: number): boolean | { inside: number; left: number } {
    const inside = Atomics.load(this.cells, BUSY);
    if (inside === 0) return true;
    const left = deadline - Date.now();
    return left <= 0 ? false : { inside, left };
  }

  private async opened(): Promise<void> {
    while (Atomics.load(this.cells, PAUSED) !== 0) {
      const wait = waitAsync(this.cells, PAUSED, 1);
      if (wait.async) await wait.value;
    }
  }

}

const heldAtExit = new Set<OrtGate>();

/**
 * Until releaseExit(gate): process exit (which terminates every worker after the 'exit' listeners)
 * first closes the gate and waits for the calls inside it. One listener for all gates.
 */
export function holdExit(gate: OrtGate): void {
  if (heldAtExit.size === 0) process.on('exit', quietAtExit);
  heldAtExit.add(gate);
}

export function releaseExit(gate: OrtGate): void {
  heldAtExit.delete(gate);
  if (heldAtExit.size === 0) process.off('exit', quietAtExit);
}

function quietAtExit(): void {
  for (const gate of heldAtExit) gate.pause();
  const deadline = Date.now() + GATE_WAIT_MS;
  for (const gate of heldAtExit) gate.idleSync(Math.max(0, deadline - Date.now()));
}
