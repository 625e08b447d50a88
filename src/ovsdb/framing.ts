// OVSDB stream framing: RFC 7047 sends a stream of JSON values with no delimiter, so this splitter
// scans bytes (string state, escapes, nesting depth) and yields each complete top-level value,
// whatever the chunking. Bytes >= 0x80 (UTF-8 continuation) never look like JSON syntax, so a
// multi-byte character split across chunks is reassembled by decoding whole values only.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Largest value we buffer before declaring the peer broken (ovsdb-server's own limit is far lower). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export class FramingError extends Error {}

export class JsonStreamSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds one chunk; returns every value completed by it, in order. */
  push(chunk: Buffer): unknown[] {
    const values: unknown[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      if (b === QUOTE) {
        this.requireOpen(b);
        this.inString = true;
      } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        if (this.depth === 0) start = i;
        this.depth++;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        this.requireOpen(b);
        if (--this.depth === 0) {
          values.push(this.finish(chunk.subarray(this.pendingBytes ? 0 : start, i + 1)));
          start = i + 1;
        }
      } else if (this.depth === 0 && b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) {
        throw new FramingError(`unexpected byte 0x${b.toString(16)} between JSON-RPC messages`);
      }
    }
    if (this.depth > 0) this.keep(chunk.subarray(this.pendingBytes ? 0 : start));
    return values;
  }

  /** True when a value has started but not finished (a closed stream at this point lost a message). */
  get partial(): boolean {
    return this.depth > 0;
  }

  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  private requireOpen(b: number): void {
    if (this.depth === 0) throw new FramingError(`unexpected ${String.fromCharCode(b)} outside a JSON-RPC message`);
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
