// The net plugin against real rtnetlink in a namespace the test creates (targeted through
// config.netns, i.e. the addon's setns path): one document builds an ifb, a veth pair and a bridge
// with ports, IPv4/IPv6 addresses and routes in two tables; `ip -j` checks the result field by field.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { netPlugin, type NetState } from '../../src/plugins/net';
import { ip, ipJson, netCtx, netTransaction, settledSnapshot, stableSnapshot, withoutDad } from '../harness/net';
import { createNetns, type TestNetns } from '../harness/netns';

const document: NetState = {
  interfaces: [
    { name: 'br0', type: 'bridge', state: 'up', mtu: 1450, ipv4: { address: [{ ip: '10.10.0.1', prefix: 24 }] }, ipv6: { address: [{ ip: '2001:db8:10::1', prefix: 64 }] } },
    { name: 'ifb0', type: 'ifb', state: 'up', mtu: 1400, ipv4: { address: [{ ip: '10.30.0.1', prefix: 24 }, { ip: '10.31.0.1', prefix: 16 }] } },
    { name: 'va', type: 'veth', veth: { peer: 'vb' }, controller: 'br0', mtu: 1450 },
    { name: 'vb', state: 'up', mac: '02:00:00:00:0b:01', ipv4: { address: [{ ip: '10.20.0.1', prefix: 24 }] } },
    { name: 'ifb1', type: 'ifb', state: 'down', controller: 'br0' },
    { name: 'tap0', type: 'tap', mtu: 1280 },
    { name: 'vx0', type: 'vxlan', vxlan: { id: 42, remote: '10.10.0.200', dstport: 4789, dev: 'br0' } },
    { name: 'mv0', type: 'macvlan', macvlan: { mode: 'bridge', base: 'ifb0' } },
  ],
  routes: [
    { destination: '10.50.0.0/16', gateway: '10.10.0.254' },
    { destination: '10.60.0.0/16', dev: 'ifb0', metric: 50 },
    { destination: 'default', gateway: '10.20.0.254', table: 100 },
    { destination: '2001:db8:99::/48', gateway: '2001:db8:10::fe', table: 200 },
    { destination: '192.0.2.0/24', type: 'blackhole', table: 200 },
  ],
};

describe('net plugin: apply in a namespace', () => {
  let ns: TestNetns;
  before(() => {
    ns = createNetns();
    withoutDad(ns.name);
  });
  after(() => ns.remove());

  it('creates links, ports, addresses and routes in two tables, as ip -j shows them', async () => {
    const ctx = netCtx(ns.name);
    const result = await netTransaction(ctx, document);
    assert.equal(result.error, undefined, result.error?.message);
    assert.equal(result.applied, true);

    const links = new Map(ipJson(ns.name, ['-d', 'link', 'show']).map((l: any) => [l.ifname, l]));
    const link = (n: string) => links.get(n) as any;
    assert.equal(link('br0').linkinfo.info_kind, 'bridge');
    assert.equal(link('br0').mtu, 1450);
    assert.ok(link('br0').flags.includes('UP'));
    assert.equal(link('ifb0').linkinfo.info_kind, 'ifb');
    assert.equal(link('ifb0').mtu, 1400);
    assert.ok(link('ifb0').flags.includes('UP'));
    assert.equal(link('va').linkinfo.info_kind, 'veth');
    assert.equal(link('va').link, 'vb');
    assert.equal(link('va').master, 'br0');
    assert.equal(link('va').mtu, 1450);
    assert.equal(link('vb').address, '02:00:00:00:0b:01');
    assert.ok(link('vb').flags.includes('UP'));
    assert.equal(link('ifb1').master, 'br0');
    assert.ok(!link('ifb1').flags.includes('UP'));
    const vx = link('vx0').linkinfo.info_data;
    assert.deepEqual([link('vx0').linkinfo.info_kind, vx.id, vx.remote, vx.port, vx.link], ['vxlan', 42, '10.10.0.200', 4789, 'br0']);
    assert.deepEqual([link('mv0').linkinfo.info_kind, link('mv0').linkinfo.info_data.mode, link('mv0').link], ['macvlan', 'bridge', 'ifb0']);
    assert.deepEqual([link('tap0').linkinfo.info_kind, link('tap0').linkinfo.info_data.type, link('tap0').mtu], ['tun', 'tap', 1280]);

    const addrs = (dev: string) => ipJson(ns.name, ['addr', 'show', 'dev', dev])[0].addr_info.filter((a: any) => a.scope !== 'link').map((a: any) => `${a.local}/${a.prefixlen}`);
    assert.deepEqual(addrs('br0'), ['10.10.0.1/24', '2001:db8:10::1/64']);
    assert.deepEqual(addrs('ifb0'), ['10.30.0.1/24', '10.31.0.1/16']);
    assert.deepEqual(addrs('vb'), ['10.20.0.1/24']);

    const main = ipJson(ns.name, ['route', 'show', 'table', 'main']);
    const r50 = main.find((r: any) => r.dst === '10.50.0.0/16');
    assert.deepEqual([r50.gateway, r50.dev, r50.protocol], ['10.10.0.254', 'br0', 'static']);
    const r60 = main.find((r: any) => r.dst === '10.60.0.0/16');
    assert.deepEqual([r60.dev, r60.metric, r60.scope], ['ifb0', 50, 'link']);
    const t100 = ipJson(ns.name, ['route', 'show', 'table', '100']);
    assert.deepEqual(t100.map((r: any) => [r.dst, r.gateway, r.dev]), [['default', '10.20.0.254', 'vb']]);
    const t200v6 = ipJson(ns.name, ['-6', 'route', 'show', 'table', '200']);
    assert.deepEqual(t200v6.map((r: any) => [r.dst, r.gateway, r.dev, r.metric]), [['2001:db8:99::/48', '2001:db8:10::fe', 'br0', 1024]]);
    const t200v4 = ipJson(ns.name, ['route', 'show', 'table', '200']);
    assert.deepEqual(t200v4.map((r: any) => [r.type, r.dst]), [['blackhole', '192.0.2.0/24']]);

    assert.deepEqual(netPlugin.diff(await netPlugin.query(ctx), netPlugin.normalize!(document)), []);
  });

  it('query output is itself an appliable document with an empty diff', async () => {
    const ctx = netCtx(ns.name);
    const current = await netPlugin.query(ctx);
    assert.deepEqual(await netPlugin.validate!(current, ctx), []);
    assert.deepEqual(netPlugin.diff(current, netPlugin.normalize!(current)), []);
    // Kernel-owned objects are not in it: no link-local addresses, no proto kernel or local-table routes.
    const text = JSON.stringify(current);
    assert.ok(!text.includes('fe80:'));
    assert.ok(!(current.routes ?? []).some((r) => r.protocol === 'kernel' || r.table === 'local'));
  });

  it('verify names every field changed behind its back, by JSON pointer', async () => {
    const ctx = netCtx(ns.name);
    ip(ns.name, ['link', 'set', 'ifb0', 'mtu', '1000']);
    ip(ns.name, ['route', 'del', '10.50.0.0/16']);
    ip(ns.name, ['addr', 'del', '10.30.0.1/24', 'dev', 'ifb0']);
    ip(ns.name, ['link', 'set', 'ifb1', 'nomaster']);
    const mismatches = await netPlugin.verify(ctx, netPlugin.normalize!(document));
    assert.deepEqual(mismatches, [
      { path: '/plugins/net/interfaces/1/mtu', expected: 1400, found: 1000 },
      { path: '/plugins/net/interfaces/1/ipv4/address/0', expected: { ip: '10.30.0.1', prefix: 24 }, found: null },
      { path: '/plugins/net/interfaces/4/controller', expected: 'br0', found: null },
      { path: '/plugins/net/routes/0', expected: { destination: '10.50.0.0/16', gateway: '10.10.0.254' }, found: null },
    ]);
    const again = await netTransaction(ctx, document);
    assert.equal(again.error, undefined, again.error?.message);
    assert.equal(again.actions, 4);
    assert.deepEqual(await netPlugin.verify(ctx, netPlugin.normalize!(document)), []);
  });

  it('a route the kernel refuses rolls back everything: ip -j shows the namespace exactly as before', async () => {
    const ctx = netCtx(ns.name);
    const beforeSnap = await stableSnapshot(ns.name);
    const result = await netTransaction(ctx, {
      interfaces: [
        { name: 'ifb0', type: 'ifb', mtu: 1300, state: 'down', ipv4: { address: [{ ip: '10.30.0.1', prefix: 24 }] } },
        { name: 'br0', mtu: 1400 },
        { name: 'ifb1', controller: null },
        { name: 'new0', type: 'ifb', ipv4: { address: [{ ip: '10.40.0.1', prefix: 24 }] } },
        { name: 'vb', state: 'absent' },
      ],
      routes: [
        { destination: '10.70.0.0/16', gateway: '10.10.0.9' },
        { destination: '10.50.0.0/16', state: 'absent' },
        { destination: '10.80.0.0/16', gateway: '172.31.255.1' },
      ],
    });
    assert.equal(result.applied, false);
    assert.equal(result.error?.kind, 'Backend', result.error?.message);
    assert.equal(result.error?.code, 'ENETUNREACH');
    assert.equal(result.error?.path, '/plugins/net/routes/2');
    assert.match(result.error!.message, /^RTM_NEWROUTE add route 10\.80\.0\.0\/16 via 172\.31\.255\.1 table 254 metric 0: Network is unreachable \(ENETUNREACH\)/);
    assert.deepEqual(await settledSnapshot(ns.name, beforeSnap), beforeSnap);
  });

  it('state: absent removes links and routes; an address list removes unlisted addresses', async () => {
    const ctx = netCtx(ns.name);
    const result = await netTransaction(ctx, {
      interfaces: [
        { name: 'ifb1', state: 'absent' },
        { name: 'va', state: 'absent' },
        { name: 'ifb0', ipv4: { address: [{ ip: '10.31.0.1', prefix: 16 }] } },
      ],
      routes: [{ destination: '192.0.2.0/24', type: 'blackhole', table: 200, state: 'absent' }, { destination: '10.60.0.0/16', metric: 50, state: 'absent' }],
    });
    assert.equal(result.error, undefined, result.error?.message);
    const names = ipJson(ns.name, ['link', 'show']).map((l: any) => l.ifname);
    assert.ok(!names.includes('ifb1') && !names.includes('va') && !names.includes('vb'), names.join(','));
    const ifb0 = ipJson(ns.name, ['addr', 'show', 'dev', 'ifb0'])[0].addr_info.map((a: any) => `${a.local}/${a.prefixlen}`);
    assert.ok(ifb0.includes('10.31.0.1/16') && !ifb0.includes('10.30.0.1/24'));
    // The IPv6 link-local address is the kernel's: a document listing IPv4 addresses leaves it alone.
    assert.equal(ipJson(ns.name, ['route', 'show', 'table', '200']).length, 0);
    assert.equal(ipJson(ns.name, ['route', 'show', '10.60.0.0/16']).length, 0);
  });
});

describe('net plugin: kind changes', () => {
  let ns: TestNetns;
  before(() => {
    ns = createNetns();
    withoutDad(ns.name);
  });
  after(() => ns.remove());

  it('changes MTU of a vxlan in place, and recreates it only when its id changes', async () => {
    const ctx = netCtx(ns.name);
    const index = () => ipJson(ns.name, ['link', 'show', 'dev', 'vx1'])[0].ifindex;
    assert.equal((await netTransaction(ctx, { interfaces: [{ name: 'vx1', type: 'vxlan', vxlan: { id: 7, dstport: 4790 } }] })).error, undefined);
    const first = index();
    assert.equal((await netTransaction(ctx, { interfaces: [{ name: 'vx1', type: 'vxlan', mtu: 1400, vxlan: { id: 7 } }] })).error, undefined);
    assert.equal(index(), first, 'same link, changed in place');
    assert.equal(ipJson(ns.name, ['link', 'show', 'dev', 'vx1'])[0].mtu, 1400);
    assert.equal((await netTransaction(ctx, { interfaces: [{ name: 'vx1', type: 'vxlan', mtu: 1400, vxlan: { id: 8 } }] })).error, undefined);
    assert.notEqual(index(), first, 'recreated');
    assert.equal(ipJson(ns.name, ['-d', 'link', 'show', 'dev', 'vx1'])[0].linkinfo.info_data.id, 8);
  });
});
