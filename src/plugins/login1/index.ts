// The login1 plugin: seats, users and sessions from systemd-logind, and session policies. Terminating
// a session cannot be undone: those actions are irreversible and run after everything else verified.
import type { OpdbusError } from '../../errors';
import { PLUGIN_CONTRACT_VERSION, type Plugin } from '../../plugin/contract';
import { busAbsentReason, resolveBusAddress } from '../../dbus/address';
import { withBus } from '../../dbus/connection';
import { failpoint } from '../../transaction/failpoints';
import { diffLogin1, verifyLogin1 } from './diff';
import { login1Call, queryLogin1 } from './query';
import { login1Schema, type Login1State } from './schema';

export type { Login1State } from './schema';

/** Nothing a login1 action does can be restored, so there is nothing to record. */
export type Login1Checkpoint = Record<string, never>;

export const login1Plugin: Plugin<Login1State, Login1Checkpoint> = {
  name: 'login1',
  contractVersion: PLUGIN_CONTRACT_VERSION,
  description: 'systemd-logind seats, users and sessions; session policies (enforce terminates, observe-only reports)',
  schema: login1Schema,
  dependencies: [],
  capabilities: { apply: true, workerQuery: true, irreversibleActions: true },
  settle: { timeoutMs: 10_000, intervalMs: 200 },

  async available(ctx) {
    const reason = await busAbsentReason(resolveBusAddress(ctx.config, 'system'));
    return reason ? { available: false, reason } : { available: true };
  },

  query(ctx) {
    return withBus(resolveBusAddress(ctx.config, 'system'), 'login1', queryLogin1);
  },

  diff: diffLogin1,

  async checkpoint() {
    return {};
  },

  async apply(ctx, actions) {
    const terminate = actions.filter((a) => a.irreversible);
    if (terminate.length === 0) return;
    await withBus(resolveBusAddress(ctx.config, 'system'), 'login1', async (bus) => {
      for (const a of terminate) {
        // A session that ended by itself since the plan was made is already where we want it.
        await login1Call(bus, 'TerminateSession', 's', [a.resource.slice('login1:session:'.length)]).catch((err: OpdbusError) => {
          if (err.kind !== 'NotFound') throw err;
        });
        await failpoint('login1.after-terminate');
      }
    });
  },

  // Terminated sessions cannot be brought back; report-only actions changed nothing.
  async rollback() {},

  async verify(ctx, desired) {
    return verifyLogin1(await this.query(ctx), desired);
  },
};
