// The plugin registry: which plugins exist, which are enabled, and in what order they apply.
// Plugins may be registered with a loader instead of the plugin itself: the module is then loaded on
// first use, so a command touching one plugin does not pay for loading the others (start-up time).
import { OpdbusError } from '../errors';
import { PLUGIN_CONTRACT_VERSION, type Plugin } from './contract';

/** A registered plugin: loaded, or the function that loads its module. */
type Entry = { plugin: Plugin } | { load: () => Plugin };

export class PluginRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(plugins: readonly Plugin[] = [], loaders: Readonly<Record<string, () => Plugin>> = {}) {
    for (const p of plugins) this.register(p);
    for (const [name, load] of Object.entries(loaders)) this.add(name, { load });
  }

  register(plugin: Plugin): void {
    checkContract(plugin);
    this.add(plugin.name, { plugin });
  }

  /** Registers `name`, whose module `load` loads when the plugin is first used. */
  registerLazy(name: string, load: () => Plugin): void {
    this.add(name, { load });
  }

  private add(name: string, entry: Entry): void {
    if (this.entries.has(name)) throw new OpdbusError('Bug', 'DUPLICATE_PLUGIN', `plugin ${name} registered twice`);
    this.entries.set(name, entry);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get(name: string): Plugin {
    const entry = this.entries.get(name);
    if (!entry) throw new OpdbusError('InvalidInput', 'UNKNOWN_PLUGIN', `unknown plugin "${name}" (known: ${this.names().join(', ')})`, { plugin: name });
    if ('plugin' in entry) return entry.plugin;
    const plugin = entry.load();
    if (plugin.name !== name) throw new OpdbusError('Bug', 'PLUGIN_NAME', `the module registered as plugin ${name} holds plugin ${plugin.name}`);
    checkContract(plugin);
    this.entries.set(name, { plugin });
    return plugin;
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Every plugin, each loaded. */
  all(): Plugin[] {
    return this.names().map((n) => this.get(n));
  }

  /**
   * A registry narrowed to `names` (from --plugin or the config file's plugins.enabled).
   * Unknown names are an input error. Nothing is loaded here.
   */
  select(names: readonly string[] | undefined): PluginRegistry {
    if (!names || names.length === 0) return this;
    const unknown = names.filter((n) => !this.entries.has(n));
    if (unknown.length) {
      throw new OpdbusError('InvalidInput', 'UNKNOWN_PLUGIN', `unknown plugin${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${this.names().join(', ')})`);
    }
    const narrowed = new PluginRegistry();
    for (const n of new Set(names)) {
      const entry = this.entries.get(n)!;
      narrowed.add(n, 'plugin' in entry ? entry : { load: () => this.get(n) });
    }
    return narrowed;
  }
}

function checkContract(plugin: Plugin): void {
  if (plugin.contractVersion !== PLUGIN_CONTRACT_VERSION) {
    throw new OpdbusError('Bug', 'CONTRACT_VERSION', `plugin ${plugin.name} implements contract version ${plugin.contractVersion}, this opdbus speaks ${PLUGIN_CONTRACT_VERSION}`);
  }
}

/**
 * Orders plugin names so that every plugin comes after its dependencies (Kahn's algorithm, ties broken
 * by name so the order is stable). Dependencies outside `names` are ignored: only plugins in this
 * transaction are ordered. A cycle is an input error naming the plugins in it.
 */
export function orderByDependencies(names: readonly string[], depsOf: (name: string) => readonly string[]): string[] {
  const inSet = new Set(names);
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of inSet) {
    indegree.set(n, 0);
    dependents.set(n, []);
  }
  for (const n of inSet) {
    for (const d of depsOf(n)) {
      if (!inSet.has(d) || d === n) {
        if (d === n) throw new OpdbusError('InvalidInput', 'DEPENDENCY_CYCLE', `plugin dependency cycle: ${n} -> ${n}`);
        continue;
      }
      indegree.set(n, indegree.get(n)! + 1);
      dependents.get(d)!.push(n);
    }
  }
  const ready = [...inSet].filter((n) => indegree.get(n) === 0).sort();
  const order: string[] = [];
  while (ready.length) {
    const n = ready.shift()!;
    order.push(n);
    for (const m of dependents.get(n)!.sort()) {
      indegree.set(m, indegree.get(m)! - 1);
      if (indegree.get(m) === 0) {
        ready.push(m);
        ready.sort();
      }
    }
  }
  if (order.length !== inSet.size) {
    const stuck = [...inSet].filter((n) => !order.includes(n)).sort();
    throw new OpdbusError('InvalidInput', 'DEPENDENCY_CYCLE', `plugin dependency cycle among: ${stuck.join(', ')}`, { details: { plugins: stuck } });
  }
  return order;
}
