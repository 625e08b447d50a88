// Rendering of documents, plans and mismatches for stdout, in json, yaml or text.
import { OpdbusError } from '../errors';
import type { Action, Mismatch } from '../plugin/contract';
import type { Plan } from '../transaction/plan';
import { yaml } from '../util/yaml';

export type Format = 'json' | 'yaml' | 'text';

export function parseFormat<F extends Format>(value: string | undefined, allowed: readonly F[], fallback: F): F {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as F)) throw new OpdbusError('InvalidInput', 'USAGE', `--format: expected one of ${allowed.join(', ')}, found "${value}"`);
  return value as F;
}

export function render(value: unknown, format: Exclude<Format, 'text'>): string {
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n';
  const YAML = yaml();
  return YAML.stringify(value, { lineWidth: 0 });
}

const SYMBOL: Record<Action['op'], string> = { create: '+', modify: '~', delete: '-' };

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? '(none)' : s.length > 100 ? s.slice(0, 97) + '...' : s;
}

export function planAsData(plan: Plan): { order: string[]; changes: number; actions: Action[] } {
  return { order: plan.order, changes: plan.actions.length, actions: plan.actions };
}

export function renderPlanText(plan: Plan, title: string): string {
  const lines: string[] = [];
  if (plan.actions.length === 0) return `${title}: no changes; the host matches the document (plugins: ${plan.order.join(', ') || 'none'}).\n`;
  lines.push(`${title}: ${plan.actions.length} change${plan.actions.length === 1 ? '' : 's'}, applied in this order: ${plan.plugins.filter((p) => p.actions.length).map((p) => p.plugin).join(' -> ')}`);
  for (const p of plan.plugins) {
    if (!p.actions.length) continue;
    lines.push(`  ${p.plugin}:`);
    for (const a of p.actions) {
      const what = a.op === 'create' ? short(a.after) : a.op === 'delete' ? short(a.before) : `${short(a.before)} -> ${short(a.after)}`;
      lines.push(`    ${SYMBOL[a.op]} ${a.resource}  ${what}${a.irreversible ? '  (irreversible: runs last, cannot be rolled back)' : ''}${a.observeOnly ? '  (observe-only: reported, not applied)' : ''}`);
    }
  }
  const count = (op: Action['op']) => plan.actions.filter((a) => a.op === op).length;
  lines.push(`Plan: ${count('create')} to create, ${count('modify')} to modify, ${count('delete')} to delete.`);
  return lines.join('\n') + '\n';
}

export function renderMismatchesText(mismatches: Mismatch[]): string {
  if (mismatches.length === 0) return 'verify: the host matches the document.\n';
  return [`verify: ${mismatches.length} difference${mismatches.length === 1 ? '' : 's'}:`, ...mismatches.map((m) => `  ${m.path}: expected ${short(m.expected)}, found ${short(m.found)}`)].join('\n') + '\n';
}
