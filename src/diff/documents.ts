// Pure document-to-document diff: the actions that turn `current` into `desired`, plugin by plugin in
// dependency order. Used by the golden-file tests and by `history diff`; the live path
// (src/transaction/plan.ts) does the same with a freshly queried current state.
import type { StateDocument } from '../document/types';
import type { Action } from '../plugin/contract';
import { orderByDependencies, type PluginRegistry } from '../plugin/registry';

export function diffDocuments(current: StateDocument, desired: StateDocument, registry: PluginRegistry): Action[] {
  const names = Object.keys(desired.plugins);
  const order = orderByDependencies(names, (n) => registry.get(n).dependencies);
  return order.flatMap((name) => {
    const plugin = registry.get(name);
    const normalize = (section: unknown) => (plugin.normalize ? plugin.normalize(section) : section);
    const have = current.plugins[name] === undefined ? undefined : normalize(current.plugins[name]);
    return plugin.diff(have ?? emptySection(plugin.schema), normalize(desired.plugins[name]));
  });
}

/** What a plugin's current state looks like when the document has no section for it. */
function emptySection(schema: Record<string, unknown>): unknown {
  return schema.type === 'array' ? [] : {};
}
