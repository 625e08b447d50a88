// The D-Bus wire format, inbound: frames a message and reads its header and body by signature into the
// values dbus-next gives (structs as arrays, dicts as objects, "ay" as a Buffer, 64-bit as BigInt),
// except variants, which are plain {signature, value}. One compiled reader per signature, reused.
import { parseSignature, parseSingleType, type DbusType } from '../signature';

export const METHOD_RETURN = 2;
export const ERROR = 3;

export const ALIGN: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, d: 8, h: 4, s: 4, o: 4, g: 1, v: 1, a: 4, '(': 8, '{': 8 };
export const pad = (offset: number, n: number): number => (offset + n - 1) & ~(n - 1);

/** The largest message the specification allows (128 MiB). */
const MAX_MESSAGE = 128 * 1024 * 1024;

export interface WireMessage {
  type: number;
  serial: number;
  replySerial?: number;
  errorName?: string;
  body: unknown[];
}

class Reader {
  constructor(readonly buf: Buffer, readonly le: boolean, public pos = 0) {}

  align(n: number): void {
    this.pos = pad(this.pos, n);
  }

  fixed<T>(size: number, le: (o: number) => T, be: (o: number) => T): T {
    this.align(size);
    const v = this.le ? le.call(this.buf, this.pos) : be.call(this.buf, this.pos);
    this.pos += size;
    return v;
  }

  u32(): number {
    return this.fixed(4, this.buf.readUInt32LE, this.buf.readUInt32BE);
  }

  string(): string {
    const n = this.u32();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n + 1;
    return s;
  }

  signature(): string {
    const n = this.buf[this.pos];
    const s = this.buf.toString('latin1', this.pos + 1, this.pos + 1 + n);
    this.pos += n + 2;
    return s;
  }
}

type Read = (r: Reader) => unknown;
const compiled = new Map<string, Read>();

function reader(t: DbusType): Read {
  let read = compiled.get(t.text);
  if (!read) compiled.set(t.text, (read = build(t)));
  return read;
}

function arrayReader(el: DbusType): Read {
  const align = ALIGN[el.code];
  if (el.code === 'y') {
    return (r) => {
      const n = r.u32();
      r.pos += n;
      return Buffer.from(r.buf.subarray(r.pos - n, r.pos));
    };
  }
  if (el.code === '{') {
    const [key, value] = el.children.map(reader);
    return (r) => {
      const n = r.u32();
      r.align(8);
      const end = r.pos + n;
      const out: Record<string, unknown> = {};
      for (; r.pos < end; r.align(8)) out[String(key(r))] = value(r);
      return out;
    };
  }
  const item = reader(el);
  return (r) => {
    const n = r.u32();
    r.align(align);
    const end = r.pos + n;
    const out: unknown[] = [];
    while (r.pos < end) out.push(item(r));
    return out;
  };
}

function build(t: DbusType): Read {
  const b = Buffer.prototype;
  switch (t.code) {
    case 'y': return (r) => r.buf[r.pos++];
    case 'b': return (r) => r.u32() !== 0;
    case 'n': return (r) => r.fixed(2, b.readInt16LE, b.readInt16BE);
    case 'q': return (r) => r.fixed(2, b.readUInt16LE, b.readUInt16BE);
    case 'i': return (r) => r.fixed(4, b.readInt32LE, b.readInt32BE);
    case 'u': case 'h': return (r) => r.u32();
    case 'x': return (r) => r.fixed(8, b.readBigInt64LE, b.readBigInt64BE);
    case 't': return (r) => r.fixed(8, b.readBigUInt64LE, b.readBigUInt64BE);
    case 'd': return (r) => r.fixed(8, b.readDoubleLE, b.readDoubleBE);
    case 's': case 'o': return (r) => r.string();
    case 'g': return (r) => r.signature();
    case 'v':
      return (r) => {
        const signature = r.signature();
        return { signature, value: reader(parseSingleType(signature))(r) };
      };
    case 'a': return arrayReader(t.children[0]);
    default: {
      const fields = t.children.map(reader);
      return (r) => {
        r.align(8);
        const out = new Array<unknown>(fields.length);
        for (let i = 0; i < fields.length; i++) out[i] = fields[i](r);
        return out;
      };
    }
  }
}

/** Total length of the message starting at buf[0], once its fixed header is there; throws on garbage. */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 16) return undefined;
  if (buf[0] !== 0x6c && buf[0] !== 0x42) throw new Error(`D-Bus protocol error: bad endianness byte 0x${buf[0].toString(16)}`);
  const le = buf[0] === 0x6c;
  const body = le ? buf.readUInt32LE(4) : buf.readUInt32BE(4);
  const fields = le ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
  const total = pad(16 + fields, 8) + body;
  if (total > MAX_MESSAGE) throw new Error(`D-Bus protocol error: message of ${total} bytes`);
  return total;
}

const HEADER_FIELDS = parseSingleType('a(yv)');
const bodyTypes = new Map<string, DbusType[]>();

/** Reads one whole message (exactly messageLength(buf) bytes). */
export function readMessage(buf: Buffer): WireMessage {
  const r = new Reader(buf, buf[0] === 0x6c, 8);
  const msg: WireMessage = { type: buf[1], serial: r.u32(), body: [] };
  let signature = '';
  for (const [code, v] of reader(HEADER_FIELDS)(r) as [number, { value: unknown }][]) {
    if (code === 4) msg.errorName = v.value as string;
    else if (code === 5) msg.replySerial = v.value as number;
    else if (code === 8) signature = v.value as string;
  }
  r.align(8);
  let types = bodyTypes.get(signature);
  if (!types) bodyTypes.set(signature, (types = parseSignature(signature)));
  msg.body = types.map((t) => reader(t)(r));
  return msg;
}
