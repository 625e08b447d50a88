// Reading Open vSwitch: one consistent snapshot by a single `select` transaction (query, apply), or
// the monitor-fed cache (verify, the daemon's drift watch). Both give the same OvsTables.
import type { DatabaseCache } from '../../ovsdb/cache';
import type { OvsdbClient } from '../../ovsdb/client';
import type { Row } from '../../ovsdb/operations';
import type { RowIds } from './apply';
import type { OvsTables } from './model';

export const DB = 'Open_vSwitch';

export const MONITORED: Record<string, { columns: string[] }> = {
  // next_cfg/cur_cfg: ovs-vswitchd sets cur_cfg to next_cfg once it has applied a change (verify waits on it).
  Open_vSwitch: { columns: ['bridges', 'other_config', 'external_ids', 'next_cfg', 'cur_cfg'] },
  Bridge: { columns: ['name', 'ports', 'datapath_type', 'fail_mode', 'stp_enable', 'rstp_enable', 'protocols', 'other_config', 'external_ids'] },
  Port: { columns: ['name', 'interfaces', 'tag', 'trunks', 'vlan_mode', 'external_ids'] },
  Interface: { columns: ['name', 'type', 'options', 'ofport', 'error'] },
};

const byUuid = (rows: Row[]) => new Map(rows.map((r) => [(r._uuid as ['uuid', string])[1], r]));

export async function selectTables(client: OvsdbClient, timeoutMs: number, signal?: AbortSignal): Promise<OvsTables> {
  const tables = Object.keys(MONITORED);
  const results = await client.transact(
    DB,
    tables.map((table) => ({ op: 'select' as const, table, where: [], columns: ['_uuid', ...MONITORED[table].columns] })),
    { timeoutMs, signal },
  );
  const [root, bridges, ports, interfaces] = results.map((r) => r.rows ?? []);
  return { root: root[0], bridges: byUuid(bridges), ports: byUuid(ports), interfaces: byUuid(interfaces) };
}

export function cacheTables(cache: DatabaseCache): OvsTables {
  return {
    root: cache.table('Open_vSwitch').values().next().value,
    bridges: cache.table('Bridge'),
    ports: cache.table('Port'),
    interfaces: cache.table('Interface'),
  };
}

/** Name -> UUID maps for building a transaction. */
export function rowIds(t: OvsTables): RowIds {
  const index = (m: Map<string, Row>) => new Map([...m].map(([id, r]) => [String(r.name), id]));
  return { bridges: index(t.bridges), ports: index(t.ports), interfaces: index(t.interfaces) };
}
