// The scale fixture (REAL-COMPONENTS.md): a namespace with IPv6 disabled, then N ifb links set up,
// the first `addrs` of them with an IPv4 /24 each (and so their kernel routes), plus a few static
// routes in the main table and in table 100, all made with one `ip -batch`.
import { execFileSync } from 'node:child_process';
import { createNetns, type TestNetns } from './netns';

export function scaleAddress(i: number): string {
  return `10.${100 + (i >> 8)}.${i & 255}.1`;
}

export function createScaleNetns(links: number, addrs: number, prefix = 'opdbus-t'): TestNetns {
  const ns = createNetns(prefix);
  try {
    execFileSync('ip', ['netns', 'exec', ns.name, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    const lines: string[] = [];
    for (let i = 0; i < links; i++) lines.push(`link add s${i} type ifb`, `link set s${i} up`);
    for (let i = 0; i < addrs; i++) lines.push(`addr add ${scaleAddress(i)}/24 dev s${i}`);
    const statics = Math.min(100, addrs);
    for (let i = 0; i < statics; i++) lines.push(`route add 172.16.${i}.0/24 via ${scaleAddress(i).replace(/\.1$/, '.254')}`);
    if (addrs > 0) lines.push(`route add default via ${scaleAddress(0).replace(/\.1$/, '.254')} table 100`);
    execFileSync('ip', ['-n', ns.name, '-batch', '-'], { input: lines.join('\n') + '\n', maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    ns.remove();
    throw err;
  }
  return ns;
}
