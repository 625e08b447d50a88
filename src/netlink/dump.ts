// Dumps of the kernel's links, addresses, routes and neighbours in one round of the addon (one socket,
// one worker-thread hop); the JSON the addon builds off the event loop is parsed once here.
import { toOpdbusError } from '../errors';
import { netlinkAddon, netnsPath } from './addon';
import type { DumpKind, RawDump } from './types';

export interface DumpOptions {
  /** Namespace name or path (config.netns); undefined = the process's own namespace. */
  netns?: string;
  /** Include link statistics (costs kernel time on hosts with many links). */
  stats?: boolean;
  /**
   * Leave out the routes the kernel makes for itself (native IsKernelRoute: proto kernel, the local
   * table, local/broadcast/anycast/multicast types, IPv6 multicast), in the addon, before any JSON.
   */
  ownRoutesOnly?: boolean;
}

export async function dump<K extends DumpKind>(kinds: readonly K[], opts: DumpOptions = {}): Promise<Required<Pick<RawDump, K>>> {
  try {
    const json = await netlinkAddon().netlinkDump(netnsPath(opts.netns), [...kinds], !!opts.stats, !!opts.ownRoutesOnly);
    return JSON.parse(json) as Required<Pick<RawDump, K>>;
  } catch (err) {
    throw toOpdbusError(err, { plugin: 'net', operation: `netlink dump of ${kinds.join(', ')}${opts.netns ? ` in namespace ${opts.netns}` : ''}` });
  }
}

/** Can a netlink socket be opened in the namespace? Cheap: no dump. Throws an OpdbusError saying why not. */
export function probe(netns?: string): void {
  try {
    netlinkAddon().netlinkProbe(netnsPath(netns));
  } catch (err) {
    throw toOpdbusError(err, { plugin: 'net', operation: `netlink socket${netns ? ` in namespace ${netns}` : ''}` });
  }
}

export const dumpLinks = (opts?: DumpOptions) => dump(['link'], opts).then((d) => d.link);
export const dumpAddrs = (opts?: DumpOptions) => dump(['addr'], opts).then((d) => d.addr);
export const dumpRoutes = (opts?: DumpOptions) => dump(['route'], opts).then((d) => d.route);
export const dumpNeigh = (opts?: DumpOptions) => dump(['neigh'], opts).then((d) => d.neigh);
