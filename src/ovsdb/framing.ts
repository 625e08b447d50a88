// OVSDB stream framing: RFC 7047 sends a stream of JSON values with no delimiter, so each chunk's bytes
// are scanned (string state, escapes, nesting depth; native/json/scan.cc) and each complete top-level
// value is parsed, whatever the chunking. Bytes >= 0x80 (UTF-8 continuation) never look like JSON
// syntax, so a multi-byte character split across chunks is reassembled by decoding whole values only.

import { native } from '../native/binding';

const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

type JsonScan = (chunk: Uint8Array, state: Int32Array) => Int32Array;
let jsonScan: JsonScan | undefined;

/** Largest value we buffer before declaring the peer broken (ovsdb-server's own limit is far lower). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export class FramingError extends Error {}

export class JsonStreamSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The byte scan's state between chunks: [nesting depth, in a string, after a backslash]. */
  private readonly state = new Int32Array(3);

  /** Feeds one chunk; returns every value completed by it, in order. */
  push(chunk: Buffer): unknown[] {
    // native/json/scan.cc: the scan is the hot loop of a large reply, and a CLI runs it cold.
    const scan = (jsonScan ??= native().jsonScan as JsonScan);
    const found = scan(chunk, this.state);
    const bad = found[0];
    if (bad >= 0) {
      const b = chunk[bad];
      throw new FramingError(b === QUOTE || b === CLOSE_BRACE || b === CLOSE_BRACKET ? `unexpected ${String.fromCharCode(b)} outside a JSON-RPC message` : `unexpected byte 0x${b.toString(16)} between JSON-RPC messages`);
    }
    const values: unknown[] = [];
    for (let k = 0; k < found[2]; k++) values.push(this.finish(chunk.subarray(found[3 + 2 * k], found[4 + 2 * k])));
    if (found[1] >= 0) this.keep(chunk.subarray(found[1]));
    return values;
  }

  /** True when a value has started but not finished (a closed stream at this point lost a message). */
  get partial(): boolean {
    return this.state[0] > 0;
  }

  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.state.fill(0);
  }

  private keep(part: Buffer): void {
    this.pending.push(part);
    this.pendingBytes += part.length;
    if (this.pendingBytes > MAX_MESSAGE_BYTES) throw new FramingError(`message larger than ${MAX_MESSAGE_BYTES} bytes`);
  }

  private finish(tail: Buffer): unknown {
    const whole = this.pendingBytes ? Buffer.concat([...this.pending, tail]) : tail;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      return JSON.parse(whole.toString('utf8'));
    } catch (err) {
      throw new FramingError(`malformed JSON-RPC message: ${(err as Error).message}`);
    }
  }
}
