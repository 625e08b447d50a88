// Drift watching: netlink events coalesced into one "these kinds changed" notification per quiet
// period, so a daemon re-queries once per burst (creating a link alone yields a dozen messages).
import { subscribe, type EventGroup, type Subscription } from './events';

export interface NetChange {
  kinds: EventGroup[];
  /** The kernel dropped events (socket overrun): anything may have changed. */
  overrun: boolean;
}

export function watch(onChange: (change: NetChange) => void, opts: { netns?: string; quietMs?: number; groups?: EventGroup[] } = {}): Subscription {
  const kinds = new Set<EventGroup>();
  let overrun = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = () => {
    timer = undefined;
    if (closed) return;
    const change: NetChange = { kinds: [...kinds].sort(), overrun };
    kinds.clear();
    overrun = false;
    onChange(change);
  };
  const sub = subscribe(opts.groups ?? ['link', 'addr', 'route'], (events) => {
    for (const e of events) {
      if (e.event === 'overrun' || e.event === 'error') overrun = true;
      else kinds.add(e.event);
    }
    timer ??= setTimeout(flush, opts.quietMs ?? 100);
  }, opts.netns);
  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      sub.close();
    },
    unref() {
      sub.unref();
      return this;
    },
    ref() {
      sub.ref();
      return this;
    },
  };
}
