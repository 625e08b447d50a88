// The ovs document model and its mapping to OVSDB rows (Open_vSwitch, Bridge, Port, Interface):
// rows -> document (query, verify) and document -> column values (apply, wait guards).
import { mapToRecord, optional, recordToMap, setElements, toSet, uuidSet, type Atom, type Datum } from '../../ovsdb/datum';
import type { Row } from '../../ovsdb/operations';

export type StringMap = Record<string, string | null>;
export type InterfaceType = 'internal' | 'system' | 'patch' | 'vxlan' | 'geneve';

export interface OvsInterface {
  name: string;
  type?: InterfaceType;
  options?: StringMap;
}
export interface OvsPort {
  name: string;
  tag?: number | null;
  trunks?: number[];
  vlan_mode?: string | null;
  external_ids?: StringMap;
  interfaces?: OvsInterface[];
  state?: 'present' | 'absent';
}
export interface OvsBridge {
  name: string;
  datapath_type?: string | null;
  fail_mode?: string | null;
  stp_enable?: boolean;
  rstp_enable?: boolean;
  protocols?: string[];
  other_config?: StringMap;
  external_ids?: StringMap;
  state?: 'present' | 'absent';
  ports?: OvsPort[];
}
export interface OvsRoot {
  other_config?: StringMap;
  external_ids?: StringMap;
}
export interface OvsState {
  bridges?: OvsBridge[];
  open_vswitch?: OvsRoot;
}

/** Columns the plugin manages, per table: what wait guards compare and what update writes. */
export const BRIDGE_COLUMNS = ['datapath_type', 'fail_mode', 'stp_enable', 'rstp_enable', 'protocols', 'other_config', 'external_ids'];
export const PORT_COLUMNS = ['tag', 'trunks', 'vlan_mode', 'external_ids'];
export const INTERFACE_COLUMNS = ['type', 'options'];
export const ROOT_COLUMNS = ['other_config', 'external_ids'];

/** Rows of each table by UUID, from a select or from the monitor cache. */
export interface OvsTables {
  root: Row | undefined;
  bridges: Map<string, Row>;
  ports: Map<string, Row>;
  interfaces: Map<string, Row>;
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const nonEmpty = (m: Record<string, string>) => (Object.keys(m).length ? sortKeys(m) : undefined);

export function sortKeys<T>(m: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));
}

function put<T extends object>(obj: T, key: keyof T, value: unknown): void {
  if (value !== undefined) (obj as Record<string, unknown>)[key as string] = value;
}

export function interfaceFromRow(row: Row): OvsInterface {
  const i: OvsInterface = { name: String(row.name), type: ((row.type as string) || 'system') as InterfaceType };
  put(i, 'options', nonEmpty(mapToRecord(row.options)));
  return i;
}

export function portFromRow(row: Row, interfaces: Map<string, Row>): OvsPort {
  const p: OvsPort = { name: String(row.name) };
  put(p, 'tag', optional<number>(row.tag));
  const trunks = setElements(row.trunks).map(Number).sort((a, b) => a - b);
  if (trunks.length) p.trunks = trunks;
  put(p, 'vlan_mode', optional<string>(row.vlan_mode));
  put(p, 'external_ids', nonEmpty(mapToRecord(row.external_ids)));
  p.interfaces = uuidSet(row.interfaces).flatMap((u) => (interfaces.has(u) ? [interfaceFromRow(interfaces.get(u) as Row)] : [])).sort(byName);
  return p;
}

export function bridgeFromRow(row: Row, t: OvsTables): OvsBridge {
  const b: OvsBridge = { name: String(row.name) };
  if (row.datapath_type) b.datapath_type = String(row.datapath_type);
  put(b, 'fail_mode', optional<string>(row.fail_mode));
  if (row.stp_enable === true) b.stp_enable = true;
  if (row.rstp_enable === true) b.rstp_enable = true;
  const protocols = setElements(row.protocols).map(String).sort();
  if (protocols.length) b.protocols = protocols;
  put(b, 'other_config', nonEmpty(mapToRecord(row.other_config)));
  put(b, 'external_ids', nonEmpty(mapToRecord(row.external_ids)));
  b.ports = uuidSet(row.ports).flatMap((u) => (t.ports.has(u) ? [portFromRow(t.ports.get(u) as Row, t.interfaces)] : [])).sort(byName);
  return b;
}

/** The whole database as a document section (bridges sorted by name: stable output). */
export function stateFromTables(t: OvsTables, onlyBridges?: Set<string>): OvsState {
  const bridges = [...t.bridges.values()]
    .filter((r) => !onlyBridges || onlyBridges.has(String(r.name)))
    .map((r) => bridgeFromRow(r, t))
    .sort(byName);
  const state: OvsState = { bridges };
  const root: OvsRoot = {};
  put(root, 'other_config', nonEmpty(mapToRecord(t.root?.other_config)));
  put(root, 'external_ids', nonEmpty(mapToRecord(t.root?.external_ids)));
  if (Object.keys(root).length) state.open_vswitch = root;
  return state;
}

/** A string map without its null (removal) entries, as an OVSDB map. */
function mapColumn(m: StringMap | undefined): Datum {
  const r: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) if (v !== null) r[k] = v;
  return recordToMap(r);
}

const opt = (v: Atom | null | undefined): Datum => toSet(v === null || v === undefined ? [] : [v]);

/** Column values of a (complete, merged) document object: absent fields are the column defaults. */
export function bridgeColumns(b: OvsBridge): Row {
  return {
    datapath_type: b.datapath_type ?? '',
    fail_mode: opt(b.fail_mode),
    stp_enable: b.stp_enable === true,
    rstp_enable: b.rstp_enable === true,
    protocols: toSet([...(b.protocols ?? [])].sort()),
    other_config: mapColumn(b.other_config),
    external_ids: mapColumn(b.external_ids),
  };
}

export function portColumns(p: OvsPort): Row {
  return {
    tag: opt(p.tag),
    trunks: toSet([...(p.trunks ?? [])].sort((a, b) => a - b)),
    vlan_mode: opt(p.vlan_mode),
    external_ids: mapColumn(p.external_ids),
  };
}

export function interfaceColumns(i: OvsInterface): Row {
  return { type: !i.type || i.type === 'system' ? '' : i.type, options: mapColumn(i.options) };
}

export function rootColumns(r: OvsRoot): Row {
  return { other_config: mapColumn(r.other_config), external_ids: mapColumn(r.external_ids) };
}
