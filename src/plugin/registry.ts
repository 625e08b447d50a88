// The plugin registry: which plugins exist, which are enabled, and in what order they apply.
import { OpdbusError } from '../errors';
import { PLUGIN_CONTRACT_VERSION, type Plugin } from './contract';

export class PluginRegistry {
  private readonly plugins = new Map<string, Plugin>();

  constructor(plugins: readonly Plugin[] = []) {
    for (const p of plugins) this.register(p);
  }

  register(plugin: Plugin): void {
    if (plugin.contractVersion !== PLUGIN_CONTRACT_VERSION) {
      throw new OpdbusError('Bug', 'CONTRACT_VERSION', `plugin ${plugin.name} implements contract version ${plugin.contractVersion}, this opdbus speaks ${PLUGIN_CONTRACT_VERSION}`);
    }
    if (this.plugins.has(plugin.name)) throw new OpdbusError('Bug', 'DUPLICATE_PLUGIN', `plugin ${plugin.name} registered twice`);
    this.plugins.set(plugin.name, plugin);
  }

  has(name: string): boolean {
    return this.plugins.has(name);
  }

  get(name: string): Plugin {
    const p = this.plugins.get(name);
    if (!p) throw new OpdbusError('InvalidInput', 'UNKNOWN_PLUGIN', `unknown plugin "${name}" (known: ${this.names().join(', ')})`, { plugin: name });
    return p;
  }

  names(): string[] {
    return [...this.plugins.keys()].sort();
  }

  all(): Plugin[] {
    return this.names().map((n) => this.plugins.get(n)!);
  }

  /**
   * A registry narrowed to `names` (from --plugin or the config file's plugins.enabled).
   * Unknown names are an input error.
   */
  select(names: readonly string[] | undefined): PluginRegistry {
    if (!names || names.length === 0) return this;
    const unknown = names.filter((n) => !this.plugins.has(n));
    if (unknown.length) {
      throw new OpdbusError('InvalidInput', 'UNKNOWN_PLUGIN', `unknown plugin${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${this.names().join(', ')})`);
    }
    return new PluginRegistry([...new Set(names)].map((n) => this.plugins.get(n)!));
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
