// Turns a plan into ONE OVSDB transaction: first a `wait` guard for every row the plan was computed
// from (unchanged since it was read, or still absent), then the inserts, updates and mutations. If
// anything else changed those rows in between, the server refuses the whole transaction.
import { OpdbusError } from '../../errors';
import { namedUuid, toSet, uuid } from '../../ovsdb/datum';
import type { Condition, Mutation, Operation, Row } from '../../ovsdb/operations';
import type { Action } from '../../plugin/contract';
import { jsonEqual } from '../../util/canonical';
import {
  BRIDGE_COLUMNS, INTERFACE_COLUMNS, PORT_COLUMNS, ROOT_COLUMNS,
  bridgeColumns, interfaceColumns, portColumns, rootColumns,
  type OvsBridge, type OvsInterface, type OvsPort, type OvsRoot,
} from './model';

/** UUIDs by name, read just before the transaction is built. */
export interface RowIds {
  bridges: Map<string, string>;
  ports: Map<string, string>;
  interfaces: Map<string, string>;
}

export interface PlanOptions {
  /** datapath_type for new bridges whose document names none (config plugins.ovs.datapath_type). */
  defaultDatapathType?: string;
}

/** An OVSDB transaction plus, for each operation, what it does in words (for error messages). */
export interface PlannedTransaction {
  ops: Operation[];
  labels: string[];
}

type Target = { kind: 'bridge'; bridge: string } | { kind: 'port'; bridge: string; port: string } | { kind: 'root' };

export function parseResource(resource: string): Target {
  if (resource === 'ovs:open_vswitch') return { kind: 'root' };
  const m = /^ovs:bridge:([^/]+)(?:\/port:(.+))?$/.exec(resource);
  if (!m) throw new OpdbusError('Bug', 'OVS_RESOURCE', `not an ovs resource: ${resource}`, { plugin: 'ovs' });
  return m[2] === undefined ? { kind: 'bridge', bridge: m[1] } : { kind: 'port', bridge: m[1], port: m[2] };
}

const byName = (name: string): Condition[] => [['name', '==', name]];

class Builder {
  readonly guards: Operation[] = [];
  readonly guardLabels: string[] = [];
  readonly changes: Operation[] = [];
  readonly changeLabels: string[] = [];
  /** New ports per bridge, attached by one mutate per bridge at the end (1,000 mutates cost the server far more). */
  readonly attach = new Map<string, { refs: ['named-uuid', string][]; names: string[] }>();
  private counter = 0;

  constructor(private readonly ids: RowIds) {}

  name(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  change(op: Operation, label: string): void {
    this.changes.push(op);
    this.changeLabels.push(label);
  }

  absent(table: string, name: string, label: string): void {
    this.guards.push({ op: 'wait', table, where: byName(name), columns: ['name'], until: '==', rows: [], timeout: 0 });
    this.guardLabels.push(label);
  }

  unchanged(table: string, where: Condition[], columns: string[], row: Row, label: string): void {
    this.guards.push({ op: 'wait', table, where, columns, until: '==', rows: [row], timeout: 0 });
    this.guardLabels.push(label);
  }

  uuidOf(kind: keyof RowIds, name: string): ['uuid', string] {
    const id = this.ids[kind].get(name);
    if (!id) throw new OpdbusError('Conflict', 'OVS_VANISHED', `ovs: ${kind.slice(0, -1)} ${name} was removed by someone else since it was read; nothing was applied`, { plugin: 'ovs' });
    return uuid(id);
  }
}

/** Only the columns whose value differs: an update never rewrites what it does not change. */
function changed(before: Row, after: Row): Row {
  return Object.fromEntries(Object.entries(after).filter(([k, v]) => !jsonEqual(before[k], v)));
}

function insertInterface(b: Builder, port: string, i: OvsInterface): ['named-uuid', string] {
  const ref = b.name('iface');
  b.absent('Interface', i.name, `interface ${i.name} already exists (created by someone else, or on another port)`);
  b.change({ op: 'insert', table: 'Interface', row: { name: i.name, ...interfaceColumns(i) }, 'uuid-name': ref }, `create interface ${i.name} of port ${port}`);
  return namedUuid(ref);
}

function createPort(b: Builder, bridge: string, p: OvsPort): void {
  b.absent('Port', p.name, `port ${p.name} already exists (created by someone else, or on another bridge)`);
  const ifaces = (p.interfaces ?? [{ name: p.name }]).map((i) => insertInterface(b, p.name, i));
  const ref = b.name('port');
  b.change({ op: 'insert', table: 'Port', row: { name: p.name, ...portColumns(p), interfaces: toSet(ifaces) }, 'uuid-name': ref }, `create port ${p.name}`);
  const pending = b.attach.get(bridge) ?? { refs: [], names: [] };
  pending.refs.push(namedUuid(ref));
  pending.names.push(p.name);
  b.attach.set(bridge, pending);
}

function guardPort(b: Builder, p: OvsPort): void {
  b.unchanged('Port', byName(p.name), PORT_COLUMNS, portColumns(p), `port ${p.name} was changed by someone else since it was read`);
  for (const i of p.interfaces ?? []) {
    b.unchanged('Interface', byName(i.name), INTERFACE_COLUMNS, interfaceColumns(i), `interface ${i.name} was changed by someone else since it was read`);
  }
}

function modifyPort(b: Builder, before: OvsPort, after: OvsPort): void {
  guardPort(b, before);
  const cols = changed(portColumns(before), portColumns(after));
  if (Object.keys(cols).length) b.change({ op: 'update', table: 'Port', where: byName(after.name), row: cols }, `update port ${after.name}`);
  const old = new Map((before.interfaces ?? []).map((i) => [i.name, i]));
  const added: ['named-uuid', string][] = [];
  for (const i of after.interfaces ?? []) {
    const prev = old.get(i.name);
    old.delete(i.name);
    if (!prev) added.push(insertInterface(b, after.name, i));
    else {
      const icols = changed(interfaceColumns(prev), interfaceColumns(i));
      if (Object.keys(icols).length) b.change({ op: 'update', table: 'Interface', where: byName(i.name), row: icols }, `update interface ${i.name}`);
    }
  }
  const mutations: Mutation[] = [];
  if (added.length) mutations.push(['interfaces', 'insert', toSet(added)]);
  if (old.size) mutations.push(['interfaces', 'delete', toSet([...old.keys()].map((n) => b.uuidOf('interfaces', n)))]);
  if (mutations.length) b.change({ op: 'mutate', table: 'Port', where: byName(after.name), mutations }, `change the interfaces of port ${after.name}`);
}

function bridgeAction(b: Builder, a: Action, bridge: string, opts: PlanOptions, createsLocalPort: boolean): void {
  const label = `bridge ${bridge} was changed by someone else since it was read`;
  if (a.op === 'create') {
    const after = a.after as OvsBridge;
    const ref = b.name('bridge');
    const row = bridgeColumns({ ...after, datapath_type: after.datapath_type ?? opts.defaultDatapathType });
    b.absent('Bridge', bridge, `bridge ${bridge} was created by someone else since it was read`);
    b.change({ op: 'insert', table: 'Bridge', row: { name: bridge, ...row }, 'uuid-name': ref }, `create bridge ${bridge}`);
    b.change({ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'insert', toSet([namedUuid(ref)])]] }, `add bridge ${bridge} to Open_vSwitch`);
    // Like ovs-vsctl add-br: a bridge gets its local internal port unless the document lists one.
    if (!createsLocalPort) createPort(b, bridge, { name: bridge, interfaces: [{ name: bridge, type: 'internal' }] });
    return;
  }
  const before = a.before as OvsBridge;
  b.unchanged('Bridge', byName(bridge), BRIDGE_COLUMNS, bridgeColumns(before), label);
  if (a.op === 'delete') {
    b.change({ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'delete', toSet([b.uuidOf('bridges', bridge)])]] }, `remove bridge ${bridge} from Open_vSwitch`);
    b.change({ op: 'delete', table: 'Bridge', where: byName(bridge) }, `delete bridge ${bridge}`);
    return;
  }
  const cols = changed(bridgeColumns(before), bridgeColumns(a.after as OvsBridge));
  if (Object.keys(cols).length) b.change({ op: 'update', table: 'Bridge', where: byName(bridge), row: cols }, `update bridge ${bridge}`);
}

function portAction(b: Builder, a: Action, bridge: string): void {
  if (a.op === 'create') return createPort(b, bridge, a.after as OvsPort);
  if (a.op === 'modify') return modifyPort(b, a.before as OvsPort, a.after as OvsPort);
  const before = a.before as OvsPort;
  guardPort(b, before);
  b.change({ op: 'mutate', table: 'Bridge', where: byName(bridge), mutations: [['ports', 'delete', toSet([b.uuidOf('ports', before.name)])]] }, `detach port ${before.name} from bridge ${bridge}`);
}

function rootAction(b: Builder, a: Action): void {
  const before = rootColumns(a.before as OvsRoot);
  b.unchanged('Open_vSwitch', [], ROOT_COLUMNS, before, 'the Open_vSwitch row was changed by someone else since it was read');
  b.change({ op: 'update', table: 'Open_vSwitch', where: [], row: changed(before, rootColumns(a.after as OvsRoot)) }, 'update the Open_vSwitch row');
}

export function planTransaction(actions: Action[], ids: RowIds, opts: PlanOptions = {}): PlannedTransaction {
  const b = new Builder(ids);
  const localPorts = new Set(actions.filter((a) => a.op === 'create').map((a) => a.resource));
  for (const a of actions) {
    const t = parseResource(a.resource);
    if (t.kind === 'bridge') bridgeAction(b, a, t.bridge, opts, localPorts.has(`ovs:bridge:${t.bridge}/port:${t.bridge}`));
    else if (t.kind === 'port') portAction(b, a, t.bridge);
    else rootAction(b, a);
  }
  for (const [bridge, { refs, names }] of b.attach) {
    b.change({ op: 'mutate', table: 'Bridge', where: byName(bridge), mutations: [['ports', 'insert', toSet(refs)]] }, `attach port${names.length > 1 ? 's' : ''} ${names.join(', ')} to bridge ${bridge}`);
  }
  return { ops: [...b.guards, ...b.changes], labels: [...b.guardLabels, ...b.changeLabels] };
}
