// The ovs plugin end to end through the CLI against a private ovsdb-server + ovs-vswitchd (userspace
// datapath, inside a test namespace): ovs-vsctl is the reference client, rtnetlink (ip -j link)
// shows the kernel tap devices ovs-vswitchd made.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { EXIT } from '../../src/exit-codes';
import { opdbus, REPO_ROOT, tempDir, writeDoc, type CliResult } from '../harness/cli';
import { startOvs, type TestOvs } from '../harness/ovs';

let ovs: TestOvs;
let stateDir: string;
let dir: string;
let config: string;
before(() => {
  ovs = startOvs();
  stateDir = tempDir();
  dir = tempDir();
  config = writeDoc(dir, 'config.yaml', 'plugins:\n  ovs:\n    datapath_type: netdev\n');
});
after(() => ovs.stop());

const run = (args: string[], env: NodeJS.ProcessEnv = {}): CliResult => opdbus([...args, '--ovsdb', ovs.endpoint, '--config', config], { stateDir, env });
/** A column value as ovs-vsctl prints it, without the quotes it adds only to some strings. */
const get = (...args: string[]) => ovs.vsctl('get', ...args).trim().replace(/^"(.*)"$/, '$1');

async function waitForLinks(names: string[]): Promise<Set<string>> {
  for (let i = 0; i < 100; i++) {
    const links = ovs.links();
    if (names.every((n) => links.has(n))) return new Set(links.keys());
    await new Promise((r) => setTimeout(r, 50));
  }
  return new Set(ovs.links().keys());
}

const mainDoc = {
  version: 1,
  plugins: {
    ovs: {
      bridges: [
        {
          name: 'opdt-a',
          fail_mode: 'standalone',
          external_ids: { owner: 'opdbus', role: 'uplink' },
          ports: [
            { name: 'int10', tag: 10, external_ids: { vm: 'web-1' }, interfaces: [{ name: 'int10', type: 'internal' }] },
            { name: 'trunk1', trunks: [20, 30], vlan_mode: 'trunk', interfaces: [{ name: 'trunk1', type: 'internal' }] },
            { name: 'patch-ab', interfaces: [{ name: 'patch-ab', type: 'patch', options: { peer: 'patch-ba' } }] },
            { name: 'vx1', interfaces: [{ name: 'vx1', type: 'vxlan', options: { remote_ip: '192.0.2.1', key: '42' } }] },
          ],
        },
        { name: 'opdt-b', ports: [{ name: 'patch-ba', interfaces: [{ name: 'patch-ba', type: 'patch', options: { peer: 'patch-ab' } }] }] },
      ],
      open_vswitch: { external_ids: { 'opdbus-test': 'yes' } },
    },
  },
};

test('one document creates bridges, internal/patch/vxlan ports, VLAN tags and external_ids; diff is empty afterwards', async () => {
  const doc = writeDoc(dir, 'main.json', mainDoc);
  const r = run(['apply', doc]);
  assert.equal(r.status, EXIT.OK, r.stdout + r.stderr);
  assert.match(r.stdout, /transaction \S+: committed/);

  assert.deepEqual(ovs.vsctl('list-br').trim().split('\n'), ['opdt-a', 'opdt-b']);
  // list-ports leaves out the bridge's own port; the plugin added it like add-br does.
  assert.deepEqual(ovs.vsctl('list-ports', 'opdt-a').trim().split('\n'), ['int10', 'patch-ab', 'trunk1', 'vx1']);
  assert.equal(get('Port', 'opdt-a', 'name'), 'opdt-a');
  assert.equal(get('Bridge', 'opdt-a', 'datapath_type'), 'netdev');
  assert.equal(get('Bridge', 'opdt-b', 'datapath_type'), 'netdev');
  assert.equal(get('Bridge', 'opdt-a', 'fail_mode'), 'standalone');
  assert.equal(ovs.vsctl('br-get-external-id', 'opdt-a', 'role').trim(), 'uplink');
  assert.equal(get('Port', 'int10', 'tag'), '10');
  assert.equal(get('Port', 'int10', 'external_ids:vm'), 'web-1');
  assert.equal(get('Port', 'trunk1', 'trunks'), '[20, 30]');
  assert.equal(get('Port', 'trunk1', 'vlan_mode'), 'trunk');
  assert.equal(get('Interface', 'opdt-a', 'type'), 'internal');
  assert.equal(get('Interface', 'patch-ab', 'options:peer'), 'patch-ba');
  assert.equal(get('Interface', 'patch-ba', 'options:peer'), 'patch-ab');
  assert.equal(get('Interface', 'vx1', 'type'), 'vxlan');
  assert.equal(get('Interface', 'vx1', 'options:remote_ip'), '192.0.2.1');
  assert.equal(get('Open_vSwitch', '.', 'external_ids:opdbus-test'), 'yes');

  const links = await waitForLinks(['opdt-a', 'opdt-b', 'int10', 'trunk1']);
  for (const tap of ['opdt-a', 'opdt-b', 'int10', 'trunk1']) assert.ok(links.has(tap), `kernel tap ${tap} missing: ${[...links].join(' ')}`);

  const d = run(['diff', doc]);
  assert.equal(d.status, EXIT.OK, d.stdout + d.stderr);
  assert.match(d.stdout, /no changes/);
  assert.equal(run(['verify', doc]).status, EXIT.OK);

  const q = run(['query', '-p', 'ovs', '--format', 'json']);
  assert.equal(q.status, EXIT.OK, q.stderr);
  const queried = JSON.parse(q.stdout).plugins.ovs;
  const int10 = queried.bridges[0].ports.find((p: { name: string }) => p.name === 'int10');
  assert.deepEqual(int10, { name: 'int10', tag: 10, external_ids: { vm: 'web-1' }, interfaces: [{ name: 'int10', type: 'internal' }] });
});

test('query output applies back unchanged (round trip)', () => {
  const q = run(['query', '-p', 'ovs', '--format', 'json']);
  const doc = writeDoc(dir, 'roundtrip.json', q.stdout);
  const d = run(['diff', doc]);
  assert.equal(d.status, EXIT.OK, d.stdout + d.stderr);
});

test('state absent removes a port and a bridge; objects not named are left alone', () => {
  ovs.vsctl('add-br', 'opdt-keep', '--', 'set', 'Bridge', 'opdt-keep', 'datapath_type=netdev');
  const doc = writeDoc(dir, 'absent.json', {
    version: 1,
    plugins: { ovs: { bridges: [{ name: 'opdt-a', ports: [{ name: 'vx1', state: 'absent' }] }, { name: 'opdt-b', state: 'absent' }] } },
  });
  const r = run(['apply', doc]);
  assert.equal(r.status, EXIT.OK, r.stdout + r.stderr);
  assert.deepEqual(ovs.vsctl('list-br').trim().split('\n'), ['opdt-a', 'opdt-keep']);
  assert.doesNotMatch(ovs.vsctl('list-ports', 'opdt-a'), /vx1/);
  assert.equal(get('Port', 'int10', 'tag'), '10');
  assert.equal(run(['diff', doc]).status, EXIT.OK);
});

test('a failure after the ovs apply rolls the whole OVSDB change back', () => {
  const before = ovs.vsctl('show');
  const doc = writeDoc(dir, 'rollback.json', {
    version: 1,
    plugins: {
      ovs: {
        bridges: [
          { name: 'opdt-a', external_ids: { role: null, extra: '1' }, ports: [{ name: 'int10', tag: 11 }, { name: 'trunk1', state: 'absent' }, { name: 'int20', tag: 20, interfaces: [{ name: 'int20', type: 'internal' }] }] },
          { name: 'opdt-keep', state: 'absent' },
          { name: 'opdt-c', ports: [{ name: 'int30', interfaces: [{ name: 'int30', type: 'internal' }] }] },
        ],
        open_vswitch: { external_ids: { 'opdbus-test': 'no' } },
      },
    },
  });
  const r = run(['apply', doc], { OPDBUS_FAILPOINTS: 'tx.after-apply:ovs=error' });
  assert.equal(r.status, EXIT.APPLY_FAILED_ROLLED_BACK, r.stdout + r.stderr);
  assert.match(r.stderr, /failpoint tx\.after-apply:ovs fired/);
  assert.match(r.stderr, /every change was rolled back/);
  // UUIDs and ovs-vswitchd's own error column are not what the document controls.
  const normalize = (s: string) => s.split('\n').filter((l) => !/^([0-9a-f-]{36}|error: .*)$/.test(l.trim())).map((l) => l.trim()).sort().join('\n');
  assert.equal(normalize(ovs.vsctl('show')), normalize(before));
  assert.equal(get('Port', 'int10', 'tag'), '10');
  assert.equal(ovs.vsctl('br-get-external-id', 'opdt-a', 'role').trim(), 'uplink');
  assert.equal(get('Open_vSwitch', '.', 'external_ids:opdbus-test'), 'yes');
});

test('a crash just before the OVSDB transaction leaves OVS untouched, and recover finishes the transaction', () => {
  const doc = writeDoc(dir, 'crash.json', { version: 1, plugins: { ovs: { bridges: [{ name: 'opdt-crash' }] } } });
  const r = run(['apply', doc], { OPDBUS_FAILPOINTS: 'ovs.before-transact=crash' });
  assert.equal(r.signal, 'SIGKILL', r.stdout + r.stderr);
  assert.doesNotMatch(ovs.vsctl('list-br'), /opdt-crash/);
  const rec = run(['recover']);
  assert.equal(rec.status, EXIT.OK, rec.stdout + rec.stderr);
  assert.match(rec.stdout, /recover: rolled back unfinished transaction/);
  assert.doesNotMatch(ovs.vsctl('list-br'), /opdt-crash/);
});

test('a document naming an unknown interface type fails validation with its path and changes nothing', () => {
  const doc = writeDoc(dir, 'bad.json', { version: 1, plugins: { ovs: { bridges: [{ name: 'opdt-x', ports: [{ name: 'p', interfaces: [{ name: 'p', type: 'gre' }] }] }] } } });
  const r = run(['apply', doc]);
  assert.equal(r.status, EXIT.INVALID_INPUT, r.stderr);
  assert.match(r.stderr, /\/plugins\/ovs\/bridges\/0\/ports\/0\/interfaces\/0\/type/);
  const patch = writeDoc(dir, 'bad2.json', { version: 1, plugins: { ovs: { bridges: [{ name: 'opdt-x', ports: [{ name: 'p', interfaces: [{ name: 'p', type: 'patch' }] }] }] } } });
  const r2 = run(['apply', patch]);
  assert.equal(r2.status, EXIT.INVALID_INPUT, r2.stderr);
  assert.match(r2.stderr, /\/plugins\/ovs\/bridges\/0\/ports\/0\/interfaces\/0\/options\/peer: a patch interface needs options\.peer/);
  assert.doesNotMatch(ovs.vsctl('list-br'), /opdt-x/);
});

test('an original op-dbus document applies through the CLI (its ovs part, with -p ovs)', () => {
  ovs.netns.exec('ip', ['link', 'add', 'veth-up0', 'type', 'veth', 'peer', 'name', 'veth-up0p']);
  const doc = path.join(REPO_ROOT, 'test', 'fixtures', 'compat', 'ovs-bridge-with-address.json');
  const r = run(['apply', '-p', 'ovs', doc]);
  assert.equal(r.status, EXIT.OK, r.stdout + r.stderr);
  assert.match(r.stdout, /\+ ovs:bridge:ovsbr0\/port:veth-up0 {2}\{"name":"veth-up0","interfaces":\[\{"name":"veth-up0","type":"system"\}\]\}/);
  assert.equal(ovs.vsctl('list-ports', 'ovsbr0').trim(), 'veth-up0');
  assert.equal(get('Interface', 'ovsbr0', 'type'), 'internal');
  assert.equal(get('Bridge', 'ovsbr0', 'datapath_type'), 'netdev');
  assert.equal(run(['diff', '-p', 'ovs', doc]).status, EXIT.OK);
});

test('without an OVSDB socket the plugin says so', () => {
  const r = opdbus(['query', '-p', 'ovs', '--ovsdb', `unix:${dir}/nothing.sock`], { stateDir });
  assert.equal(r.status, EXIT.PLUGIN_UNAVAILABLE);
  assert.match(r.stderr, new RegExp(`no OVSDB socket at unix:${dir}/nothing\\.sock`));
});
