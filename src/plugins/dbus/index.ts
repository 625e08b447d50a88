// The generic dbus plugin: properties of any D-Bus object on the system bus, the session bus or an
// explicit address, typed by introspection. A document names the objects; nothing else is touched.
import { PLUGIN_CONTRACT_VERSION, verifyStateByDiff, type Plugin } from '../../plugin/contract';
import { applyDbus, checkpointDbus, rollbackDbus, type DbusCheckpoint } from './apply';
import { diffDbus } from './diff';
import { queryDbus } from './query';
import { dbusSchema, type DbusState } from './schema';
import { validateDbus } from './validate';

export type { DbusState } from './schema';

export const dbusPlugin: Plugin<DbusState, DbusCheckpoint> = {
  name: 'dbus',
  contractVersion: PLUGIN_CONTRACT_VERSION,
  description: 'Any D-Bus object property (typed by introspection)',
  schema: dbusSchema,
  dependencies: ['systemd'],
  capabilities: { apply: true, workerQuery: true, irreversibleActions: false },
  settle: { timeoutMs: 2_000, intervalMs: 100 },

  // Each object names its own bus, so there is no single backend to be absent; validate checks each.
  async available() {
    return { available: true };
  },

  validate: validateDbus,

  query(ctx, scope) {
    return queryDbus(ctx, scope);
  },

  diff: diffDbus,

  async checkpoint(_ctx, actions) {
    return checkpointDbus(actions);
  },

  apply: applyDbus,

  rollback: rollbackDbus,

  async verify(ctx, desired) {
    return (await verifyStateByDiff(this, ctx, desired)).mismatches;
  },

  verifyState(ctx, desired) {
    return verifyStateByDiff(this, ctx, desired);
  },
};
