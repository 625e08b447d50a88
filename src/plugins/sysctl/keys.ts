// sysctl key names and values: the dotted and slash forms, the /proc/sys path, value normalisation,
// and the default set queried when a document names no keys.
import * as path from 'node:path';

export const SYSCTL_ROOT = '/proc/sys';

/** A key is dotted ("net.ipv4.ip_forward") or slashed ("net/ipv4/conf/eth0.10/rp_filter", for names with dots). */
export const KEY_PATTERN = '^[a-z0-9_]+([./][A-Za-z0-9_@:+-]+(\\.[0-9]+)?)*$';

export function keyToPath(key: string, root = SYSCTL_ROOT): string {
  const rel = key.includes('/') ? key : key.split('.').join('/');
  const full = path.join(root, rel);
  if (!full.startsWith(root + '/')) throw new Error(`sysctl key ${key} escapes ${root}`);
  return full;
}

/** Kernel output separates multi-value entries with tabs; documents use spaces. Compare and print this form. */
export function normalizeValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value).trim().split(/\s+/).join(' ');
}

/**
 * Queried when the document names no keys (`opdbus query --plugin sysctl`): the parameters SREs most
 * often manage on routers, hypervisors and busy servers. Keys absent on this kernel are skipped.
 * Config: plugins.sysctl.keys replaces this list.
 */
export const DEFAULT_KEYS: readonly string[] = [
  'fs.file-max',
  'fs.inotify.max_user_watches',
  'kernel.panic',
  'kernel.pid_max',
  'net.core.netdev_max_backlog',
  'net.core.rmem_max',
  'net.core.somaxconn',
  'net.core.wmem_max',
  'net.ipv4.conf.all.forwarding',
  'net.ipv4.conf.all.rp_filter',
  'net.ipv4.conf.default.rp_filter',
  'net.ipv4.ip_forward',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv6.conf.all.disable_ipv6',
  'net.ipv6.conf.all.forwarding',
  'net.ipv6.conf.default.disable_ipv6',
  'vm.max_map_count',
  'vm.overcommit_memory',
  'vm.swappiness',
];
