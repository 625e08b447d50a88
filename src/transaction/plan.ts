// Planning: which plugins a document touches, are they available, what is their current state, and
// which actions turn it into the desired state, in dependency order. Read-only: used by diff,
// apply --dry-run, verify and (under the lock) by apply itself.
import type { OpdbusConfig } from '../config';
import { validateSemantics } from '../document/semantics';
import type { DocumentSource, StateDocument } from '../document/types';
import { OpdbusError } from '../errors';
import type { Action, PluginContext } from '../plugin/contract';
import { withTimeout } from '../plugin/context';
import { orderByDependencies, type PluginRegistry } from '../plugin/registry';

export interface PlannedPlugin {
  plugin: string;
  desired: unknown;
  current: unknown;
  actions: Action[];
}

export interface Plan {
  /** Plugins of the document (after --plugin selection) in apply order. */
  order: string[];
  plugins: PlannedPlugin[];
  /** Every action, in apply order. */
  actions: Action[];
}

/**
 * The plugins of `document` this run manages: the document's sections, narrowed by --plugin
 * (`selected`), each of which must be enabled by configuration and available on this host.
 */
export async function pluginsInScope(document: StateDocument, registry: PluginRegistry, config: OpdbusConfig, ctx: PluginContext, selected?: readonly string[]): Promise<string[]> {
  let names = Object.keys(document.plugins).sort();
  if (selected && selected.length) {
    registry.select(selected); // unknown names are an input error
    names = names.filter((n) => selected.includes(n));
  }
  const problems: string[] = [];
  for (const name of names) {
    if (config.enabledPlugins && !config.enabledPlugins.includes(name)) {
      problems.push(`${name}: disabled by configuration (plugins.enabled)`);
      continue;
    }
    const availability = await registry.get(name).available(ctx);
    if (!availability.available) problems.push(`${name}: ${availability.reason ?? 'unavailable'}`);
  }
  if (problems.length) {
    throw new OpdbusError('Unavailable', 'PLUGIN_UNAVAILABLE', `the document needs plugins that are unavailable on this host:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
  return names;
}

/** What planning needs: the validated document and where it came from, the plugins, the config. */
export interface PlanInput {
  document: StateDocument;
  source: DocumentSource;
  registry: PluginRegistry;
  config: OpdbusConfig;
  ctx: PluginContext;
  /** --plugin: only these sections of the document. */
  selected?: readonly string[];
}

export async function planTransaction(args: PlanInput): Promise<Plan> {
  const { document, source, registry, config, ctx } = args;
  const names = await pluginsInScope(document, registry, config, ctx, args.selected);
  const order = orderByDependencies(names, (n) => registry.get(n).dependencies);
  await validateSemantics(document, source, registry, ctx, order);
  const currents = await Promise.all(
    order.map((name) => withTimeout('query', name, config.queryTimeoutMs, () => registry.get(name).query(ctx, document.plugins[name]))),
  );
  const plugins = order.map((name, i) => {
    const desired = document.plugins[name];
    return { plugin: name, desired, current: currents[i], actions: registry.get(name).diff(currents[i], desired) };
  });
  return { order, plugins, actions: plugins.flatMap((p) => p.actions) };
}
