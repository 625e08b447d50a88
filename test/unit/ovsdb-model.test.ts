// Pure layers of the OVSDB client and the ovs plugin: RFC error kinds, update2 diffs, the ovs diff
// (merge semantics) and the guarded transaction it plans.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDiff } from '../../src/ovsdb/cache';
import { ovsdbError, RFC_ERRORS } from '../../src/ovsdb/errors';
import { parseEndpoint } from '../../src/ovsdb/endpoint';
import { planTransaction } from '../../src/plugins/ovs/apply';
import { diffOvs } from '../../src/plugins/ovs/diff';
import type { OvsState } from '../../src/plugins/ovs/model';
import { validateOvs } from '../../src/plugins/ovs/validate';

test('every RFC 7047 error string has its own code and the kind the lead specified', () => {
  const kinds = Object.fromEntries(Object.entries(RFC_ERRORS).map(([k, v]) => [k, v.kind]));
  assert.equal(kinds['constraint violation'], 'InvalidInput');
  assert.equal(kinds['referential integrity violation'], 'Conflict');
  assert.equal(kinds['timed out'], 'Timeout');
  assert.equal(kinds['not owner'], 'PermissionDenied');
  assert.equal(kinds['not allowed'], 'PermissionDenied');
  assert.equal(kinds['resources exhausted'], 'Backend');
  assert.equal(kinds['I/O error'], 'Backend');
  assert.equal(new Set(Object.values(RFC_ERRORS).map((e) => e.code)).size, Object.keys(RFC_ERRORS).length);
  const e = ovsdbError({ error: 'constraint violation', details: 'tag 5000' }, { operation: 'transact X', opIndex: 2, op: { op: 'insert', table: 'Port' } });
  assert.equal(e.message, 'transact X (operation 2, insert Port): constraint violation: tag 5000');
  assert.equal(ovsdbError({ error: 'something new' }, { operation: 'x' }).kind, 'Backend');
});

test('update2 diffs: sets toggle elements, maps add/change/remove keys', () => {
  assert.deepEqual(applyDiff(['set', ['a', 'b']], ['set', ['b', 'c']]), ['set', ['a', 'c']]);
  assert.deepEqual(applyDiff('a', 'b'), ['set', ['a', 'b']]);
  assert.deepEqual(applyDiff(['set', ['a', 'b']], 'b'), 'a');
  assert.deepEqual(applyDiff(['map', [['a', '1'], ['b', '2']]], ['map', [['a', '9'], ['b', '2'], ['c', '3']]]), ['map', [['a', '9'], ['c', '3']]]);
  assert.deepEqual(applyDiff(undefined, ['map', [['k', 'v']]]), ['map', [['k', 'v']]]);
});

test('endpoints: unix and tcp (with IPv6), anything else refused', () => {
  assert.deepEqual(parseEndpoint('unix:/run/x.sock'), { kind: 'unix', path: '/run/x.sock', text: 'unix:/run/x.sock' });
  assert.deepEqual(parseEndpoint('tcp:[::1]:6640'), { kind: 'tcp', host: '::1', port: 6640, text: 'tcp:[::1]:6640' });
  for (const bad of ['unix:', 'tcp:host', 'tcp:host:0', 'tcp:host:70000', 'ssl:h:1']) assert.throws(() => parseEndpoint(bad), { kind: 'InvalidInput' });
});

const current: OvsState = {
  bridges: [{ name: 'br0', external_ids: { a: '1', b: '2' }, ports: [{ name: 'p1', tag: 10, interfaces: [{ name: 'p1', type: 'system' }] }] }],
  open_vswitch: { external_ids: { 'system-id': 'x' } },
};

test('diff: named fields and map keys change, others are left alone, null clears', () => {
  const desired: OvsState = {
    bridges: [{ name: 'br0', external_ids: { b: null, c: '3' }, ports: [{ name: 'p1', tag: null, trunks: [30, 20] }, { name: 'p2' }] }, { name: 'gone', state: 'absent' }],
    open_vswitch: { external_ids: { 'opdbus': 'y' } },
  };
  assert.deepEqual(diffOvs(current, desired), [
    { plugin: 'ovs', op: 'modify', path: '/plugins/ovs/bridges/0', resource: 'ovs:bridge:br0', before: { name: 'br0', external_ids: { a: '1', b: '2' } }, after: { name: 'br0', external_ids: { a: '1', c: '3' } } },
    { plugin: 'ovs', op: 'modify', path: '/plugins/ovs/bridges/0/ports/0', resource: 'ovs:bridge:br0/port:p1', before: current.bridges?.[0].ports?.[0], after: { name: 'p1', trunks: [20, 30], interfaces: [{ name: 'p1', type: 'system' }] } },
    { plugin: 'ovs', op: 'create', path: '/plugins/ovs/bridges/0/ports/1', resource: 'ovs:bridge:br0/port:p2', after: { name: 'p2', interfaces: [{ name: 'p2', type: 'system' }] } },
    { plugin: 'ovs', op: 'modify', path: '/plugins/ovs/open_vswitch', resource: 'ovs:open_vswitch', before: { external_ids: { 'system-id': 'x' } }, after: { external_ids: { opdbus: 'y', 'system-id': 'x' } } },
  ]);
  assert.deepEqual(diffOvs(current, current), []);
});

test('the planned transaction guards every row it read before changing anything', () => {
  const desired: OvsState = { bridges: [{ name: 'br0', ports: [{ name: 'p1', tag: 20 }, { name: 'p1x', state: 'absent' }] }, { name: 'br1' }] };
  const cur: OvsState = { bridges: [{ ...current.bridges![0], ports: [...current.bridges![0].ports!, { name: 'p1x', interfaces: [{ name: 'p1x', type: 'internal' }] }] }] };
  const ids = { bridges: new Map([['br0', 'u-br0']]), ports: new Map([['p1', 'u-p1'], ['p1x', 'u-p1x']]), interfaces: new Map([['p1', 'u-i1']]) };
  const { ops, labels } = planTransaction(diffOvs(cur, desired), ids, { defaultDatapathType: 'netdev' });
  const firstChange = ops.findIndex((o) => o.op !== 'wait');
  assert.ok(ops.slice(firstChange).every((o) => o.op !== 'wait'), 'all guards come first');
  assert.deepEqual(labels.slice(0, firstChange), [
    'port p1 was changed by someone else since it was read',
    'interface p1 was changed by someone else since it was read',
    'port p1x was changed by someone else since it was read',
    'interface p1x was changed by someone else since it was read',
    'bridge br1 was created by someone else since it was read',
    'port br1 already exists (created by someone else, or on another bridge)',
    'interface br1 already exists (created by someone else, or on another port)',
  ]);
  assert.deepEqual(ops[0], { op: 'wait', table: 'Port', where: [['name', '==', 'p1']], columns: ['tag', 'trunks', 'vlan_mode', 'external_ids'], until: '==', rows: [{ tag: ['set', [10]], trunks: ['set', []], vlan_mode: ['set', []], external_ids: ['map', []] }], timeout: 0 });
  assert.deepEqual(labels.slice(firstChange), [
    'update port p1',
    'detach port p1x from bridge br0',
    'create bridge br1',
    'add bridge br1 to Open_vSwitch',
    'create interface br1 of port br1',
    'create port br1',
    'attach port br1 to bridge br1',
  ]);
  assert.deepEqual(ops[firstChange], { op: 'update', table: 'Port', where: [['name', '==', 'p1']], row: { tag: ['set', [20]] } });
  assert.deepEqual(ops[firstChange + 1], { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br0']], mutations: [['ports', 'delete', ['set', [['uuid', 'u-p1x']]]]] });
  assert.equal((ops[firstChange + 2] as unknown as { row: { datapath_type: string } }).row.datapath_type, 'netdev');
});

test('validate: names are unique across the document, device names fit the kernel, tunnels and patches have their options', () => {
  const desired: OvsState = {
    bridges: [
      { name: 'br0', ports: [{ name: 'p1', interfaces: [{ name: 'a-very-long-patch-port-name', type: 'patch', options: { peer: 'x' } }] }, { name: 'p2', interfaces: [{ name: 'a-very-long-device', type: 'internal' }] }] },
      { name: 'br1', ports: [{ name: 'p1' }, { name: 'vx', interfaces: [{ name: 'vx', type: 'vxlan', options: { key: '1' } }] }] },
    ],
  };
  assert.deepEqual(validateOvs(desired), [
    { path: '/bridges/0/ports/1/interfaces/0/name', message: 'internal interfaces are kernel devices: the name must be at most 15 characters', found: 'a-very-long-device' },
    { path: '/bridges/1/ports/0/name', message: 'port p1 is already named at /bridges/0/ports/0/name; OVS port names are unique', found: 'p1' },
    { path: '/bridges/1/ports/1/interfaces/0/options/remote_ip', message: 'a vxlan interface needs options.remote_ip', found: { key: '1' } },
  ]);
});
