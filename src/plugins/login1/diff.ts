// Pure matching of session policies against the sessions logind reports. Enforce items whose
// sessions must not be present become irreversible terminate actions; observe-only items become
// report-only actions (flagged `observeOnly`) that apply never carries out.
import type { Action, Mismatch } from '../../plugin/contract';
import { pointer } from '../../util/pointer';
import type { Login1State, SessionInfo, SessionPolicy, SessionSelector } from './schema';

/** A session on its way out no longer counts as present. */
function isLive(s: SessionInfo): boolean {
  return s.state !== 'closing';
}

export function matches(selector: SessionSelector, s: SessionInfo): boolean {
  if (selector.user !== undefined && (typeof selector.user === 'number' ? s.uid !== selector.user : s.user !== selector.user)) return false;
  if (selector.tty !== undefined && s.tty !== selector.tty) return false;
  if (selector.seat !== undefined && s.seat !== selector.seat) return false;
  if (selector.kind !== undefined && s.class !== selector.kind && s.type !== selector.kind) return false;
  return true;
}

function itemPath(index: number): string {
  return pointer(['plugins', 'login1', 'items', index]);
}

function label(item: SessionPolicy, index: number): string {
  return item.id ?? `items/${index}`;
}

export function diffLogin1(current: Login1State, desired: Login1State): Action[] {
  const actions: Action[] = [];
  const terminated = new Set<string>();
  const sessions = (current.sessions ?? []).filter(isLive);
  (desired.items ?? []).forEach((item, index) => {
    if (item.desired.present) return;
    for (const s of sessions.filter((x) => matches(item.selector, x))) {
      const enforce = item.mode === 'enforce';
      if (enforce && terminated.has(s.id)) continue;
      if (enforce) terminated.add(s.id);
      const action: Action = { plugin: 'login1', op: 'delete', path: itemPath(index), resource: `login1:session:${s.id}`, before: s };
      if (enforce) action.irreversible = true;
      else action.observeOnly = true;
      actions.push(action);
    }
  });
  return actions;
}

/**
 * Every item the host violates: a session that must not be present is, or none that must be is not.
 * Observe-only violations carry `observeOnly: true` so a transaction's verify can tell them from failures.
 */
export function verifyLogin1(current: Login1State, desired: Login1State): Mismatch[] {
  const sessions = (current.sessions ?? []).filter(isLive);
  const out: (Mismatch & { observeOnly?: true })[] = [];
  (desired.items ?? []).forEach((item, index) => {
    const found = sessions.filter((s) => matches(item.selector, s)).map((s) => s.id);
    if ((found.length > 0) === item.desired.present) return;
    const m: Mismatch & { observeOnly?: true } = { path: `${itemPath(index)}/desired/present`, expected: item.desired.present, found: found.length ? `sessions ${found.join(', ')} (${label(item, index)})` : false };
    if (item.mode === 'observe-only') m.observeOnly = true;
    out.push(m);
  });
  return out;
}
