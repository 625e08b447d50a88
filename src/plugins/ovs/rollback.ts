// Checkpoint and rollback: the checkpoint is every object the plan touches, as it was; rollback is
// the inverse plan computed against the host as it is now (so it is idempotent and also right after
// a partial or refused apply), run as one transaction like any apply.
import type { Action } from '../../plugin/contract';
import { jsonEqual } from '../../util/canonical';
import { portResource, withoutPorts } from './diff';
import { parseResource } from './apply';
import type { OvsBridge, OvsPort, OvsState } from './model';

export interface OvsCheckpoint {
  /** resource -> the object before the plan (null: it did not exist). */
  touched: { resource: string; path: string; before: OvsBridge | OvsPort | OvsState['open_vswitch'] | null }[];
}

export function checkpointOf(actions: Action[]): OvsCheckpoint {
  return { touched: actions.map((a) => ({ resource: a.resource, path: a.path, before: (a.before as OvsCheckpoint['touched'][number]['before']) ?? null })) };
}

function inverse(path: string, resource: string, now: unknown, then: unknown): Action | undefined {
  const act = (op: Action['op']): Action => ({ plugin: 'ovs', op, path, resource, ...(now === undefined ? {} : { before: now }), ...(then === undefined ? {} : { after: then }) });
  if (then === undefined) return now === undefined ? undefined : act('delete');
  if (now === undefined) return act('create');
  return jsonEqual(now, then) ? undefined : act('modify');
}

/** The actions that bring `now` back to the checkpoint, in the order planTransaction needs. */
export function rollbackActions(cp: OvsCheckpoint, now: OvsState): Action[] {
  const bridges = new Map((now.bridges ?? []).map((b) => [b.name, b]));
  const out: Action[] = [];
  for (const t of [...cp.touched].reverse()) {
    const target = parseResource(t.resource);
    const then = t.before ?? undefined;
    if (target.kind === 'root') {
      const a = inverse(t.path, t.resource, now.open_vswitch ?? {}, then);
      if (a) out.push(a);
    } else if (target.kind === 'bridge') {
      const cur = bridges.get(target.bridge);
      const a = inverse(t.path, t.resource, cur && withoutPorts(cur), then && withoutPorts(then as OvsBridge));
      if (a) out.push(a);
      // A deleted bridge comes back with every port it had.
      if (a?.op === 'create') for (const p of (then as OvsBridge).ports ?? []) out.push({ plugin: 'ovs', op: 'create', path: t.path, resource: portResource(target.bridge, p.name), after: p });
    } else {
      const cur = bridges.get(target.bridge)?.ports?.find((p) => p.name === target.port);
      const a = inverse(t.path, t.resource, cur, then);
      if (a) out.push(a);
    }
  }
  // Bridges are created before their ports and deleted after them; the transaction is atomic anyway.
  const rank = (a: Action) => (a.resource.includes('/port:') ? 1 : 0) * (a.op === 'delete' ? -1 : 1);
  return out.sort((x, y) => rank(x) - rank(y) || x.resource.localeCompare(y.resource));
}
