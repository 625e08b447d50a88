// The systemd plugin: unit active state, enablement, masking, unit files and drop-ins, through the
// systemd Manager's D-Bus API (org.freedesktop.systemd1). Bus: dbus.system / DBUS_SYSTEM_BUS_ADDRESS.
import { PLUGIN_CONTRACT_VERSION, verifyStateByDiff, type Plugin } from '../../plugin/contract';
import { systemdAbsentReason, withSystemd, withSystemdReader } from './bus';
import { applyUnitActions } from './apply';
import { checkpointUnits, rollbackUnits, type SystemdCheckpoint } from './checkpoint';
import { diffSystemd } from './diff';
import { querySystemd } from './query';
import { systemdSchema, type SystemdState } from './schema';
import { validateSystemd } from './validate';

export type { SystemdState } from './schema';

export const systemdPlugin: Plugin<SystemdState, SystemdCheckpoint> = {
  name: 'systemd',
  contractVersion: PLUGIN_CONTRACT_VERSION,
  description: 'systemd units: active state, enabled, masked, unit files and drop-ins (over D-Bus)',
  schema: systemdSchema,
  dependencies: ['net', 'ovs', 'sysctl'],
  capabilities: { apply: true, workerQuery: true, irreversibleActions: false },
  settle: { timeoutMs: 5_000, intervalMs: 200 },

  async available(ctx) {
    const reason = await systemdAbsentReason(ctx);
    return reason ? { available: false, reason } : { available: true };
  },

  normalize(desired) {
    const units: SystemdState['units'] = {};
    for (const name of Object.keys(desired.units).sort()) units[name] = { ...desired.units[name] };
    return { units };
  },

  validate: validateSystemd,

  query(ctx, scope) {
    return withSystemdReader(ctx, (bus) => querySystemd(ctx, bus, scope));
  },

  diff: diffSystemd,

  checkpoint(ctx, actions, current) {
    return checkpointUnits(ctx, actions, current);
  },

  apply(ctx, actions) {
    return withSystemd(ctx, (bus) => applyUnitActions(ctx, bus, actions));
  },

  rollback(ctx, checkpoint) {
    return withSystemd(ctx, (bus) => rollbackUnits(ctx, bus, checkpoint));
  },

  async verify(ctx, desired) {
    return (await verifyStateByDiff(this, ctx, desired)).mismatches;
  },

  verifyState(ctx, desired) {
    return verifyStateByDiff(this, ctx, desired);
  },
};
