// Text rendering of history points and of the differences between two states, for the CLI.
import type { Action } from '../plugin/contract';
import type { HistoryPoint } from './store';

export function renderPointsText(points: HistoryPoint[], location: string, kind: string): string {
  if (points.length === 0) return `history (${kind}, ${location}): no points\n`;
  const rows = points.map((p) => [String(p.id), p.time.replace('.000Z', 'Z'), p.kind, p.plugins.join(',') || '-', p.reason, p.txid ?? '']);
  const header = ['ID', 'TIME', 'KIND', 'PLUGINS', 'REASON', 'TXID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? '(none)' : s.length > 100 ? s.slice(0, 97) + '...' : s;
}

const SYMBOL: Record<Action['op'], string> = { create: '+', modify: '~', delete: '-' };

/** `changes`: plugin -> the actions that turn the `from` state into the `to` state. */
export function renderChangesText(changes: Record<string, Action[]>, from: string, to: string): string {
  const total = Object.values(changes).reduce((n, a) => n + a.length, 0);
  if (total === 0) return `${from} -> ${to}: no differences (plugins: ${Object.keys(changes).join(', ') || 'none'})\n`;
  const lines = [`${from} -> ${to}: ${total} difference${total === 1 ? '' : 's'}`];
  for (const [plugin, actions] of Object.entries(changes)) {
    if (!actions.length) continue;
    lines.push(`  ${plugin}:`);
    for (const a of actions) {
      const what = a.op === 'create' ? short(a.after) : a.op === 'delete' ? short(a.before) : `${short(a.before)} -> ${short(a.after)}`;
      lines.push(`    ${SYMBOL[a.op]} ${a.resource}  ${what}`);
    }
  }
  return lines.join('\n') + '\n';
}
