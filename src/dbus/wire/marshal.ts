// The D-Bus wire format, outbound, for the lean client (client.ts): a method call with its header
// fields and a body of basic types, arrays and structs, little-endian.
import type { CallSpec } from '../connection';
import { parseSignature, type DbusType } from '../signature';
import { ALIGN, pad } from './unmarshal';

const METHOD_CALL = 1;

/** Header field codes (D-Bus specification, "Message Format"). */
const FIELD = { path: 1, interface: 2, member: 3, destination: 6, signature: 8 } as const;

/** A growing little-endian buffer. */
class Writer {
  buf = Buffer.alloc(256);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  align(n: number): void {
    const to = pad(this.len, n);
    this.room(to - this.len);
    this.buf.fill(0, this.len, to);
    this.len = to;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }

  u32(v: number): void {
    this.align(4);
    this.room(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }

  text(s: string, lenBytes: 1 | 4): void {
    const bytes = Buffer.byteLength(s);
    if (lenBytes === 4) this.u32(bytes);
    else this.u8(bytes);
    this.room(bytes + 1);
    this.len += this.buf.write(s, this.len);
    this.buf[this.len++] = 0;
  }

  value(t: DbusType, v: unknown): void {
    switch (t.code) {
      case 'y': return this.u8(Number(v));
      case 'b': return this.u32(v ? 1 : 0);
      case 'u': return this.u32(Number(v));
      case 'i': this.align(4); this.room(4); this.buf.writeInt32LE(Number(v), this.len); this.len += 4; return;
      case 's': case 'o': return this.text(String(v), 4);
      case 'g': return this.text(String(v), 1);
      case 'a': {
        this.u32(0);
        const lenAt = this.len - 4;
        this.align(ALIGN[t.children[0].code]);
        const start = this.len;
        for (const item of v as unknown[]) this.value(t.children[0], item);
        this.buf.writeUInt32LE(this.len - start, lenAt);
        return;
      }
      case '(':
        this.align(8);
        t.children.forEach((c, i) => this.value(c, (v as unknown[])[i]));
        return;
      default:
        throw new Error(`the lean D-Bus client does not marshal "${t.text}" arguments`);
    }
  }
}

export interface CallMessage extends CallSpec {
  serial: number;
}

export function marshalCall(m: CallMessage): Buffer {
  const body = new Writer();
  const signature = m.signature ?? '';
  parseSignature(signature).forEach((t, i) => body.value(t, m.body?.[i]));
  const w = new Writer();
  w.u8(0x6c); // 'l': little-endian
  w.u8(METHOD_CALL);
  w.u8(0);
  w.u8(1);
  w.u32(body.len);
  w.u32(m.serial);
  const fields: [number, string, string][] = [
    [FIELD.path, 'o', m.path],
    [FIELD.destination, 's', m.destination],
    [FIELD.interface, 's', m.interface],
    [FIELD.member, 's', m.member],
  ];
  if (signature) fields.push([FIELD.signature, 'g', signature]);
  w.u32(0);
  const lenAt = w.len - 4;
  w.align(8);
  const start = w.len;
  for (const [code, sig, value] of fields) {
    w.align(8);
    w.u8(code);
    w.text(sig, 1);
    w.value({ code: sig, children: [], text: sig }, value);
  }
  w.buf.writeUInt32LE(w.len - start, lenAt);
  w.align(8);
  return Buffer.concat([w.buf.subarray(0, w.len), body.buf.subarray(0, body.len)]);
}
