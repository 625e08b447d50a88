// The OVSDB client against a real ovsdb-server (no ovs-vswitchd needed): methods, monitor cache fed
// by update2, locks, cancel, timeouts, and surviving a server restart mid-session.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { OvsdbClient } from '../../src/ovsdb/client';
import { mapToRecord } from '../../src/ovsdb/datum';
import type { OpdbusError } from '../../src/errors';
import { startOvs, type TestOvs } from '../harness/ovs';

let ovs: TestOvs;
const clients: OvsdbClient[] = [];
before(() => {
  ovs = startOvs({ vswitchd: false });
});
after(() => {
  for (const c of clients) c.close();
  ovs.stop();
});

async function connect(opts = {}): Promise<OvsdbClient> {
  const c = await OvsdbClient.connect(ovs.endpoint, { backoffInitialMs: 20, backoffMaxMs: 200, ...opts });
  clients.push(c);
  return c;
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(cond(), `never happened: ${what}`);
}

/** Awaits an event promise while keeping the event loop alive (the client's own handles are unref'd). */
async function eventually<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`never happened: ${what}`)), 10_000)));
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

const names = (cacheRows: Iterable<Record<string, unknown>>) => [...cacheRows].map((r) => String(r.name)).sort();

test('list_dbs, get_schema, echo, and a transact that inserts and selects', async () => {
  const c = await connect();
  assert.deepEqual((await c.listDbs()).sort(), ['Open_vSwitch', '_Server']);
  const schema = await c.getSchema('Open_vSwitch');
  assert.equal(schema.name, 'Open_vSwitch');
  assert.equal(schema.tables.Port.columns.tag.type.key.maxInteger, 4095);
  await c.echo();
  const [ins, mut, sel] = await c.transact('Open_vSwitch', [
    { op: 'insert', table: 'Bridge', row: { name: 'opdt-c1', external_ids: ['map', [['k', 'v']]] }, 'uuid-name': 'b' },
    { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'insert', ['set', [['named-uuid', 'b']]]]] },
    { op: 'select', table: 'Bridge', where: [['name', '==', 'opdt-c1']], columns: ['external_ids'] },
  ]);
  assert.equal(ins.uuid?.[0], 'uuid');
  assert.equal(mut.count, 1);
  assert.deepEqual(mapToRecord(sel.rows?.[0].external_ids), { k: 'v' });
});

test('operations are checked against the schema before they are sent', async () => {
  const c = await connect();
  await assert.rejects(c.transact('Open_vSwitch', [{ op: 'insert', table: 'Port', row: { name: 'x', tag: 5000 } }]), {
    kind: 'InvalidInput',
    message: 'operation 0 (insert Port): Port.tag: expected an integer in 0..4095, found 5000',
  });
  await assert.rejects(c.transact('Open_vSwitch', [{ op: 'update', table: 'Brdige', where: [], row: {} }]), { message: 'operation 0 (update Brdige): unknown table "Brdige" in database Open_vSwitch' });
  await assert.rejects(c.transact('Open_vSwitch', [{ op: 'insert', table: 'Interface', row: { name: 'x', tyep: 'internal' } }]), { message: 'operation 0 (insert Interface): table Interface has no column "tyep"' });
  await assert.rejects(c.transact('Open_vSwitch', [{ op: 'mutate', table: 'Bridge', where: [], mutations: [['name', 'insert', 'x']] }]), /column Bridge.name is immutable/);
  await assert.rejects(c.transact('Open_vSwitch', [{ op: 'insert', table: 'Bridge', row: { name: 'x', fail_mode: 'loose' } }]), /Bridge.fail_mode: expected one of "secure", "standalone", found "loose"/);
});

test('a server-side error names the operation and maps to a kind; a failed wait is a Conflict', async () => {
  const c = await connect();
  await assert.rejects(c.transact('Open_vSwitch', [
    { op: 'comment', comment: 'x' },
    { op: 'wait', table: 'Bridge', where: [['name', '==', 'opdt-c1']], columns: ['name'], until: '==', rows: [], timeout: 0 },
  ]), (err: OpdbusError) => {
    assert.equal(err.kind, 'Conflict');
    assert.equal(err.message, 'transact Open_vSwitch (operation 1, wait Bridge): timed out: "where" clause test failed');
    return true;
  });
  // A Port referenced by nothing, in a table that is not a root: removed at commit, so
  // ovsdb-server reports nothing; a Bridge reference to a missing row is a referential error.
  await assert.rejects(
    c.transact('Open_vSwitch', [{ op: 'insert', table: 'Bridge', row: { name: 'opdt-c2', ports: ['set', [['uuid', '00000000-0000-0000-0000-000000000001']]] } }]),
    (err: OpdbusError) => err.kind === 'Conflict' && err.code === 'OVSDB_REFERENTIAL_INTEGRITY',
  );
  await assert.rejects(c.getSchema('NoSuchDb'), (err: OpdbusError) => err.kind === 'NotFound' && err.code === 'OVSDB_UNKNOWN_DATABASE');
});

test('a blocking wait is cancelled when the caller gives up, and every call has a timeout', async () => {
  const c = await connect();
  const wait = { op: 'wait' as const, table: 'Bridge', where: [['name', '==', 'opdt-never']] as [string, '==', string][], columns: ['name'], until: '!=' as const, rows: [], timeout: 60_000 };
  const ac = new AbortController();
  const pending = c.transact('Open_vSwitch', [wait], { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(pending, (err: OpdbusError) => err.kind === 'Timeout' && err.code === 'OVSDB_CANCELED');
  await assert.rejects(c.transact('Open_vSwitch', [wait], { timeoutMs: 100 }), (err: OpdbusError) => err.kind === 'Timeout' && /no reply in 100 ms/.test(err.message));
  await c.echo(); // the connection is still usable
});

test('monitor_cond keeps a cache current through update2 (insert, modify as diff, delete)', async () => {
  const c = await connect();
  const cache = await c.monitor('Open_vSwitch', 'm', { Bridge: { columns: ['name', 'external_ids', 'protocols', 'fail_mode'] } });
  // The same columns through a plain RFC 7047 monitor (update notifications with whole rows).
  const plain = await c.monitor('Open_vSwitch', 'plain', { Bridge: { columns: ['name', 'external_ids', 'protocols', 'fail_mode'] } }, { cond: false });
  assert.ok(names(cache.table('Bridge').values()).includes('opdt-c1'));
  ovs.vsctl('--no-wait', 'add-br', 'opdt-m', '--', 'set', 'Bridge', 'opdt-m', 'external_ids:a=1', 'external_ids:b=2', 'protocols=OpenFlow10,OpenFlow13', 'fail_mode=secure');
  const row = () => [...cache.table('Bridge').values()].find((r) => r.name === 'opdt-m');
  await until('opdt-m in the cache', () => row() !== undefined);
  ovs.vsctl('--no-wait', 'set', 'Bridge', 'opdt-m', 'external_ids:a=9', 'protocols=OpenFlow13,OpenFlow14', '--', 'remove', 'Bridge', 'opdt-m', 'external_ids', 'b', '--', 'clear', 'Bridge', 'opdt-m', 'fail_mode');
  await until('the modification in the cache', () => mapToRecord(row()?.external_ids).a === '9');
  assert.deepEqual(mapToRecord(row()?.external_ids), { a: '9' });
  assert.deepEqual(row()?.protocols, ['set', ['OpenFlow13', 'OpenFlow14']]);
  assert.deepEqual(row()?.fail_mode, ['set', []]);
  const plainRow = [...plain.table('Bridge').values()].find((r) => r.name === 'opdt-m');
  assert.deepEqual({ ...plainRow, protocols: ['set', [...(plainRow?.protocols as ['set', string[]])[1]].sort()] }, row());
  ovs.vsctl('--no-wait', 'del-br', 'opdt-m');
  await until('opdt-m gone from the cache', () => row() === undefined);
  await until('opdt-m gone from the plain monitor', () => ![...plain.table('Bridge').values()].some((r) => r.name === 'opdt-m'));
  await c.monitorCancel('plain');
});

test('locks: granted, contended (locked notification after unlock), stolen', async () => {
  const a = await connect();
  const b = await connect();
  assert.equal(await a.lock('opdbus_test'), true);
  const lockedB = new Promise((r) => b.once('locked', r));
  assert.equal(await b.lock('opdbus_test'), false);
  await a.unlock('opdbus_test');
  assert.equal(await eventually('locked', lockedB), 'opdbus_test');
  const stolenB = new Promise((r) => b.once('stolen', r));
  assert.equal(await a.steal('opdbus_test'), true);
  assert.equal(await eventually('stolen', stolenB), 'opdbus_test');
  await assert.rejects(a.lock('opdbus-test'), { kind: 'InvalidInput', message: 'lock name "opdbus-test": expected letters, digits and _ (not starting with a digit)' });
});

test('the client survives ovsdb-server being restarted mid-session and re-establishes its monitor', async () => {
  const c = await connect();
  const cache = await c.monitor('Open_vSwitch', 'r', { Bridge: { columns: ['name'] } });
  const disconnected = new Promise((r) => c.once('disconnected', r));
  const reconnected = new Promise((r) => c.once('connected', r));
  ovs.restartDb();
  await eventually('disconnected', disconnected);
  // A call made while the server is away waits for the new connection instead of failing.
  const during = c.listDbs({ timeoutMs: 10_000 });
  await eventually('connected', reconnected);
  assert.deepEqual((await during).sort(), ['Open_vSwitch', '_Server']);
  ovs.vsctl('--no-wait', 'add-br', 'opdt-after');
  await until('a bridge added after the restart in the re-established cache', () => names(cache.table('Bridge').values()).includes('opdt-after'));
  await c.transact('Open_vSwitch', [{ op: 'select', table: 'Bridge', where: [], columns: ['name'] }]);
});

test('reconnect backs off exponentially up to its limit, and starts again from the first delay', async () => {
  const c = await connect({ backoffInitialMs: 10, backoffMaxMs: 80 });
  const delays: number[] = [];
  c.session.on('retrying', (ms: number) => delays.push(ms));
  const disconnected = new Promise((r) => c.once('disconnected', r));
  ovs.stopDb();
  try {
    await eventually('disconnected', disconnected);
    await until('six attempts', () => delays.length >= 6);
  } finally {
    ovs.startDb();
  }
  assert.deepEqual(delays.slice(0, 6), [10, 20, 40, 80, 80, 80]);
  await eventually('connected', new Promise((r) => c.once('connected', r)));
  delays.length = 0;
  ovs.restartDb();
  await until('a first retry after the second loss', () => delays.length >= 1);
  assert.equal(delays[0], 10);
  await c.echo();
});

test('an idle connection is probed with echo and dropped when the server stops answering', async () => {
  const c = await connect({ echoIntervalMs: 100 });
  const pid = Number(fs.readFileSync(path.join(ovs.dir, 'ovsdb.pid'), 'utf8'));
  const disconnected = new Promise<Error>((r) => c.once('disconnected', r));
  const reconnected = new Promise((r) => c.once('connected', r));
  process.kill(pid, 'SIGSTOP');
  try {
    const err = await eventually('disconnected after an unanswered echo', disconnected);
    assert.equal((err as OpdbusError).code, 'OVSDB_ECHO');
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await eventually('reconnected', reconnected);
  await c.echo();
});

test('an endpoint with nothing listening fails plainly, and a bad endpoint is an input error', async () => {
  await assert.rejects(OvsdbClient.connect(`unix:${ovs.dir}/absent.sock`), (err: OpdbusError) => err.kind === 'Unavailable' && err.code === 'ENOENT');
  await assert.rejects(OvsdbClient.connect('tcp:127.0.0.1:1'), (err: OpdbusError) => err.kind === 'Unavailable' && err.code === 'ECONNREFUSED');
  await assert.rejects(OvsdbClient.connect('ssl:host:6640'), { kind: 'InvalidInput', message: 'OVSDB endpoint "ssl:host:6640": expected unix:PATH or tcp:HOST:PORT' });
});
