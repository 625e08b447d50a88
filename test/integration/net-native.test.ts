// The addon's rtnetlink core on its own: dumps in several Piscina workers at once, requests crossing
// as JSON, workers terminated mid-call, typed errors that name the object and operation, and
// multicast subscriptions (delivery, close, unref, worker exit).
import { strict as assert } from 'node:assert';
import { execFile, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { OpdbusError } from '../../src/errors';
import { netlinkAddon } from '../../src/netlink/addon';
import type { NetlinkRequest } from '../../src/netlink/types';
import { applyOrThrow, dump, subscribe, watch, type NetChange, type NetlinkEvent } from '../../src/netlink';
import { isKernelRoute } from '../../src/plugins/net/query';
import { ip, withoutDad } from '../harness/net';
import { createNetns, type TestNetns } from '../harness/netns';

const run = promisify(execFile);

describe('netlink core', () => {
  let ns: TestNetns;
  before(() => {
    ns = createNetns();
    withoutDad(ns.name);
    ns.exec('ip', ['-batch', '-'], { input: Array.from({ length: 50 }, (_, i) => `link add base${i} type ifb\n`).join('') });
  });
  after(() => ns.remove());

  it('dumps and changes from 4 Piscina workers at once, each through its own setns', async () => {
    const pool = new Piscina({ filename: path.join(__dirname, '..', 'harness', 'net-worker.js'), minThreads: 4, maxThreads: 4 });
    try {
      const tasks = Array.from({ length: 4 }, (_, i) => pool.run({ netns: ns.name, link: `w${i}`, rounds: 20 }));
      const mainThread = Array.from({ length: 10 }, () => dump(['link'], { netns: ns.name }));
      const results = await Promise.all(tasks);
      for (const r of results) {
        assert.equal(r.created, true);
        assert.deepEqual(r.links, new Array(20).fill(50));
      }
      for (const d of await Promise.all(mainThread)) assert.ok(d.link.length >= 51);
    } finally {
      await pool.destroy();
    }
    // The process's own namespace was never touched: its threads all went back.
    const host = await dump(['link']);
    assert.ok(!host.link.some((l) => l.name === 'base0' || /^w\d$/.test(l.name)));
  });

  it('ownRoutesOnly leaves out, in the addon, exactly the routes the net plugin drops as the kernel\'s own', async () => {
    ns.exec('ip', ['-batch', '-'], {
      input: [
        'link add rt0 type ifb', 'link set rt0 up',
        'addr add 192.0.2.1/24 dev rt0', 'addr add 2001:db8::1/64 dev rt0 nodad',
        'route add 198.51.100.0/24 via 192.0.2.254 table 100 proto static',
        'route add unreachable 203.0.113.0/24 metric 7',
        'route add 2001:db8:1::/64 via 2001:db8::fe dev rt0',
      ].join('\n') + '\n',
    });
    const all = (await dump(['route'], { netns: ns.name })).route;
    const own = (await dump(['route'], { netns: ns.name, ownRoutesOnly: true })).route;
    // Every kind of kernel route is there to be left out: proto kernel, the local table, broadcast, IPv6 multicast.
    assert.ok(all.some((r) => r.protocol === 2 && r.table !== 255), 'a proto kernel prefix route');
    assert.ok(all.some((r) => r.table === 255 && r.type === 2), 'a local route in the local table');
    assert.ok(all.some((r) => r.type === 3), 'a broadcast route');
    assert.ok(all.some((r) => r.family === 6 && r.dst.startsWith('ff')), 'an IPv6 multicast route');
    assert.deepEqual(own, all.filter((r) => !isKernelRoute(r)));
    assert.deepEqual(own.map((r) => r.dst).sort(), ['198.51.100.0', '2001:db8:1::', '203.0.113.0']);
  });

  it('renames a link (by ifindex) and sets its MTU in one request', async () => {
    ip(ns.name, ['link', 'add', 'old0', 'type', 'ifb']);
    await applyOrThrow([[{ op: 'setlink', subject: 'rename link old0', name: 'old0', newName: 'new0', mtu: 1300 }]], ns.name);
    const names = (await dump(['link'], { netns: ns.name })).link.filter((l) => l.name === 'old0' || l.name === 'new0');
    assert.deepEqual(names.map((l) => [l.name, l.mtu]), [['new0', 1300]]);
  });

  it('requests cross to the addon as JSON: quotes, backslashes, non-ASCII, control characters', async () => {
    // Interface names may hold any byte but '/', ':' and white space: these need JSON's escapes and UTF-8.
    const name = 'q"\\é🙂';
    await applyOrThrow([[{ op: 'newlink', subject: `create link ${name}`, name, kind: 'ifb', mtu: 1280 }], [{ op: 'setlink', subject: `set ${name} up`, name, up: true }]], ns.name);
    const link = JSON.parse(ip(ns.name, ['-j', 'link', 'show', 'dev', name]))[0];
    assert.equal(link.ifname, name);
    assert.equal(link.mtu, 1280);
    assert.ok(link.flags.includes('UP'), `flags: ${link.flags}`);
    // A control character (escaped as \u0001 by JSON.stringify) comes back intact in the refusal.
    const subject = 'add address on nosuch0 \u0001 ✓';
    await assert.rejects(applyOrThrow([[{ op: 'newaddr', subject, family: 4, dev: 'nosuch0', address: '10.0.0.1', prefix: 24 }]], ns.name), (err: Error) => err.message.includes(subject));
    // A lone surrogate becomes U+FFFD, as V8's own UTF-8 conversion makes it (JSON.stringify escapes it).
    await assert.rejects(applyOrThrow([[{ op: 'newaddr', subject: 'lone \ud800 here', family: 4, dev: 'nosuch0', address: '10.0.0.1', prefix: 24 }]], ns.name), (err: Error) => err.message.includes('lone \ufffd here'));
    // Keys the kernel has no use for are skipped whatever their value, objects and arrays included.
    const extra = { op: 'setlink', subject: `set ${name} mtu`, path: ['a]}"\\', { '}': '[' }], name, mtu: 1300 } as unknown as NetlinkRequest;
    await applyOrThrow([[extra]], ns.name);
    assert.equal(JSON.parse(ip(ns.name, ['-j', 'link', 'show', 'dev', name]))[0].mtu, 1300);
    assert.throws(() => netlinkAddon().netlinkApply(`/run/netns/${ns.name}`, '[[{"op":"newlink","name":"x"}] junk'), (err: Error) => err instanceof TypeError && /expected ',' or ']' at byte 31/.test(err.message));
    await applyOrThrow([[{ op: 'dellink', subject: `delete link ${name}`, name }]], ns.name);
  });

  it('a worker terminated while the addon completes a call does not take the process down', () => {
    // Piscina terminates workers on destroy; process.exit() terminates every worker. A completion that
    // lands then (the promise's resolve fails) used to throw from node-addon-api's catch block and
    // abort the process: "terminate called after throwing an instance of 'Napi::Error'", exit 134.
    // The addon is built with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS. In a child, so that an abort
    // fails this test instead of ending the test run; dumps of the suite's namespace.
    const script = `
      const { Worker } = require('node:worker_threads');
      const code = \`
        const { parentPort, workerData } = require('node:worker_threads');
        const addon = require(workerData.binding).native();
        parentPort.postMessage('dumping');
        (async () => { for (;;) await addon.netlinkDump(workerData.netns, ['link', 'addr', 'route'], false, false); })();
      \`;
      (async () => {
        for (let i = 0; i < 150; i++) {
          const w = new Worker(code, { eval: true, workerData: { binding: ${JSON.stringify(require.resolve('../../src/native/binding'))}, netns: ${JSON.stringify(`/run/netns/${ns.name}`)} } });
          await new Promise((resolve) => w.once('message', resolve));
          await new Promise((resolve) => setTimeout(resolve, (i % 5)));
          await w.terminate();
        }
        console.log('survived');
      })();`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
    assert.doesNotMatch(child.stderr, /terminate called/);
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'survived');
  });

  it('a refused request is an OpdbusError naming the object and operation, with errno and extack', async () => {
    await assert.rejects(
      applyOrThrow([[{ op: 'newaddr', subject: 'add address 10.0.0.1/24 on nosuch0', family: 4, dev: 'nosuch0', address: '10.0.0.1', prefix: 24, path: '/plugins/net/interfaces/3' }]], ns.name),
      (err: unknown) => {
        assert.ok(err instanceof OpdbusError);
        assert.equal(err.kind, 'NotFound');
        assert.equal(err.code, 'ENODEV');
        assert.equal(err.path, '/plugins/net/interfaces/3');
        assert.equal(err.message, 'RTM_NEWADDR add address 10.0.0.1/24 on nosuch0: No such device (ENODEV): link nosuch0 does not exist');
        return true;
      },
    );
    await assert.rejects(applyOrThrow([[{ op: 'newlink', subject: 'create link base1 (ifb)', name: 'base1', kind: 'ifb' }]], ns.name), {
      kind: 'Conflict',
      code: 'EEXIST',
      message: 'RTM_NEWLINK create link base1 (ifb): File exists (EEXIST)',
    });
  });

  it('delivers link and address events from the namespace, and stops on close', async () => {
    const events: NetlinkEvent[] = [];
    const sub = subscribe(['link', 'addr'], (batch) => events.push(...batch), ns.name);
    await run('ip', ['-n', ns.name, 'link', 'add', 'ev0', 'type', 'ifb']);
    await run('ip', ['-n', ns.name, 'addr', 'add', '10.66.0.1/24', 'dev', 'ev0']);
    await run('ip', ['-n', ns.name, 'link', 'del', 'ev0']);
    const deadline = Date.now() + 5000;
    const seen = () => events.some((e) => e.event === 'link' && e.action === 'del' && e.object.name === 'ev0');
    while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    sub.close();
    assert.ok(events.some((e) => e.event === 'link' && e.action === 'new' && e.object.name === 'ev0'));
    assert.ok(events.some((e) => e.event === 'addr' && e.action === 'new' && e.object.local === '10.66.0.1' && e.object.prefix === 24));
    assert.ok(seen());
    const count = events.length;
    ip(ns.name, ['link', 'add', 'ev1', 'type', 'ifb']);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(events.length, count, 'no events after close');
  });

  it('watch coalesces a burst of changes into one notification naming the kinds', async () => {
    const changes: NetChange[] = [];
    const w = watch((c) => changes.push(c), { netns: ns.name, quietMs: 150 });
    // One ip process makes the burst: a link, up, an address (and so its routes), within milliseconds.
    ns.exec('ip', ['-batch', '-'], { input: 'link add wa0 type ifb\nlink set wa0 up\naddr add 10.67.0.1/24 dev wa0\n' });
    const kinds = () => new Set(changes.flatMap((c) => c.kinds));
    const deadline = Date.now() + 5000;
    while (kinds().size < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    w.close();
    assert.deepEqual([...kinds()].sort(), ['addr', 'link', 'route']);
    assert.ok(changes.length <= 2, `a burst of dozens of messages gave ${changes.length} notification(s)`);
    assert.ok(changes.every((c) => !c.overrun));
  });

  it('an unref()ed subscription lets the process exit; a worker exiting with one open stops its reader', async () => {
    const binding = path.join(__dirname, '..', '..', 'src', 'netlink', 'index.js');
    const script = `require(${JSON.stringify(binding)}).subscribe(['link'], () => {}, ${JSON.stringify(ns.name)}).unref(); setTimeout(() => console.log('ran'), 10);`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.signal, null, 'exited by itself, not killed by the timeout');
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout.trim(), 'ran');

    const worker = new Worker(`require(${JSON.stringify(binding)}).subscribe(['link', 'route'], () => {}, ${JSON.stringify(ns.name)}); require('node:worker_threads').parentPort.postMessage('subscribed');`, { eval: true });
    await new Promise((resolve, reject) => (worker.once('message', resolve), worker.once('error', reject)));
    assert.equal(await worker.terminate(), 1);
  });
});
