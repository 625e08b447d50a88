// The net plugin: kernel links, addresses and routes over rtnetlink (src/netlink, native/netlink).
// Targets the namespace in config.netns (`--netns NAME`) or the process's own.
import { OpdbusError } from '../../errors';
import { dump, probe } from '../../netlink';
import { PLUGIN_CONTRACT_VERSION, type Plugin, type PluginContext } from '../../plugin/contract';
import { applyActions } from './apply';
import { buildCheckpoint, type NetCheckpoint } from './checkpoint';
import { compareState } from './diff';
import { interfaceNames, normalizeState } from './model';
import { stateFromDump } from './query';
import { netSchema, type NetState } from './schema';
import { validateState } from './validate';

export type { NetState } from './schema';

const includeKernel = (ctx: PluginContext) => ctx.config.pluginOptions.net?.include_kernel === true;

async function queryNet(ctx: PluginContext, scope?: NetState): Promise<NetState> {
  // stateFromDump drops the kernel's own routes unless include_kernel; the addon drops them first.
  const d = await dump(['link', 'addr', 'route'], { netns: ctx.config.netns, ownRoutesOnly: !includeKernel(ctx) });
  const names = scope ? interfaceNames(scope) : undefined;
  return stateFromDump(d, { includeKernel: includeKernel(ctx), names });
}

export const netPlugin: Plugin<NetState, NetCheckpoint> = {
  name: 'net',
  contractVersion: PLUGIN_CONTRACT_VERSION,
  description: 'Kernel links, addresses and routes over rtnetlink',
  schema: netSchema,
  dependencies: ['ovs'],
  capabilities: { apply: true, workerQuery: true, irreversibleActions: false },
  settle: { timeoutMs: 5000, intervalMs: 100 },

  async available(ctx) {
    try {
      probe(ctx.config.netns);
      return { available: true };
    } catch (err) {
      return { available: false, reason: (err as Error).message };
    }
  },

  normalize: normalizeState,

  async validate(desired, ctx) {
    // Validation only needs to know which links exist.
    const { link } = await dump(['link'], { netns: ctx.config.netns });
    return validateState(desired, new Set(link.map((l) => l.name)));
  },

  query: queryNet,

  diff(current, desired) {
    return compareState(current, desired).actions;
  },

  async checkpoint(_ctx, actions, current) {
    return buildCheckpoint(actions, current);
  },

  async apply(ctx, actions) {
    await applyActions(actions, ctx.config.netns, this.settle, 'apply');
  },

  async rollback(ctx, checkpoint) {
    try {
      const current = await queryNet(ctx, checkpoint.restore);
      await applyActions(compareState(current, checkpoint.restore).actions, ctx.config.netns, this.settle, 'rollback');
    } catch (err) {
      const e = err as OpdbusError;
      throw new OpdbusError('RollbackFailed', 'ROLLBACK', `net rollback did not restore the checkpoint: ${e.message}`, { plugin: 'net', path: e.path, cause: err });
    }
  },

  async verify(ctx, desired) {
    return (await this.verifyState!(ctx, desired)).mismatches;
  },

  async verifyState(ctx, desired) {
    // One read; the transaction manager re-reads within this.settle (src/transaction/verify.ts) for
    // what the kernel finishes asynchronously (links another plugin creates, IPv6 DAD).
    const state = await queryNet(ctx, desired);
    return { state, mismatches: compareState(state, desired).mismatches };
  },
};
