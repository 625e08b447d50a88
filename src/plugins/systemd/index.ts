// The systemd plugin: unit active state, enablement, masking, unit files and drop-ins, through the
// systemd Manager's D-Bus API (org.freedesktop.systemd1). Bus: dbus.system / DBUS_SYSTEM_BUS_ADDRESS.
import { PLUGIN_CONTRACT_VERSION, verifyStateByDiff, type Plugin } from '../../plugin/contract';
import { systemdAbsentReason, withSystemd, withSystemdReader } from './bus';
import type { SystemdCheckpoint } from './checkpoint';
import { querySystemd } from './query';
import { systemdSchema, type SystemdState } from './schema';

// The rest is loaded on first use: a query (the hot path: its time counts against systemctl's) needs none of it.
const applyModule = () => require('./apply') as typeof import('./apply');
const checkpointModule = () => require('./checkpoint') as typeof import('./checkpoint');
const diffModule = () => require('./diff') as typeof import('./diff');
const validateModule = () => require('./validate') as typeof import('./validate');

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

  validate(desired, ctx) {
    return validateModule().validateSystemd(desired, ctx);
  },

  query(ctx, scope) {
    return withSystemdReader(ctx, (bus) => querySystemd(ctx, bus, scope));
  },

  diff(current, desired) {
    return diffModule().diffSystemd(current, desired);
  },

  checkpoint(ctx, actions, current) {
    return checkpointModule().checkpointUnits(ctx, actions, current);
  },

  apply(ctx, actions) {
    return withSystemd(ctx, (bus) => applyModule().applyUnitActions(ctx, bus, actions));
  },

  rollback(ctx, checkpoint) {
    return withSystemd(ctx, (bus) => checkpointModule().rollbackUnits(ctx, bus, checkpoint));
  },

  async verify(ctx, desired) {
    return (await verifyStateByDiff(this, ctx, desired)).mismatches;
  },

  verifyState(ctx, desired) {
    return verifyStateByDiff(this, ctx, desired);
  },
};
