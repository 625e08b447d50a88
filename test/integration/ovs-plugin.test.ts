// The ovs plugin through its contract (query -> diff -> checkpoint -> apply -> verify -> rollback)
// where the test must act between the steps: a concurrent ovs-vsctl change, a transaction the server
// refuses, the original op-dbus documents.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { defaultConfig } from '../../src/config';
import { convertCompat } from '../../src/document/compat';
import { OpdbusError } from '../../src/errors';
import type { PluginContext } from '../../src/plugin/contract';
import { ovsPlugin, type OvsState } from '../../src/plugins/ovs';
import { createLogger } from '../../src/util/log';
import { REPO_ROOT } from '../harness/cli';
import { startOvs, type TestOvs } from '../harness/ovs';

let ovs: TestOvs;
let ctx: PluginContext;
before(() => {
  ovs = startOvs();
  ctx = { config: { ...defaultConfig(), ovsdb: ovs.endpoint, pluginOptions: { ovs: { datapath_type: 'netdev' } } }, log: createLogger('error') };
});
after(async () => {
  await ovsPlugin.close?.();
  ovs.stop();
});

async function settle(desired: OvsState) {
  let mismatches = await ovsPlugin.verify(ctx, desired);
  for (let i = 0; i < 100 && mismatches.length; i++) {
    await new Promise((r) => setTimeout(r, ovsPlugin.settle.intervalMs));
    mismatches = await ovsPlugin.verify(ctx, desired);
  }
  return mismatches;
}

async function applyDoc(desired: OvsState) {
  const current = await ovsPlugin.query(ctx, desired);
  const actions = ovsPlugin.diff(current, desired);
  const checkpoint = await ovsPlugin.checkpoint(ctx, actions, current);
  await ovsPlugin.apply(ctx, actions);
  return { actions, checkpoint };
}

test('a change made with ovs-vsctl between query and apply is detected and nothing is applied', async () => {
  await applyDoc({ bridges: [{ name: 'opdc-a', ports: [{ name: 'opdc-p1', tag: 10, interfaces: [{ name: 'opdc-p1', type: 'internal' }] }] }] });
  const desired: OvsState = { bridges: [{ name: 'opdc-a', external_ids: { step: '2' }, ports: [{ name: 'opdc-p1', tag: 20 }] }] };
  const current = await ovsPlugin.query(ctx, desired);
  const actions = ovsPlugin.diff(current, desired);
  assert.deepEqual(actions.map((a) => `${a.op} ${a.resource}`), ['modify ovs:bridge:opdc-a', 'modify ovs:bridge:opdc-a/port:opdc-p1']);
  ovs.vsctl('set', 'Port', 'opdc-p1', 'tag=30');
  await assert.rejects(ovsPlugin.apply(ctx, actions), (err: OpdbusError) => {
    assert.equal(err.kind, 'Conflict');
    assert.equal(err.code, 'OVSDB_WAIT_FAILED');
    assert.equal(err.message, 'ovs apply: port opdc-p1 was changed by someone else since it was read; nothing was applied');
    return true;
  });
  assert.equal(ovs.vsctl('get', 'Port', 'opdc-p1', 'tag').trim(), '30');
  assert.equal(ovs.vsctl('get', 'Bridge', 'opdc-a', 'external_ids').trim(), '{}');

  // A port added behind our back to a bridge the plan creates: refused the same way.
  const fresh: OvsState = { bridges: [{ name: 'opdc-b' }] };
  const plan = ovsPlugin.diff(await ovsPlugin.query(ctx, fresh), fresh);
  ovs.vsctl('add-br', 'opdc-b', '--', 'set', 'Bridge', 'opdc-b', 'datapath_type=netdev');
  await assert.rejects(ovsPlugin.apply(ctx, plan), /bridge opdc-b was created by someone else since it was read; nothing was applied/);
});

test('an operation the server refuses aborts the whole transaction; rollback then has nothing to undo', async () => {
  // Two ports with one interface name: every guard passes, the commit breaks the Interface name index.
  const desired: OvsState = {
    bridges: [{ name: 'opdc-c', ports: [{ name: 'opdc-q1', interfaces: [{ name: 'opdc-dup', type: 'internal' }] }, { name: 'opdc-q2', interfaces: [{ name: 'opdc-dup', type: 'internal' }] }] }],
    open_vswitch: { external_ids: { 'opdc-marker': 'set' } },
  };
  const current = await ovsPlugin.query(ctx, desired);
  const actions = ovsPlugin.diff(current, desired);
  const checkpoint = await ovsPlugin.checkpoint(ctx, actions, current);
  await assert.rejects(ovsPlugin.apply(ctx, actions), (err: OpdbusError) => {
    assert.equal(err.kind, 'InvalidInput');
    assert.equal(err.code, 'OVSDB_CONSTRAINT_VIOLATION');
    assert.match(err.message, /^ovs apply: transact Open_vSwitch: constraint violation: .*opdc-dup.*; nothing was applied$/s);
    return true;
  });
  assert.doesNotMatch(ovs.vsctl('list-br'), /opdc-c/);
  assert.equal(ovs.vsctl('--if-exists', 'get', 'Open_vSwitch', '.', 'external_ids:opdc-marker').trim(), '');
  await ovsPlugin.rollback(ctx, checkpoint);
  assert.doesNotMatch(ovs.vsctl('list-br'), /opdc-c/);
});

test('rollback restores modified, deleted and created objects, and is idempotent', async () => {
  await applyDoc({ bridges: [{ name: 'opdc-r', fail_mode: 'secure', ports: [{ name: 'opdc-r1', tag: 5, interfaces: [{ name: 'opdc-r1', type: 'internal' }] }, { name: 'opdc-r2', interfaces: [{ name: 'opdc-r2', type: 'internal' }] }] }] });
  const before = JSON.stringify(await ovsPlugin.query(ctx));
  const { checkpoint } = await applyDoc({
    bridges: [
      { name: 'opdc-r', fail_mode: null, ports: [{ name: 'opdc-r1', tag: null, trunks: [7] }, { name: 'opdc-r2', state: 'absent' }, { name: 'opdc-r3', interfaces: [{ name: 'opdc-r3', type: 'internal' }] }] },
      { name: 'opdc-new' },
    ],
  });
  assert.notEqual(JSON.stringify(await ovsPlugin.query(ctx)), before);
  await ovsPlugin.rollback(ctx, checkpoint);
  assert.equal(JSON.stringify(await ovsPlugin.query(ctx)), before);
  await ovsPlugin.rollback(ctx, checkpoint);
  assert.equal(JSON.stringify(await ovsPlugin.query(ctx)), before);
});

test('the original op-dbus documents apply (their ovs part, after the compat conversion)', async () => {
  ovs.netns.exec('ip', ['link', 'add', 'veth-up0', 'type', 'veth', 'peer', 'name', 'veth-up0p']);
  const examples = path.join(REPO_ROOT, 'test', 'fixtures', 'compat');
  for (const file of ['ovs-bridge-with-address.json', 'two-bridges-containers.json']) {
    const doc = convertCompat(JSON.parse(fs.readFileSync(path.join(examples, file), 'utf8'))).document as { plugins: { ovs: OvsState } };
    await applyDoc(doc.plugins.ovs);
    assert.deepEqual(await settle(doc.plugins.ovs), [], file);
    assert.deepEqual(ovsPlugin.diff(await ovsPlugin.query(ctx, doc.plugins.ovs), doc.plugins.ovs), [], file);
  }
  assert.match(ovs.vsctl('list-br'), /^mesh\n(.*\n)*ovsbr0$/m);
  assert.equal(ovs.vsctl('list-ports', 'ovsbr0').trim(), 'veth-up0');
  assert.equal(ovs.vsctl('get', 'Interface', 'ovsbr0', 'type').trim(), 'internal');
  assert.notEqual(ovs.vsctl('get', 'Interface', 'veth-up0', 'ofport').trim(), '-1');
});

test('the plugin keeps working across an ovsdb-server restart (same process, same client)', async () => {
  const desired: OvsState = { bridges: [{ name: 'opdc-s', ports: [{ name: 'opdc-s1', interfaces: [{ name: 'opdc-s1', type: 'internal' }] }] }] };
  await applyDoc(desired);
  assert.deepEqual(await settle(desired), []);
  ovs.restartDb();
  const after = { bridges: [{ name: 'opdc-s', external_ids: { restarted: 'yes' } }] };
  await applyDoc(after);
  assert.deepEqual(await settle(after), []);
  assert.equal(ovs.vsctl('br-get-external-id', 'opdc-s', 'restarted').trim(), 'yes');
});
