// Multicast subscriptions to link/address/route/neighbour changes, for drift detection. Events arrive
// in batches (one per kernel datagram) on the event loop; the reader runs on its own native thread.
import { toOpdbusError } from '../errors';
import { netlinkAddon, netnsPath, type NetlinkSubscription } from './addon';
import type { NetlinkEvent } from './types';

export type EventGroup = 'link' | 'addr' | 'route' | 'neigh';

export interface Subscription {
  close(): void;
  /** Lets the process exit while subscribed (like socket.unref()). */
  unref(): Subscription;
  ref(): Subscription;
}

export function subscribe(groups: readonly EventGroup[], onEvents: (events: NetlinkEvent[]) => void, netns?: string): Subscription {
  let handle: NetlinkSubscription;
  try {
    handle = netlinkAddon().netlinkSubscribe(netnsPath(netns), [...groups], (json) => onEvents(JSON.parse(json) as NetlinkEvent[]));
  } catch (err) {
    throw toOpdbusError(err, { plugin: 'net', operation: `subscribe to ${groups.join(', ')} events${netns ? ` in namespace ${netns}` : ''}` });
  }
  const sub: Subscription = {
    close: () => handle.close(),
    unref: () => (handle.unref(), sub),
    ref: () => (handle.ref(), sub),
  };
  return sub;
}
