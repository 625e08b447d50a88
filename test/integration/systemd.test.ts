// The systemd plugin against a real systemd booted in a container: query, start/stop, enable/disable,
// mask, unit files, and a unit that fails to start (rolled back).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OpdbusError } from '../../src/errors';
import type { PluginContext } from '../../src/plugin/contract';
import { systemdPlugin, type SystemdState } from '../../src/plugins/systemd';
import { bootContainer, type TestContainer } from '../harness/container';
import { applyWithPlugin, assertSchemaValid, pluginContext } from '../harness/plugin-tx';

const SLEEPER = '[Unit]\nDescription=opdbus test sleeper\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n';
const FAILING = '[Unit]\nDescription=opdbus test unit that cannot start\n[Service]\nType=oneshot\nExecStart=/bin/sh -c "exit 3"\n';

describe('systemd plugin in a real container', () => {
  let c: TestContainer;
  let ctx: PluginContext;
  const state = (unit: string) => c.unitProperty(unit, 'ActiveState');
  const fileState = (unit: string) => c.unitProperty(unit, 'UnitFileState');
  const exists = (rel: string) => fs.existsSync(path.join(c.root, rel));

  before(async () => {
    c = await bootContainer();
    ctx = pluginContext({ dbus: { system: c.busAddress }, pluginOptions: { systemd: { root: c.root } } });
  });
  after(async () => {
    await c?.stop();
  });

  it('is unavailable, with the address in the reason, when there is no bus', async () => {
    const absent = pluginContext({ dbus: { system: 'unix:path=/nonexistent/opdbus-t/system_bus_socket' } });
    assert.deepEqual(await systemdPlugin.available(absent), { available: false, reason: 'no system bus at unix:path=/nonexistent/opdbus-t/system_bus_socket' });
    assert.deepEqual(await systemdPlugin.available(ctx), { available: true });
  });

  it('queries every unit as a valid document naming only settable fields', async () => {
    const doc = await systemdPlugin.query(ctx);
    assertSchemaValid(systemdPlugin, doc);
    assert.deepEqual(doc.units['systemd-journald.service'], { active_state: 'active', masked: false });
    assert.equal(doc.units['getty@.service']?.enabled, true);
    for (const unit of Object.values(doc.units)) for (const key of Object.keys(unit)) assert.ok(['active_state', 'enabled', 'masked'].includes(key), key);
  });

  it('creates, enables and starts a unit from its file content, then rolls all of it back', async () => {
    const desired: SystemdState = { units: { 'opdbus-t-a.service': { unit_file: SLEEPER, dropins: { '10-env.conf': '[Service]\nEnvironment=X=1\n' }, enabled: true, active_state: 'active' } } };
    const { actions, checkpoint } = await applyWithPlugin(systemdPlugin, ctx, desired);
    assert.equal(actions.length, 1);
    assert.equal(actions[0].op, 'create');
    assert.equal(state('opdbus-t-a.service'), 'active');
    assert.equal(fileState('opdbus-t-a.service'), 'enabled');
    assert.deepEqual(c.unitProperty('opdbus-t-a.service', 'Environment', 'org.freedesktop.systemd1.Service'), ['X=1']);
    assert.equal(fs.readFileSync(path.join(c.root, 'etc/systemd/system/opdbus-t-a.service'), 'utf8'), SLEEPER);
    assert.deepEqual(systemdPlugin.diff(await systemdPlugin.query(ctx, desired), desired), []);

    await systemdPlugin.rollback(ctx, checkpoint);
    assert.equal(state('opdbus-t-a.service'), 'inactive');
    assert.equal(c.unitProperty('opdbus-t-a.service', 'LoadState'), 'not-found');
    assert.equal(exists('etc/systemd/system/opdbus-t-a.service'), false);
    assert.equal(exists('etc/systemd/system/multi-user.target.wants/opdbus-t-a.service'), false);
    await systemdPlugin.rollback(ctx, checkpoint);
  });

  it('stops, disables and masks an existing unit, and rollback restores it', async () => {
    c.writeFile('etc/systemd/system/opdbus-t-b.service', SLEEPER);
    await applyWithPlugin(systemdPlugin, ctx, { units: { 'opdbus-t-b.service': { enabled: true, active_state: 'active' } } });
    assert.equal(state('opdbus-t-b.service'), 'active');

    const { checkpoint } = await applyWithPlugin(systemdPlugin, ctx, { units: { 'opdbus-t-b.service': { active_state: 'inactive', enabled: false } } });
    assert.equal(state('opdbus-t-b.service'), 'inactive');
    assert.equal(fileState('opdbus-t-b.service'), 'disabled');

    c.writeFile('lib/systemd/system/opdbus-t-c.service', SLEEPER);
    c.writeFile('etc/systemd/system/opdbus-t-d.service', SLEEPER);
    await assert.rejects(applyWithPlugin(systemdPlugin, ctx, { units: { 'opdbus-t-d.service': { masked: true } } }), {
      kind: 'Conflict',
      message: 'cannot mask opdbus-t-d.service: File /etc/systemd/system/opdbus-t-d.service already exists. (org.freedesktop.systemd1.UnitExists) (a unit whose file lives in /etc/systemd/system cannot be masked; remove the file instead)',
    });
    const masked = await applyWithPlugin(systemdPlugin, ctx, { units: { 'opdbus-t-c.service': { masked: true } } });
    assert.equal(c.unitProperty('opdbus-t-c.service', 'LoadState'), 'masked');
    await systemdPlugin.rollback(ctx, masked.checkpoint);
    assert.equal(c.unitProperty('opdbus-t-c.service', 'LoadState'), 'loaded');

    await systemdPlugin.rollback(ctx, checkpoint);
    assert.equal(state('opdbus-t-b.service'), 'active');
    assert.equal(fileState('opdbus-t-b.service'), 'enabled');
  });

  it('reports a unit that fails to start with its result and rolls the whole change back', async () => {
    const desired: SystemdState = {
      units: {
        'opdbus-t-ok.service': { unit_file: SLEEPER, active_state: 'active' },
        'opdbus-t-bad.service': { unit_file: FAILING, active_state: 'active' },
      },
    };
    await assert.rejects(applyWithPlugin(systemdPlugin, ctx, desired), (err: unknown) => {
      assert.ok(err instanceof OpdbusError);
      assert.equal(err.kind, 'Backend');
      assert.equal(err.code, 'UNIT_START_FAILED');
      assert.equal(err.path, '/plugins/systemd/units/opdbus-t-bad.service');
      assert.match(err.message, /^opdbus-t-bad\.service failed to start: job result "failed"; Result=exit-code, ExecMainStatus=3, ActiveState=failed, SubState=failed$/);
      return true;
    });
    assert.equal(state('opdbus-t-ok.service'), 'inactive');
    assert.equal(exists('etc/systemd/system/opdbus-t-ok.service'), false);
    assert.equal(exists('etc/systemd/system/opdbus-t-bad.service'), false);
    assert.equal(c.unitProperty('opdbus-t-bad.service', 'LoadState'), 'not-found');
  });

  it('removes a unit with state: absent (stopped, disabled, files gone) and rollback brings it back', async () => {
    c.writeFile('etc/systemd/system/opdbus-t-gone.service', SLEEPER);
    c.writeFile('etc/systemd/system/opdbus-t-gone.service.d/10-a.conf', '[Service]\nEnvironment=A=1\n');
    await applyWithPlugin(systemdPlugin, ctx, { units: { 'opdbus-t-gone.service': { enabled: true, active_state: 'active' } } });
    const { actions, checkpoint } = await applyWithPlugin(systemdPlugin, ctx, { units: { 'opdbus-t-gone.service': { state: 'absent' } } });
    assert.deepEqual(actions.map((a) => [a.op, a.resource]), [['delete', 'systemd:unit:opdbus-t-gone.service']]);
    assert.equal(c.unitProperty('opdbus-t-gone.service', 'LoadState'), 'not-found');
    assert.equal(exists('etc/systemd/system/opdbus-t-gone.service'), false);
    assert.equal(exists('etc/systemd/system/opdbus-t-gone.service.d'), false);
    assert.equal(exists('etc/systemd/system/multi-user.target.wants/opdbus-t-gone.service'), false);

    await systemdPlugin.rollback(ctx, checkpoint);
    assert.equal(state('opdbus-t-gone.service'), 'active');
    assert.equal(fileState('opdbus-t-gone.service'), 'enabled');
    assert.deepEqual(c.unitProperty('opdbus-t-gone.service', 'Environment', 'org.freedesktop.systemd1.Service'), ['A=1']);
    assert.throws(() => assertSchemaValid(systemdPlugin, { units: { 'opdbus-t-gone.service': { state: 'absent', enabled: false } } }), /must match exactly one schema in oneOf/);
  });

  it('refuses unknown units, removals of system units, and masked units that would be started, enabled or given a file', async () => {
    const desired: SystemdState = {
      units: {
        'opdbus-t-none.service': { active_state: 'active' },
        'opdbus-t-m.service': { masked: true, active_state: 'active', enabled: true, unit_file: SLEEPER },
        'systemd-journald.service': { state: 'absent' },
        'opdbus-t-never.service': { state: 'absent' },
      },
    };
    assert.deepEqual(await systemdPlugin.validate!(desired, ctx), [
      { path: '/units/opdbus-t-m.service/active_state', message: 'a masked unit cannot be active (systemd refuses to start it)', found: 'active' },
      { path: '/units/opdbus-t-m.service/enabled', message: 'a masked unit cannot be enabled', found: true },
      { path: '/units/opdbus-t-m.service/unit_file', message: 'a masked unit cannot have a unit file in /etc/systemd/system (the mask takes its place)', found: '(unit file)' },
      {
        path: '/units/systemd-journald.service/state',
        message: `comes with the system (${c.root}/usr/lib/systemd/system/systemd-journald.service) and cannot be removed; mask it, or stop and disable it`,
        found: 'absent',
      },
      { path: '/units/opdbus-t-none.service', message: 'no such unit on this host (give unit_file to create it)', found: 'opdbus-t-none.service' },
    ]);
  });
});
