// The net plugin's pure parts: normalize() of the original op-dbus shape, validation messages (exact),
// route identity and defaults, and the plan for a small current/desired pair.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { netPlugin, type NetState } from '../../src/plugins/net';
import { canonicalIp, networkOf, parseCidr } from '../../src/plugins/net/ip';
import { interfaceNames, routeKey, routeSpec } from '../../src/plugins/net/model';
import { validateState } from '../../src/plugins/net/validate';

describe('net normalize', () => {
  it('turns the original op-dbus shape into the canonical one', () => {
    const original: NetState = {
      interfaces: [
        { name: 'br1', type: 'bridge', ports: ['p1', 'p2'], ipv4: { enabled: true, dhcp: false, address: [{ ip: '10.20.0.1', prefix: 24 }], gateway: '10.20.0.254' } },
        { name: 'p2', type: 'ifb' },
        { name: 'e1', type: 'ethernet', ipv6: { enabled: false } },
      ],
    };
    assert.deepEqual(netPlugin.normalize!(original), {
      interfaces: [
        { name: 'br1', type: 'bridge', ipv4: { address: [{ ip: '10.20.0.1', prefix: 24 }] } },
        { name: 'p1', controller: 'br1' },
        { name: 'p2', type: 'ifb', controller: 'br1' },
        { name: 'e1', type: 'ethernet', ipv6: { address: [] } },
      ],
      routes: [{ destination: 'default', gateway: '10.20.0.254', dev: 'br1' }],
    });
  });

  it('a normalized state is returned as it is: normalizing it again would change nothing', () => {
    const doc: NetState = {
      interfaces: [{ name: 'br0', type: 'bridge', ports: ['p0'], mac: '02:AA:00:00:00:01', ipv4: { address: [{ ip: '10.0.0.1', prefix: 24 }], gateway: '10.0.0.254' } }],
      routes: [{ destination: '2001:DB8::/64', gateway: '2001:db8::fe' }],
    };
    const once = netPlugin.normalize!(doc) as NetState;
    assert.equal(netPlugin.normalize!(once), once);
    // The same as normalizing a copy (a copy is not known as normalized, so it is normalized for real).
    assert.deepEqual(netPlugin.normalize!(structuredClone(once)), once);
  });

  it('interfaceNames names what the normalized document names: interfaces and bridge ports', () => {
    const docs: NetState[] = [
      { interfaces: [{ name: 'br1', type: 'bridge', ports: ['p1', 'p2'] }, { name: 'p2', type: 'ifb' }, { name: 'eth0' }] },
      { interfaces: [{ name: 'p1', type: 'ifb' }, { name: 'br0', type: 'bridge', ports: ['p1', 'p3'] }, { name: 'br2', type: 'bridge', ports: ['p3'] }] },
      { routes: [{ destination: 'default', gateway: '10.0.0.1' }] },
      {},
    ];
    for (const doc of docs) {
      const normalized = (netPlugin.normalize!(doc) as NetState).interfaces ?? [];
      assert.deepEqual([...interfaceNames(doc)].sort(), normalized.map((i) => i.name).sort());
    }
    assert.deepEqual([...interfaceNames(docs[0])].sort(), ['br1', 'eth0', 'p1', 'p2']);
  });

  it('writes addresses and destinations the way the kernel prints them', () => {
    const out = netPlugin.normalize!({
      interfaces: [{ name: 'x', ipv6: { address: [{ ip: '2001:DB8:0:0::1', prefix: 64 }] } }],
      routes: [{ destination: '0.0.0.0/0', gateway: '10.0.0.1' }, { destination: 'default', gateway: '2001:db8::ff' }, { destination: '2001:0db8:1::/48' }],
    });
    assert.equal(out.interfaces![0].ipv6!.address![0].ip, '2001:db8::1');
    assert.deepEqual(out.routes!.map((r) => r.destination), ['default', '::/0', '2001:db8:1::/48']);
  });

  it('keeps dhcp: true for validate to refuse (it is never applied)', () => {
    assert.deepEqual(netPlugin.normalize!({ interfaces: [{ name: 'x', ipv4: { dhcp: true } }] }), { interfaces: [{ name: 'x', ipv4: { dhcp: true } }] });
  });
});

describe('net validate', () => {
  const present = new Set(['lo', 'eth0']);
  it('names the path, what was expected and what was found', () => {
    const issues = validateState(
      {
        interfaces: [
          { name: 'eth9', type: 'ethernet' },
          { name: 'new0' },
          { name: 'eth0', ipv4: { dhcp: true, address: [{ ip: '2001:db8::1', prefix: 64 }] }, controller: 'nobr' },
          { name: 'eth0' },
          { name: 'vx', type: 'vxlan' },
        ],
        routes: [{ destination: '10.0.0.5/24' }, { destination: 'nowhere', gateway: 'x', table: 'mian' }],
      },
      present,
    );
    assert.deepEqual(issues.map((i) => `${i.path}: ${i.message}`), [
      '/interfaces/0: link eth9 does not exist, and type ethernet cannot be created (a physical or foreign device must already be there)',
      '/interfaces/1/type: link new0 does not exist: give a type (one of veth, bridge, ifb, vxlan, macvlan, macvtap, tun, tap) to create it',
      '/interfaces/2/ipv4/dhcp: dhcp is not supported by opdbus; expected false (or no dhcp field) with static addresses in "address"',
      '/interfaces/2/ipv4/address/0/ip: expected an IPv4 address',
      '/interfaces/3/name: interface eth0 is listed twice',
      '/interfaces/4/vxlan: a new vxlan needs vxlan.id',
      '/interfaces/2/controller: no bridge named nobr exists or is listed',
      '/routes/0/destination: host bits set: expected the network 10.0.0.0/24',
      '/routes/1/destination: expected "default", "::/0" or a network in CIDR form (10.0.0.0/24, 2001:db8::/64)',
      '/routes/1/table: expected a table number or one of main, default, local',
      '/routes/1/gateway: expected an IP address',
    ]);
  });
});

describe('net ip text', () => {
  it('parses CIDRs, clears host bits, and prints addresses as inet_ntop does', () => {
    assert.deepEqual(parseCidr('10.1.2.3/8'), { ip: '10.1.2.3', prefix: 8, family: 4 });
    assert.deepEqual(parseCidr('2001:DB8::1'), { ip: '2001:db8::1', prefix: 128, family: 6 });
    assert.equal(parseCidr('10.0.0.0/33'), undefined);
    assert.equal(parseCidr('10.0.0/8'), undefined);
    assert.equal(networkOf('10.1.2.3', 8), '10.0.0.0');
    assert.equal(networkOf('10.1.2.3', 23), '10.1.2.0');
    assert.equal(networkOf('2001:db8:abcd:12::1', 56), '2001:db8:abcd::');
    assert.equal(networkOf('::ffff:10.1.2.3', 120), '::ffff:10.1.2.0');
    assert.equal(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonicalIp('10.0.0.256'), undefined);
  });
});

describe('net routes and plan', () => {
  it('identifies a route by table, destination and metric with the kernel defaults', () => {
    assert.equal(routeKey(routeSpec({ destination: 'default', gateway: '10.0.0.1' })!), '254:0.0.0.0/0:0');
    assert.equal(routeKey(routeSpec({ destination: '2001:db8::/32', table: 'main', metric: 0 })!), '254:2001:db8::/32:1024');
    assert.equal(routeKey(routeSpec({ destination: '10.1.0.0/16', table: 100, metric: 7 })!), '100:10.1.0.0/16:7');
    assert.equal(routeKey(routeSpec({ destination: 'fe80::/64', dev: 'br0', metric: 256 })!), '254:fe80::/64:256:br0');
    assert.equal(routeKey(routeSpec({ destination: '2001:db8::/48', type: 'unreachable' })!), '254:2001:db8::/48:1024');
  });

  it('never deletes an ovs-interface (the ovs plugin owns it)', () => {
    const current: NetState = { interfaces: [{ name: 'ovsbr0', type: 'tap', state: 'up' }] };
    assert.deepEqual(netPlugin.diff(current, { interfaces: [{ name: 'ovsbr0', type: 'ovs-interface', state: 'absent' }] }), []);
  });

  it('leaves unnamed links, kernel addresses and unnamed routes alone', () => {
    const current: NetState = {
      interfaces: [
        { name: 'a', type: 'ifb', state: 'up', mtu: 1500, ipv4: { address: [{ ip: '10.0.0.1', prefix: 24 }] }, ipv6: { address: [{ ip: 'fe80::1', prefix: 64 }] } },
        { name: 'b', type: 'ifb', state: 'up', mtu: 1500 },
      ],
      routes: [{ destination: '10.9.0.0/16', gateway: '10.0.0.9', dev: 'a', metric: 0, protocol: 'static' }],
    };
    const desired: NetState = { interfaces: [{ name: 'a', mtu: 9000, ipv6: { address: [] } }], routes: [{ destination: '10.8.0.0/16', gateway: '10.0.0.8' }] };
    const actions = netPlugin.diff(current, netPlugin.normalize!(desired));
    assert.deepEqual(actions.map((a) => `${a.op} ${a.resource} ${a.path}`), [
      'modify net:link:a /plugins/net/interfaces/0',
      'create net:route:254:10.8.0.0/16:0 /plugins/net/routes/0',
    ]);
  });
});
