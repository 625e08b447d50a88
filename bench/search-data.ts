// Synthetic history for the search benchmark: the fixture host's baseline driven by a seeded random
// walk of incidents and changes, generated lazily so 100,000 states never sit in memory at once.
import type { HistoryEntry, HistoryEntryInfo, HistorySource } from '../src/search/source';
import { hostHistory, TIMELINE, type HostState } from '../test/fixtures/search/host';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.parse('2024-01-01T00:00:00Z');
/** Fixture steps that add objects (replaying them would grow the state without bound). */
const GROWING = new Set([1, 7, 16, 21, 31, 53]);
const REPLAYABLE = TIMELINE.filter((_, i) => !GROWING.has(i + 1));

/** One random transaction: a replayed fixture step, a unit flapping, a link flapping, a sysctl value, a port. */
function step(s: HostState, rnd: () => number, n: number): void {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const r = rnd();
  if (r < 0.3) {
    pick(REPLAYABLE)(s);
  } else if (r < 0.55) {
    const unit = s.systemd.units[pick(Object.keys(s.systemd.units))];
    Object.assign(unit, unit.active_state === 'active' ? { active_state: pick(['failed', 'inactive']), sub_state: 'dead' } : { active_state: 'active', sub_state: 'running' });
  } else if (r < 0.7) {
    const link = pick(s.net.interfaces);
    link.state = link.state === 'up' ? 'down' : 'up';
  } else if (r < 0.85) {
    s.sysctl[pick(Object.keys(s.sysctl))] = String(Math.floor(rnd() * 100000));
  } else {
    const br = s.ovs.bridges.find((b) => b.name === 'br-int');
    if (!br) return;
    if (br.ports.length > 12) br.ports.splice(1, 1);
    else br.ports.push({ name: `tap-vm${n}`, tag: 10 + (n % 5) });
  }
}

/** A HistorySource of `count` states; loads are served from a window of recent states. */
export function syntheticHistory(count: number, seed = 42): HistorySource {
  const rnd = mulberry32(seed);
  const window = new Map<number, HostState>();
  let last = -1;
  let current = hostHistory()[0].state;
  const id = (n: number) => `s${n}`;
  const time = (n: number) => new Date(START + n * 600_000).toISOString();
  function stateAt(n: number): HostState {
    while (last < n) {
      last++;
      if (last > 0) {
        current = structuredClone(current);
        step(current, rnd, last);
      }
      window.set(last, current);
      window.delete(last - 2048);
    }
    const s = window.get(n);
    if (!s) throw new Error(`synthetic history: state ${n} left the window`);
    return s;
  }
  return {
    list: async (): Promise<HistoryEntryInfo[]> => Array.from({ length: count }, (_, n) => ({ id: id(n), time: time(n) })),
    load: async (key: string): Promise<HistoryEntry> => {
      const n = Number(key.slice(1));
      return { id: key, time: time(n), state: stateAt(n) as unknown as Record<string, unknown> };
    },
  };
}
