// IP address text: family, canonical form (the same inet_ntop text the kernel dump uses) and
// network-prefix arithmetic for route destinations.
import * as net from 'node:net';

export type Family = 4 | 6;

export function familyOf(ip: string): Family | undefined {
  const v = net.isIP(ip);
  return v === 4 ? 4 : v === 6 ? 6 : undefined;
}

const IPV4_PLAIN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const canonical = new Map<string, string>();

/** The address as inet_ntop prints it (lowercase, zeros compressed); undefined when not an address. */
export function canonicalIp(ip: string): string | undefined {
  if (IPV4_PLAIN.test(ip)) return ip; // already canonical: the common case, kept cheap for large documents
  const known = canonical.get(ip);
  if (known !== undefined) return known;
  const family = familyOf(ip);
  if (!family) return undefined;
  const text = new net.SocketAddress({ address: ip, family: family === 4 ? 'ipv4' : 'ipv6' }).address;
  if (canonical.size < 100_000) canonical.set(ip, text);
  return text;
}

function toBytes(ip: string): number[] {
  if (familyOf(ip) === 4) return ip.split('.').map(Number);
  let text = ip;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4[1].split('.').map(Number));
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head, rest] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const all = [...h, ...new Array(8 - h.length - r.length).fill(0), ...r];
  const bytes = all.flatMap((g) => [g >> 8, g & 255]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function fromBytes(bytes: number[], family: Family): string {
  if (family === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return canonicalIp(groups.join(':'))!;
}

/** The network address of ip/prefix (host bits cleared). */
export function networkOf(ip: string, prefix: number): string {
  const family = familyOf(ip)!;
  const bytes = toBytes(ip);
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] &= bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
  }
  return fromBytes(bytes, family);
}

/** Parses "10.0.0.0/24" / "2001:db8::/64"; a bare address is a host route (/32, /128). */
export function parseCidr(text: string): { ip: string; prefix: number; family: Family } | undefined {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = canonicalIp(addr);
  if (!ip) return undefined;
  const family = familyOf(ip)!;
  const max = family === 4 ? 32 : 128;
  const prefix = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { ip, prefix, family };
}
