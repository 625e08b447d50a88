// The built-in plugins. A new plugin is one directory under src/plugins/ and one line in MODULES.
// Modules load on first use, so a query worker that needs one plugin loads only that plugin's code.
import type { Plugin } from '../plugin/contract';
import { PluginRegistry } from '../plugin/registry';

const MODULES: Record<string, () => Plugin> = {
  sysctl: () => require('./sysctl').sysctlPlugin,
  net: () => require('./net').netPlugin,
  ovs: () => require('./ovs').ovsPlugin,
  systemd: () => require('./systemd').systemdPlugin,
  login1: () => require('./login1').login1Plugin,
  dbus: () => require('./dbus').dbusPlugin,
  lxc: () => require('./lxc').lxcPlugin,
};

export const BUILTIN_PLUGIN_NAMES: readonly string[] = Object.keys(MODULES).sort();

/** One built-in plugin, loading only its own module. */
export function loadBuiltinPlugin(name: string): Plugin {
  return builtinRegistry().get(name); // an unknown name throws the usual error
}

/** Every built-in plugin; each module loads when its plugin is first used. */
export function builtinRegistry(): PluginRegistry {
  return new PluginRegistry([], MODULES);
}
