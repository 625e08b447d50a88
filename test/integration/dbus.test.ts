// The generic dbus plugin against a private dbus-daemon and a test service: typed reads, validation of
// read-only and mistyped properties, apply + verify, rollback, and a failure halfway rolled back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { PluginContext } from '../../src/plugin/contract';
import { dbusPlugin, type DbusState } from '../../src/plugins/dbus';
import { applyWithPlugin, pluginContext } from '../harness/plugin-tx';
import { startPrivateBus, startTestService, type PrivateBus, type TestService } from '../harness/private-bus';

describe('dbus plugin on a private bus', () => {
  let bus: PrivateBus;
  let svc: TestService;
  let ctx: PluginContext;
  const object = (properties: DbusState['objects'][0]['properties'], busName = 'session') => ({ bus: busName, service: svc.name, path: svc.path, interface: svc.interface, properties });
  /** busctl is the reference client: what it reads is what the service holds. */
  const busctl = (prop: string) => {
    const r = spawnSync('busctl', [`--address=${bus.address}`, '--json=short', 'get-property', svc.name, svc.path, svc.interface, prop], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout).data;
  };

  before(async () => {
    bus = startPrivateBus();
    svc = await startTestService(bus.address);
    ctx = pluginContext({ dbus: { session: bus.address } });
  });
  after(() => {
    svc?.stop();
    bus?.stop();
  });

  it('reads properties with their introspected types', async () => {
    const scope: DbusState = { objects: [object({ Name: '', Count: 0, Labels: {}, Tags: [], Peer: '/', Big: 0, Version: '' }, bus.address)] };
    assert.deepEqual(await dbusPlugin.query(ctx, scope), {
      objects: [object({ Big: '1152921504606846976', Count: 7, Labels: { weight: 3, zone: 'a' }, Name: 'initial', Peer: '/org/opdbus/Peer', Tags: ['x'], Version: '1.0' }, bus.address)],
    });
  });

  it('refuses read-only, unknown and mistyped properties at validation, naming each path', async () => {
    const issues = await dbusPlugin.validate!({ objects: [object({ Version: '2.0', Count: -1, Colour: 'red', Peer: 'not/a/path', Labels: { a: null } })] }, ctx);
    assert.deepEqual(issues, [
      { path: '/objects/0/properties/Version', message: 'org.opdbus.Test1.Version is read-only', found: '2.0' },
      { path: '/objects/0/properties/Count', message: 'expected an unsigned 32-bit integer (D-Bus type u), found -1', found: -1 },
      { path: '/objects/0/properties/Colour', message: 'org.opdbus.Test1 has no property Colour (it has: Big, Count, Labels, Name, Peer, Tags, Version)', found: 'Colour' },
      { path: '/objects/0/properties/Peer', message: 'expected an object path (D-Bus type o), found "not/a/path"', found: 'not/a/path' },
      { path: '/objects/0/properties/Labels/a', message: 'null has no D-Bus type', found: { a: null } },
    ]);
    assert.deepEqual(await dbusPlugin.validate!({ objects: [{ ...object({}), interface: 'org.opdbus.Nope' }] }, ctx), [
      { path: '/objects/0/interface', message: 'org.opdbus.Test /org/opdbus/Test has no interface org.opdbus.Nope', found: 'org.opdbus.Nope' },
    ]);
    assert.equal(busctl('Count'), 7);
  });

  it('sets writable properties, verifies them, and rolls them back', async () => {
    const desired: DbusState = { objects: [object({ Name: 'changed', Count: 42, Labels: { zone: 'b', on: true }, Tags: ['p', 'q'], Peer: '/org/opdbus/Other', Big: 5 })] };
    const { actions, checkpoint } = await applyWithPlugin(dbusPlugin, ctx, desired);
    assert.equal(actions.length, 1);
    assert.deepEqual(actions[0].before, object({ Big: '1152921504606846976', Count: 7, Labels: { weight: 3, zone: 'a' }, Name: 'initial', Peer: '/org/opdbus/Peer', Tags: ['x'] }));
    assert.equal(busctl('Name'), 'changed');
    assert.equal(busctl('Count'), 42);
    assert.deepEqual(busctl('Labels'), { zone: { type: 's', data: 'b' }, on: { type: 'b', data: true } });
    assert.deepEqual(busctl('Tags'), ['p', 'q']);
    assert.equal(busctl('Peer'), '/org/opdbus/Other');
    assert.equal(busctl('Big'), 5);
    assert.deepEqual(await dbusPlugin.verify(ctx, desired), []);

    await dbusPlugin.rollback(ctx, checkpoint);
    assert.equal(busctl('Name'), 'initial');
    assert.equal(busctl('Count'), 7);
    assert.deepEqual(busctl('Labels'), { zone: { type: 's', data: 'a' }, weight: { type: 'i', data: 3 } });
    assert.equal(busctl('Big'), 1152921504606846976);
    await dbusPlugin.rollback(ctx, checkpoint);
  });

  it('rolls back a property already set when a later set fails', async () => {
    process.env.OPDBUS_FAILPOINTS = 'dbus.after-set=error@2';
    try {
      await assert.rejects(applyWithPlugin(dbusPlugin, ctx, { objects: [object({ Count: 1, Name: 'half' })] }), { kind: 'Backend', message: 'failpoint dbus.after-set fired' });
    } finally {
      delete process.env.OPDBUS_FAILPOINTS;
    }
    assert.equal(busctl('Name'), 'initial');
    assert.equal(busctl('Count'), 7);
  });
});
