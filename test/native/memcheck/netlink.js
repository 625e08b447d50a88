// Exerciser for scripts/memcheck.js: the netlink module's dumps (every kind, with stats), batched
// changes (acknowledged, refused, unresolvable names), argument errors and subscriptions, in a
// namespace of its own (the setns path), many times.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { native } = require('../../../dist/src/native/binding.js');

const raw = native();
// netlinkApply takes the phases' JSON (src/netlink/changes.ts).
const addon = { ...raw, netlinkApply: (netns, phases) => raw.netlinkApply(netns, JSON.stringify(phases)) };
const ns = `opdbus-t-memcheck-${process.pid}`;
const nsPath = `/run/netns/${ns}`;
execFileSync('ip', ['netns', 'add', ns]);

async function main() {
  const link = (op, name, extra = {}) => ({ op, subject: `${op} ${name}`, name, ...extra });
  for (let i = 0; i < 15; i++) {
    const results = await addon.netlinkApply(nsPath, [
      [link('newlink', 'br0', { kind: 'bridge', up: true }), link('newlink', 'v0', { kind: 'veth', peer: 'v1', mtu: 1400, mac: '02:00:00:00:00:01' }),
        link('newlink', 'vx0', { kind: 'vxlan', vxlanId: 42, vxlanRemote: '10.1.1.1', vxlanPort: 4789 }), link('newlink', 't0', { kind: 'tun', tunType: 'tap' })],
      [link('setlink', 'v0', { master: 'br0', up: true }), link('setlink', 'v1', { up: true })],
      [{ op: 'newaddr', subject: 'addr', family: 4, dev: 'br0', address: '10.5.0.1', prefix: 24 },
        { op: 'newaddr', subject: 'addr6', family: 6, dev: 'br0', address: '2001:db8::1', prefix: 64 }],
      [{ op: 'newroute', subject: 'route', family: 4, address: '10.6.0.0', prefix: 16, gateway: '10.5.0.9', table: 100 }],
    ]);
    if (results.flat().some((r) => r !== null)) throw new Error(`apply failed: ${results.flat().filter(Boolean).map((e) => e.message)}`);
    const refused = await addon.netlinkApply(nsPath, [[link('newlink', 'br0', { kind: 'bridge' }),
      { op: 'newaddr', subject: 'addr', family: 4, dev: 'missing0', address: '10.5.0.1', prefix: 24 },
      { op: 'newroute', subject: 'route', family: 4, address: '10.7.0.0', prefix: 16, gateway: '172.16.0.1', table: 254 }]]);
    if (refused[0].filter((r) => r instanceof Error).length !== 3) throw new Error('expected three refusals');
    const json = await addon.netlinkDump(nsPath, ['link', 'addr', 'route', 'neigh'], i % 2 === 0, i % 3 === 0);
    if (!JSON.parse(json).link.some((l) => l.name === 'vx0')) throw new Error('dump lacks vx0');
    await addon.netlinkApply(nsPath, [[link('setlink', 't0', { newName: 't1' })]]);
    await addon.netlinkApply(nsPath, [[link('dellink', 'br0'), link('dellink', 'v0'), link('dellink', 'vx0'), link('dellink', 't1')]]);
    try {
      addon.netlinkApply(nsPath, [[{ op: 'bogus' }]]);
      throw new Error('expected a TypeError');
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
    }
    await addon.netlinkDump('/run/netns/opdbus-t-no-such-ns', ['link'], false).then(() => { throw new Error('expected ENOENT'); }, (err) => { if (err.code !== 'ENOENT') throw err; });
    addon.netlinkProbe(nsPath);
    try {
      addon.netlinkProbe('/run/netns/opdbus-t-no-such-ns');
      throw new Error('expected ENOENT');
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    let events = 0;
    const sub = addon.netlinkSubscribe(nsPath, ['link', 'addr', 'route', 'neigh'], (batch) => { events += JSON.parse(batch).length; });
    spawnSync('ip', ['-n', ns, 'link', 'add', 'e0', 'type', 'ifb']);
    spawnSync('ip', ['-n', ns, 'link', 'del', 'e0']);
    await new Promise((r) => setTimeout(r, 100));
    sub.close();
    sub.close();
    if (i === 14 && events === 0) throw new Error('no events delivered');
  }
  // One left open and unref'd: the environment's cleanup hook must stop it at exit.
  addon.netlinkSubscribe(nsPath, ['link'], () => undefined).unref();
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => spawnSync('ip', ['netns', 'del', ns]));
