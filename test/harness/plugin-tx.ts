// Drives one plugin through the transaction steps (validate, query, diff, checkpoint, apply, verify,
// rollback on failure) the way the transaction manager does, for plugin-level integration tests.
import Ajv from 'ajv';
import { defaultConfig, type OpdbusConfig } from '../../src/config';
import type { Action, Mismatch, Plugin, PluginContext } from '../../src/plugin/contract';
import { createLogger } from '../../src/util/log';

export function pluginContext(overrides: Partial<OpdbusConfig> = {}): PluginContext {
  return { config: { ...defaultConfig(), ...overrides }, log: createLogger('warn') };
}

/** Throws with ajv's message when `doc` does not match the plugin's schema. */
export function assertSchemaValid(plugin: Plugin, doc: unknown): void {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(plugin.schema);
  if (!validate(doc)) throw new Error(`${plugin.name} schema: ${JSON.stringify(validate.errors)}`);
}

export interface TxResult<C> {
  actions: Action[];
  checkpoint: C;
  mismatches: Mismatch[];
}

/** Applies `desired`; on any failure rolls back and rethrows the original error. */
export async function applyWithPlugin<D, C>(plugin: Plugin<D, C>, ctx: PluginContext, raw: D): Promise<TxResult<C>> {
  assertSchemaValid(plugin as Plugin, raw);
  const issues = plugin.validate ? await plugin.validate(raw, ctx) : [];
  if (issues.length) throw new Error(`${plugin.name} validate: ${JSON.stringify(issues)}`);
  const desired = plugin.normalize ? plugin.normalize(raw) : raw;
  const current = await plugin.query(ctx, desired);
  const actions = plugin.diff(current, desired);
  const checkpoint = await plugin.checkpoint(ctx, actions, current);
  try {
    await plugin.apply(ctx, actions);
    const mismatches = await settleVerify(plugin, ctx, desired);
    if (mismatches.length) throw new Error(`${plugin.name} verify: ${JSON.stringify(mismatches)}`);
    return { actions, checkpoint, mismatches };
  } catch (err) {
    await plugin.rollback(ctx, checkpoint);
    throw err;
  }
}

export async function settleVerify<D>(plugin: Plugin<D, unknown>, ctx: PluginContext, desired: D): Promise<Mismatch[]> {
  const deadline = Date.now() + plugin.settle.timeoutMs;
  for (;;) {
    const mismatches = await plugin.verify(ctx, desired);
    if (mismatches.length === 0 || Date.now() >= deadline) return mismatches;
    await new Promise((r) => setTimeout(r, plugin.settle.intervalMs));
  }
}
