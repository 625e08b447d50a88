// The login1 plugin against systemd-logind in a container: a session opened with su is listed,
// an observe-only policy reports it without touching it, an enforce policy terminates it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PluginContext } from '../../src/plugin/contract';
import { login1Plugin, type Login1State } from '../../src/plugins/login1';
import { bootContainer, type LoginSession, type TestContainer } from '../harness/container';
import { assertSchemaValid, pluginContext, settleVerify } from '../harness/plugin-tx';
import { TEST_USER } from '../harness/rootfs';

describe('login1 plugin in a real container', () => {
  let c: TestContainer;
  let ctx: PluginContext;
  let session: LoginSession | undefined;

  before(async () => {
    c = await bootContainer();
    ctx = pluginContext({ dbus: { system: c.busAddress } });
    session = await c.openSession(TEST_USER);
  });
  after(async () => {
    session?.kill();
    await c?.stop();
  });

  const policy = (mode: 'enforce' | 'observe-only'): Login1State => ({ items: [{ id: 'no-test-user', mode, selector: { user: TEST_USER }, desired: { present: false } }] });

  it('lists seats, users and the session as a valid document', async () => {
    const state = await login1Plugin.query(ctx);
    assertSchemaValid(login1Plugin, state);
    assert.deepEqual(state.seats, [{ id: 'seat0' }]);
    assert.deepEqual(state.users, [{ uid: 1000, name: TEST_USER }]);
    const { since, ...listed } = state.sessions!.find((s) => s.id === session!.id)!;
    assert.deepEqual(listed, { id: session!.id, user: TEST_USER, uid: 1000, seat: '', tty: '', class: 'background', type: 'unspecified', state: listed.state, remote: false });
    assert.ok(Date.parse(since!) > 0);
  });

  it('reports an observe-only violation in diff and verify, and applies nothing', async () => {
    const current = await login1Plugin.query(ctx, policy('observe-only'));
    const actions = login1Plugin.diff(current, policy('observe-only'));
    assert.equal(actions.length, 1);
    assert.equal((actions[0] as { observeOnly?: boolean }).observeOnly, true);
    assert.equal(actions[0].irreversible, undefined);
    await login1Plugin.apply(ctx, actions);
    const mismatches = await login1Plugin.verify(ctx, policy('observe-only'));
    assert.deepEqual(mismatches, [
      { path: '/plugins/login1/items/0/desired/present', expected: false, found: `sessions ${session!.id} (no-test-user)`, observeOnly: true },
    ]);
  });

  it('terminates the session under an enforce policy, as an irreversible action', async () => {
    const current = await login1Plugin.query(ctx, policy('enforce'));
    const actions = login1Plugin.diff(current, policy('enforce'));
    assert.deepEqual(
      actions.map((a) => [a.op, a.resource, a.irreversible]),
      [['delete', `login1:session:${session!.id}`, true]],
    );
    await login1Plugin.apply(ctx, actions);
    assert.deepEqual(await settleVerify(login1Plugin, ctx, policy('enforce')), []);
    assert.equal((await login1Plugin.query(ctx)).sessions!.filter((s) => s.user === TEST_USER && s.state !== 'closing').length, 0);
    await session!.ended();
  });
});
