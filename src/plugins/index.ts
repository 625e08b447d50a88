// The built-in plugins. A new plugin is one directory under src/plugins/ and one line here.
import type { Plugin } from '../plugin/contract';
import { PluginRegistry } from '../plugin/registry';
import { dbusPlugin } from './dbus';
import { login1Plugin } from './login1';
import { lxcPlugin } from './lxc';
import { netPlugin } from './net';
import { ovsPlugin } from './ovs';
import { sysctlPlugin } from './sysctl';
import { systemdPlugin } from './systemd';

export const BUILTIN_PLUGINS: readonly Plugin[] = [
  sysctlPlugin as Plugin,
  netPlugin as Plugin,
  ovsPlugin as Plugin,
  systemdPlugin as Plugin,
  login1Plugin as Plugin,
  dbusPlugin as Plugin,
  lxcPlugin as Plugin,
];

export function builtinRegistry(): PluginRegistry {
  return new PluginRegistry(BUILTIN_PLUGINS);
}
