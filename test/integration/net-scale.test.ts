// `opdbus query --plugin net` on a namespace with 10,000 links, 5,000 IPv4 addresses and their routes
// returns the same objects as `ip -j link show`, `ip -j addr show` and `ip -j route show table all`,
// compared field by field (with plugins.net.include_kernel so the kernel's own routes are shown too).
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/exit-codes';
import { scopeName } from '../../src/netlink/constants';
import { familyOf } from '../../src/plugins/net/ip';
import { defaultScope } from '../../src/plugins/net/routes';
import type { NetInterface, NetRoute, NetState } from '../../src/plugins/net/schema';
import { opdbus, tempDir, writeDoc } from '../harness/cli';
import { ipJson } from '../harness/net';
import { createScaleNetns } from '../harness/net-scale';
import type { TestNetns } from '../harness/netns';

/** One ip -j route object in the document's terms. */
function fromIp(r: any): string {
  const dst = r.dst === 'default' ? 'default' : r.dst.includes('/') ? r.dst : `${r.dst}/32`;
  return JSON.stringify([r.table ?? 'main', dst, r.gateway ?? null, r.dev ?? null, r.metric ?? 0, r.protocol ?? 'boot', r.type ?? 'unicast', r.scope ?? 'global']); // ip omits proto boot
}
function fromDoc(r: NetRoute): string {
  const type = r.type ?? 'unicast';
  const typeNumber = type === 'local' ? 2 : type === 'broadcast' as string ? 3 : 1;
  const scope = r.scope ?? scopeName(defaultScope(familyOf((r.destination === 'default' ? '0.0.0.0' : r.destination.split('/')[0]))!, typeNumber, !!r.gateway));
  return JSON.stringify([String(r.table ?? 'main'), r.destination, r.gateway ?? null, r.dev ?? null, r.metric ?? 0, r.protocol, type, scope]);
}

describe('net query at scale against ip -j', () => {
  let ns: TestNetns;
  let stateDir: string;
  let config: string;
  before(() => {
    ns = createScaleNetns(10_000, 5_000);
    stateDir = tempDir();
    config = writeDoc(tempDir(), 'config.yaml', 'plugins:\n  net:\n    include_kernel: true\n');
  });
  after(() => ns.remove());

  it('returns the same links, addresses and routes', () => {
    const r = opdbus(['--netns', ns.name, '--config', config, 'query', '--plugin', 'net', '--format', 'json'], { stateDir });
    assert.equal(r.status, EXIT.OK, r.stderr);
    const net: NetState = JSON.parse(r.stdout).plugins.net;
    const links = ipJson(ns.name, ['link', 'show']);
    const addrs = ipJson(ns.name, ['addr', 'show']);
    const routes = ipJson(ns.name, ['route', 'show', 'table', 'all']);
    assert.equal(links.length, 10_001);

    const ours = net.interfaces!;
    assert.deepEqual(ours.map((i) => i.name), links.map((l: any) => l.ifname));
    const view = (i: NetInterface) => [i.name, i.mtu, i.state, i.mac ?? null, i.controller ?? null];
    assert.deepEqual(ours.map(view), links.map((l: any) => [l.ifname, l.mtu, l.flags.includes('UP') ? 'up' : 'down', l.link_type === 'loopback' ? null : l.address, l.master ?? null]));
    const ourAddrs = ours.map((i) => [i.name, (i.ipv4?.address ?? []).map((a) => `${a.ip}/${a.prefix}`)]);
    assert.deepEqual(ourAddrs, addrs.map((l: any) => [l.ifname, l.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`)]));
    assert.equal(ourAddrs.filter(([, a]) => a.length).length, 5_000);

    assert.equal(net.routes!.length, routes.length);
    assert.deepEqual(net.routes!.map(fromDoc).sort(), routes.map(fromIp).sort());
  });
});
