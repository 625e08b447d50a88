// The net plugin through the real CLI with --netns (the addon enters the namespace itself, no
// `ip netns exec`): the original op-dbus documents' kernel-side parts, query round trip, bad namespace.
// OVS is the ovs plugin's: here an ifb the test makes stands in for each OVS internal interface.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { convertCompat } from '../../src/document/compat';
import { EXIT } from '../../src/exit-codes';
import { netPlugin } from '../../src/plugins/net';
import { REPO_ROOT, opdbus, tempDir, writeDoc } from '../harness/cli';
import { ip, ipJson, netCtx, netTransaction, settledSnapshot, snapshot, stableSnapshot, withoutDad } from '../harness/net';
import { createNetns, type TestNetns } from '../harness/netns';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'compat');

describe('net through the CLI in a named namespace', () => {
  let ns: TestNetns;
  let stateDir: string;
  let dir: string;
  before(() => {
    ns = createNetns();
    withoutDad(ns.name);
    stateDir = tempDir();
    dir = tempDir();
  });
  after(() => ns.remove());
  const cli = (args: string[]) => opdbus(['--netns', ns.name, ...args], { stateDir });

  for (const file of fs.readdirSync(FIXTURES).sort()) {
    it(`applies the kernel-side part of ${file}`, () => {
      const original = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
      const net = (convertCompat(original).document as any).plugins.net;
      for (const iface of net.interfaces) if (iface.type === 'ovs-interface' && ipJson(ns.name, ['link', 'show']).every((l: any) => l.ifname !== iface.name)) ip(ns.name, ['link', 'add', iface.name, 'type', 'ifb']);
      const r = cli(['apply', '--plugin', 'net', path.join(FIXTURES, file)]);
      assert.equal(r.status, EXIT.OK, r.stdout + r.stderr);
      for (const iface of net.interfaces) {
        const [link] = ipJson(ns.name, ['addr', 'show', 'dev', iface.name]);
        assert.ok(link.flags.includes('UP'), `${iface.name} is up`);
        const want = (iface.ipv4?.address ?? []).map((a: any) => `${a.ip}/${a.prefix}`);
        assert.deepEqual(link.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`), want);
        if (iface.ipv4?.gateway) {
          const routes = ipJson(ns.name, ['route', 'show', 'default']);
          assert.deepEqual(routes.map((x: any) => [x.gateway, x.dev]), [[iface.ipv4.gateway, iface.name]]);
        }
      }
      const d = cli(['diff', '--plugin', 'net', path.join(FIXTURES, file)]);
      assert.equal(d.status, EXIT.OK, d.stdout + d.stderr);
    });
  }

  it('query --plugin net prints what the library returns, and it applies back with no changes', async () => {
    const r = cli(['query', '--plugin', 'net', '--format', 'json']);
    assert.equal(r.status, EXIT.OK, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(doc.plugins.net, await netPlugin.query(netCtx(ns.name)));
    const file = writeDoc(dir, 'round.json', { version: 1, plugins: { net: doc.plugins.net } });
    const d = cli(['diff', file]);
    assert.equal(d.status, EXIT.OK, d.stdout + d.stderr);
    assert.match(d.stdout, /no changes/);
    // Nothing leaked into the host's namespace.
    const hostLinks = JSON.parse(require('node:child_process').execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })).map((l: any) => l.ifname);
    assert.ok(!hostLinks.includes('ovsbr0') && !hostLinks.includes('mesh'));
  });

  it('with include_kernel, query also shows the kernel\'s own routes and addresses, and still round-trips', () => {
    const config = writeDoc(dir, 'config.yaml', 'plugins:\n  net:\n    include_kernel: true\n');
    const r = cli(['--config', config, 'query', '--plugin', 'net', '--format', 'json']);
    assert.equal(r.status, EXIT.OK, r.stderr);
    const net = JSON.parse(r.stdout).plugins.net;
    assert.ok(net.routes.some((x: any) => x.table === 'local' && x.type === 'local'));
    assert.ok(net.routes.some((x: any) => x.protocol === 'kernel'));
    const file = writeDoc(dir, 'kernel.json', { version: 1, plugins: { net } });
    const d = cli(['--config', config, 'diff', file]);
    assert.equal(d.status, EXIT.OK, d.stdout + d.stderr);
  });

  it('an ovs-interface that appears only after apply starts is waited for, then configured', async () => {
    const ctx = netCtx(ns.name);
    const timer = setTimeout(() => ip(ns.name, ['link', 'add', 'late0', 'type', 'ifb']), 300);
    const result = await netTransaction(ctx, { interfaces: [{ name: 'late0', type: 'ovs-interface', state: 'up', mtu: 1400, ipv4: { address: [{ ip: '10.77.0.1', prefix: 24 }] } }] });
    clearTimeout(timer);
    assert.equal(result.error, undefined, result.error?.message);
    const [link] = ipJson(ns.name, ['addr', 'show', 'dev', 'late0']);
    assert.equal(link.mtu, 1400);
    assert.ok(link.flags.includes('UP'));
    assert.equal(link.addr_info.find((a: any) => a.family === 'inet').local, '10.77.0.1');
  });

  it('bad net input is refused with the document path, what was expected and what was found; nothing changes', async () => {
    const beforeSnap = await stableSnapshot(ns.name);
    const file = writeDoc(dir, 'bad.json', {
      version: 1,
      plugins: { net: { interfaces: [{ name: 'br5', type: 'bridge', ipv4: { enabled: true, dhcp: true } }], routes: [{ destination: '10.0.0.5/24', gateway: '10.0.0.1' }] } },
    });
    const r = cli(['apply', file]);
    assert.equal(r.status, EXIT.INVALID_INPUT, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`${file}: /plugins/net/interfaces/0/ipv4/dhcp: dhcp is not supported by opdbus; expected false \\(or no dhcp field\\) with static addresses in "address" \\(rule: plugin\\), found true`));
    assert.match(r.stderr, new RegExp(`${file}: /plugins/net/routes/0/destination: host bits set: expected the network 10\\.0\\.0\\.0/24 \\(rule: plugin\\), found "10\\.0\\.0\\.5/24"`));
    assert.deepEqual(snapshot(ns.name), beforeSnap);
  });

  it('a namespace that does not exist is a clear error and changes nothing', () => {
    const r = opdbus(['--netns', 'opdbus-t-no-such-ns', 'query', '--plugin', 'net'], { stateDir });
    assert.equal(r.status, EXIT.PLUGIN_UNAVAILABLE);
    assert.match(r.stderr, /open network namespace \/run\/netns\/opdbus-t-no-such-ns: No such file or directory \(ENOENT\)/);
  });
});

describe('net through the CLI: failure between phases', () => {
  let ns: TestNetns;
  let stateDir: string;
  let dir: string;
  before(() => {
    ns = createNetns();
    withoutDad(ns.name);
    stateDir = tempDir();
    dir = tempDir();
    ip(ns.name, ['link', 'add', 'keep0', 'type', 'ifb']);
    ip(ns.name, ['addr', 'add', '10.88.0.1/24', 'dev', 'keep0']);
  });
  after(() => ns.remove());
  const doc = () =>
    writeDoc(dir, 'fail.json', {
      version: 1,
      plugins: { net: { interfaces: [{ name: 'keep0', mtu: 1280, ipv4: { address: [{ ip: '10.89.0.1', prefix: 24 }] } }, { name: 'br7', type: 'bridge', ipv4: { address: [{ ip: '10.90.0.1', prefix: 24 }] } }] } },
    });

  it('an error after the link phase rolls back; a crash there is rolled back by recover', async () => {
    const beforeSnap = await stableSnapshot(ns.name);
    const failed = opdbus(['--netns', ns.name, 'apply', doc()], { stateDir, env: { OPDBUS_FAILPOINTS: 'net.apply.after-links=error' } });
    assert.equal(failed.status, EXIT.APPLY_FAILED_ROLLED_BACK);
    assert.match(failed.stderr + failed.stdout, /failpoint net\.apply\.after-links fired/);
    assert.deepEqual(await settledSnapshot(ns.name, beforeSnap), beforeSnap);

    const crashed = opdbus(['--netns', ns.name, 'apply', doc()], { stateDir, env: { OPDBUS_FAILPOINTS: 'net.apply.after-links=crash' } });
    assert.equal(crashed.signal, 'SIGKILL');
    assert.ok(ipJson(ns.name, ['link', 'show']).some((l: any) => l.ifname === 'br7'), 'the crash left the half-applied state');
    const recovered = opdbus(['--netns', ns.name, 'recover'], { stateDir });
    assert.equal(recovered.status, EXIT.OK, recovered.stdout + recovered.stderr);
    assert.deepEqual(await settledSnapshot(ns.name, beforeSnap), beforeSnap);
  });
});
