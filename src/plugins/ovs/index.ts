// The ovs plugin: Open vSwitch bridges, ports and interfaces over OVSDB (RFC 7047). One OVSDB
// transaction per apply, guarded by `wait` operations so a concurrent change is refused, not lost.
import { OpdbusError } from '../../errors';
import { PLUGIN_CONTRACT_VERSION, type Action, type Plugin, type PluginContext } from '../../plugin/contract';
import { failpoint } from '../../transaction/failpoints';
import type { PlannedTransaction } from './apply';
import { cacheFor, cfgApplied, clientFor, closeAll, expectCfg, missingSocket, ovsError } from './connection';
import { stateFromTables, type OvsState, type OvsTables } from './model';
import { DB, cacheTables, rowIds, selectTables } from './query';
import type { OvsCheckpoint } from './rollback';
import { ovsSchema } from './schema';

export type { OvsState } from './model';

/** Runs a planned transaction; a refusal names the operation in words and says that nothing was applied. */
async function runPlan(ctx: PluginContext, plan: PlannedTransaction, what: string): Promise<void> {
  if (plan.ops.length === 0) return;
  const client = await clientFor(ctx);
  try {
    // As ovs-vsctl does: the transaction also asks ovs-vswitchd to report when it has applied it
    // (next_cfg += 1; ovs-vswitchd then sets cur_cfg to it), so verify can wait for that instead of
    // re-reading every 50 ms while ovs-vswitchd works.
    const results = await client.transact(
      DB,
      [
        ...plan.ops,
        { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] },
        { op: 'select', table: 'Open_vSwitch', where: [], columns: ['next_cfg'] },
        { op: 'comment', comment: `opdbus ${what}` },
      ],
      { timeoutMs: ctx.config.queryTimeoutMs, signal: ctx.signal },
    );
    const next = results[plan.ops.length + 1]?.rows?.[0]?.next_cfg;
    if (typeof next === 'number') expectCfg(ctx, next);
  } catch (err) {
    const e = ovsError(err, `ovs ${what}`);
    const d = e.details as { opIndex?: number; ovsdbError?: string; ovsdbDetails?: string } | undefined;
    const label = d?.opIndex === undefined ? undefined : plan.labels[d.opIndex];
    const prefix = e.message.startsWith(`ovs ${what}: `) ? '' : `ovs ${what}: `;
    // Only a refusal from the server proves nothing was committed; a lost connection or a timeout does not.
    const outcome = d?.ovsdbError === undefined ? 'the transaction may or may not have been committed' : 'nothing was applied';
    if (label === undefined) throw new OpdbusError(e.kind, e.code, `${prefix}${e.message}; ${outcome}`, { ...e.toData(), plugin: 'ovs', cause: e });
    const message = e.code === 'OVSDB_WAIT_FAILED'
      ? `ovs ${what}: ${label}; nothing was applied`
      : `ovs ${what}: ${label} failed: ${d?.ovsdbError}${d?.ovsdbDetails ? ': ' + d.ovsdbDetails : ''}; nothing was applied`;
    throw new OpdbusError(e.kind, e.code, message, { ...e.toData(), plugin: 'ovs', cause: e });
  }
}

/**
 * The tables as the monitor-fed replica holds them (what verify reads too). It is loaded by one
 * monitor_cond, a snapshot as consistent as a select: ovsdb-server sends a third less (update2 leaves
 * out default values) and answers it about twice as fast. While the connection is being re-made, the
 * echo waits for the reconnect that reloads the replica, so a query never reads a stale one.
 */
async function replicaTables(ctx: PluginContext, operation: string): Promise<OvsTables> {
  try {
    const cache = await cacheFor(ctx);
    const client = await clientFor(ctx);
    if (!client.session.connected) await client.echo({ timeoutMs: ctx.config.queryTimeoutMs, signal: ctx.signal });
    return cacheTables(cache);
  } catch (err) {
    throw ovsError(err, operation);
  }
}

/** A fresh read from the server, for building a transaction (its `wait` guards compare these rows). */
async function readTables(ctx: PluginContext) {
  try {
    return await selectTables(await clientFor(ctx), ctx.config.queryTimeoutMs, ctx.signal);
  } catch (err) {
    throw ovsError(err, 'ovs query');
  }
}

// Loaded on first use: a query (its time counts against ovs-vsctl's) needs none of these.
const applyModule = () => require('./apply') as typeof import('./apply');
const diffModule = () => require('./diff') as typeof import('./diff');
const rollbackModule = () => require('./rollback') as typeof import('./rollback');
const validateModule = () => require('./validate') as typeof import('./validate');
const verifyModule = () => require('./verify') as typeof import('./verify');

/** The state of the bridges `scope` names (all without a scope), Open_vSwitch's row only if it names it. */
function scopedState(tables: OvsTables, scope?: OvsState): OvsState {
  return scoped(stateFromTables(tables, scope?.bridges ? new Set(scope.bridges.map((b) => b.name)) : undefined), scope);
}

/** The part of a whole-database state that `scope` names (its bridges; the root row if it names it). */
function scoped(state: OvsState, scope?: OvsState): OvsState {
  if (!scope) return state;
  const names = scope.bridges ? new Set(scope.bridges.map((b) => b.name)) : undefined;
  const out: OvsState = { ...state, bridges: names ? state.bridges?.filter((b) => names.has(b.name)) : state.bridges };
  if (!scope.open_vswitch) delete out.open_vswitch;
  return out;
}

export const ovsPlugin: Plugin<OvsState, OvsCheckpoint> = {
  name: 'ovs',
  contractVersion: PLUGIN_CONTRACT_VERSION,
  description: 'Open vSwitch bridges, ports and interfaces over OVSDB (RFC 7047)',
  schema: ovsSchema,
  dependencies: [],
  capabilities: { apply: true, workerQuery: true, irreversibleActions: false },
  // ovs-vswitchd attaches interfaces (ofport, kernel tap) shortly after the transaction commits.
  settle: { timeoutMs: 10_000, intervalMs: 50 },

  async available(ctx) {
    try {
      const missing = missingSocket(ctx.config.ovsdb);
      if (missing) return { available: false, reason: missing };
      await clientFor(ctx);
      return { available: true };
    } catch (err) {
      return { available: false, reason: `cannot connect to OVSDB at ${ctx.config.ovsdb}: ${(err as Error).message}` };
    }
  },

  async validate(desired) {
    return validateModule().validateOvs(desired);
  },

  async query(ctx, scope) {
    return scopedState(await replicaTables(ctx, 'ovs query'), scope);
  },

  diff(current, desired) {
    return diffModule().diffOvs(current, desired);
  },

  async checkpoint(_ctx, actions) {
    return rollbackModule().checkpointOf(actions);
  },

  async apply(ctx, actions: Action[]) {
    if (actions.length === 0) return;
    const tables = await readTables(ctx);
    const datapath = ctx.config.pluginOptions.ovs?.datapath_type;
    const plan = applyModule().planTransaction(actions, rowIds(tables), { defaultDatapathType: typeof datapath === 'string' ? datapath : undefined });
    await failpoint('ovs.before-transact');
    await runPlan(ctx, plan, 'apply');
  },

  async rollback(ctx, checkpoint) {
    try {
      const tables = await readTables(ctx);
      const actions = rollbackModule().rollbackActions(checkpoint, stateFromTables(tables));
      await runPlan(ctx, applyModule().planTransaction(actions, rowIds(tables)), 'rollback');
    } catch (err) {
      const e = ovsError(err, 'ovs rollback');
      throw new OpdbusError('RollbackFailed', e.code, e.message, { ...e.toData(), plugin: 'ovs', cause: e });
    }
  },

  async verify(ctx, desired) {
    return (await this.verifyState!(ctx, desired)).mismatches;
  },

  async verifyState(ctx, desired) {
    try {
      let tables = await replicaTables(ctx, 'ovs verify');
      // Bounded well inside the per-call timeout the manager puts on each verify (query_timeout_ms).
      const waitMs = Math.min(this.settle.timeoutMs, ctx.config.queryTimeoutMs / 2);
      const t0 = performance.now();
      const waitForVswitchd = async () => {
        // ovs-vswitchd has not finished applying our last change: wait until it has (on the monitor,
        // not by polling), or the settle time is out. Without ovs-vswitchd this waits in vain, as
        // re-reading did before. False: nothing to wait for.
        if (!(await cfgApplied(ctx, waitMs))) return false;
        ctx.log.debug(`ovs verify: waited ${(performance.now() - t0).toFixed(0)} ms for ovs-vswitchd to apply the change`);
        tables = await replicaTables(ctx, 'ovs verify');
        return true;
      };
      // An interface not attached yet: the whole comparison would find little else now and take CPU
      // from ovs-vswitchd, so wait first. A host that already matches never waits.
      const waited = verifyModule().unattachedInterfaces(tables, desired, 1).length > 0 && (await waitForVswitchd());
      let current = stateFromTables(tables);
      let mismatches = verifyModule().verifyTables(tables, desired, current);
      if (!waited && mismatches.length && (await waitForVswitchd())) {
        current = stateFromTables(tables);
        mismatches = verifyModule().verifyTables(tables, desired, current);
      }
      // The state the verify read (the database as a document) is the one recorded, not read again.
      return { state: scoped(current, desired), mismatches };
    } catch (err) {
      throw ovsError(err, 'ovs verify');
    }
  },

  close: closeAll,
};
