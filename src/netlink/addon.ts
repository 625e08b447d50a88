// The typed view of the addon's rtnetlink functions (native/netlink/dump.cc, batch.cc, events.cc) and the
// mapping of a configured namespace name onto the path the addon opens.
import * as path from 'node:path';
import { native } from '../native/binding';

export interface NetlinkSubscription {
  close(): void;
  ref(): void;
  unref(): void;
}

export interface NetlinkAddon {
  /** Opens and closes a socket in the namespace (synchronous, a few syscalls); throws what stops it. */
  netlinkProbe(netns: string): void;
  netlinkDump(netns: string, kinds: string[], stats: boolean, ownRoutesOnly?: boolean): Promise<string>;
  /** Per phase, per request: null = acknowledged, an Error = refused, undefined = not sent. */
  /** `phasesJson`: JSON.stringify of NetlinkRequest[][] (src/netlink/types.ts) (one string crosses to C++ far faster than thousands of objects). */
  netlinkApply(netns: string, phasesJson: string): Promise<(Error | null | undefined)[][]>;
  netlinkSubscribe(netns: string, groups: string[], onEvents: (json: string) => void): NetlinkSubscription;
}

export function netlinkAddon(): NetlinkAddon {
  return native() as unknown as NetlinkAddon;
}

/** `--netns NAME` means /run/netns/NAME (what `ip netns add` creates); an absolute path is used as is. */
export function netnsPath(netns: string | undefined): string {
  if (!netns) return '';
  return path.isAbsolute(netns) ? netns : path.join('/run/netns', netns);
}
