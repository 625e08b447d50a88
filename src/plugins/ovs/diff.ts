// Pure diff of the ovs section: desired objects are merged onto the current ones (fields and map keys
// not named are kept, null clears) and every object whose merged form differs becomes one action:
// bridge, port (with its interfaces), or the Open_vSwitch row.
import type { Action } from '../../plugin/contract';
import { jsonEqual } from '../../util/canonical';
import { pointer } from '../../util/pointer';
import { sortKeys, type OvsBridge, type OvsInterface, type OvsPort, type OvsRoot, type OvsState, type StringMap } from './model';

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Drops undefined fields so merged objects compare equal to queried ones. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function mergeMap(cur: StringMap | undefined, want: StringMap | undefined): Record<string, string> | undefined {
  const out = { ...(cur ?? {}) } as Record<string, string>; // current state never holds nulls
  for (const [k, v] of Object.entries(want ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return Object.keys(out).length ? sortKeys(out) : undefined;
}

function mergeValue<T>(cur: T | null | undefined, want: T | null | undefined): T | undefined {
  if (want === undefined) return cur ?? undefined;
  return want === null ? undefined : want;
}

export function mergeBridge(cur: OvsBridge | undefined, want: OvsBridge): OvsBridge {
  const protocols = mergeValue(cur?.protocols, want.protocols);
  return clean({
    name: want.name,
    datapath_type: mergeValue(cur?.datapath_type, want.datapath_type) || undefined,
    fail_mode: mergeValue(cur?.fail_mode, want.fail_mode),
    stp_enable: mergeValue(cur?.stp_enable, want.stp_enable) || undefined,
    rstp_enable: mergeValue(cur?.rstp_enable, want.rstp_enable) || undefined,
    protocols: protocols?.length ? [...protocols].sort() : undefined,
    other_config: mergeMap(cur?.other_config, want.other_config),
    external_ids: mergeMap(cur?.external_ids, want.external_ids),
  });
}

function mergeInterface(cur: OvsInterface | undefined, want: OvsInterface): OvsInterface {
  return clean({ name: want.name, type: want.type ?? cur?.type ?? 'system', options: mergeMap(cur?.options, want.options) });
}

export function mergePort(cur: OvsPort | undefined, want: OvsPort): OvsPort {
  const trunks = mergeValue(cur?.trunks, want.trunks);
  const curIfaces = new Map((cur?.interfaces ?? []).map((i) => [i.name, i]));
  const interfaces = want.interfaces
    ? want.interfaces.map((i) => mergeInterface(curIfaces.get(i.name), i)).sort(byName)
    : cur?.interfaces ?? [{ name: want.name, type: 'system' as const }];
  return clean({
    name: want.name,
    tag: mergeValue(cur?.tag, want.tag),
    trunks: trunks?.length ? [...trunks].sort((a, b) => a - b) : undefined,
    vlan_mode: mergeValue(cur?.vlan_mode, want.vlan_mode),
    external_ids: mergeMap(cur?.external_ids, want.external_ids),
    interfaces,
  });
}

export const withoutPorts = (b: OvsBridge): OvsBridge => {
  const { ports: _ports, state: _state, ...attrs } = b;
  return attrs;
};

export const bridgeResource = (bridge: string) => `ovs:bridge:${bridge}`;
export const portResource = (bridge: string, port: string) => `ovs:bridge:${bridge}/port:${port}`;
export const ROOT_RESOURCE = 'ovs:open_vswitch';

function action(op: Action['op'], path: string, resource: string, before: unknown, after: unknown): Action {
  return { plugin: 'ovs', op, path, resource, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) };
}

function diffPorts(bi: number, bridge: string, cur: OvsBridge | undefined, want: OvsPort[], out: Action[]): void {
  const curPorts = new Map((cur?.ports ?? []).map((p) => [p.name, p]));
  want.forEach((wp, pi) => {
    // The path is made only for a port that changes: a verify of 1,000 matching ports makes none.
    const path = () => pointer(['plugins', 'ovs', 'bridges', bi, 'ports', pi]);
    const cp = curPorts.get(wp.name);
    if (wp.state === 'absent') {
      if (cp) out.push(action('delete', path(), portResource(bridge, wp.name), cp, undefined));
      return;
    }
    const merged = mergePort(cp, wp);
    if (!cp) out.push(action('create', path(), portResource(bridge, wp.name), undefined, merged));
    else if (!jsonEqual(cp, merged)) out.push(action('modify', path(), portResource(bridge, wp.name), cp, merged));
  });
}

export function diffOvs(current: OvsState, desired: OvsState): Action[] {
  const actions: Action[] = [];
  const curBridges = new Map((current.bridges ?? []).map((b) => [b.name, b]));
  (desired.bridges ?? []).forEach((wb, bi) => {
    const path = pointer(['plugins', 'ovs', 'bridges', bi]);
    const cb = curBridges.get(wb.name);
    if (wb.state === 'absent') {
      if (cb) actions.push(action('delete', path, bridgeResource(wb.name), cb, undefined));
      return;
    }
    const merged = mergeBridge(cb, wb);
    if (!cb) actions.push(action('create', path, bridgeResource(wb.name), undefined, merged));
    else if (!jsonEqual(withoutPorts(cb), merged)) actions.push(action('modify', path, bridgeResource(wb.name), withoutPorts(cb), merged));
    diffPorts(bi, wb.name, cb, wb.ports ?? [], actions);
  });
  if (desired.open_vswitch) {
    const cur: OvsRoot = current.open_vswitch ?? {};
    const want = clean({
      other_config: mergeMap(cur.other_config, desired.open_vswitch.other_config),
      external_ids: mergeMap(cur.external_ids, desired.open_vswitch.external_ids),
    });
    if (!jsonEqual(clean(cur), want)) actions.push(action('modify', pointer(['plugins', 'ovs', 'open_vswitch']), ROOT_RESOURCE, cur, want));
  }
  return actions;
}
