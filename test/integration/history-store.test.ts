// The same history-store behaviour on both backends: a real loop-mounted btrfs and a plain
// directory on the host's /tmp filesystem. Backend-specific checks follow the shared ones.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeHistoryBackend, openHistory, recordTransaction, type History } from '../../src/history';
import { prune } from '../../src/history/prune';
import { DEFAULT_RULES } from '../../src/history/retention';
import type { TransactionRecord } from '../../src/transaction/record';
import { createBtrfs, referenceList, referenceReadOnly, type TestBtrfs } from '../harness/btrfs';
import { uniqueName } from '../harness/netns';

const NET_A = { interfaces: [{ name: 'eth0', mtu: 1500 }] };
const NET_B = { interfaces: [{ name: 'eth0', mtu: 9000 }] };

function sharedBehaviour(kind: 'btrfs' | 'files', stateDir: () => string) {
  let history: History;

  it(`picks the ${kind} backend and creates nothing until the first write`, async () => {
    history = await openHistory(stateDir());
    assert.equal(history.kind, kind);
    assert.equal(history.location, path.join(stateDir(), 'history'));
    assert.deepEqual(await history.list(), []);
    assert.equal(fs.existsSync(history.location), false);
    const described = await describeHistoryBackend(stateDir());
    assert.equal(
      described,
      kind === 'btrfs'
        ? `history: btrfs (read-only snapshots by ioctl) at ${history.location} (not created yet)`
        : `history: plain files (content-addressed) at ${history.location} (not created yet)`,
    );
  });

  it('keeps points and gives back exactly what was stored', async () => {
    const p1 = await history.record({ kind: 'manual', reason: 'first', time: '2026-01-01T10:00:00.000Z' }, { sysctl: { 'net.ipv4.ip_forward': '0' }, net: NET_A });
    const p2 = await history.record({ kind: 'manual', reason: 'second', time: '2026-01-02T10:00:00.000Z' }, { sysctl: { 'net.ipv4.ip_forward': '1' }, net: NET_A });
    const p3 = await history.record({ kind: 'drift', reason: 'third', time: '2026-01-03T10:00:00.000Z' }, { net: NET_B });
    assert.deepEqual([p1.id, p2.id, p3.id], [1, 2, 3]);
    assert.deepEqual(p2.plugins, ['net', 'sysctl']);
    assert.equal(p1.sections.net, p2.sections.net, 'an unchanged section hashes the same');
    assert.notEqual(p1.sections.sysctl, p2.sections.sysctl);

    const again = await openHistory(stateDir());
    assert.deepEqual((await again.list()).map((p) => [p.id, p.reason, p.kind, p.plugins.join(',')]), [
      [1, 'first', 'manual', 'net,sysctl'],
      [2, 'second', 'manual', 'net,sysctl'],
      [3, 'third', 'drift', 'net'],
    ]);
    const loaded = await again.load(2);
    assert.deepEqual(loaded.document.plugins, { sysctl: { 'net.ipv4.ip_forward': '1' }, net: NET_A });
    assert.deepEqual(loaded.document.meta, { history_point: 2, time: '2026-01-02T10:00:00.000Z', host: p2.host, reason: 'second' });
    assert.deepEqual((await again.load(3)).document.plugins, { net: NET_B }, 'a point holds only the plugins it covers');
  });

  it('filters by time, plugin and kind', async () => {
    assert.deepEqual((await history.list({ plugin: 'sysctl' })).map((p) => p.id), [1, 2]);
    assert.deepEqual((await history.list({ since: new Date('2026-01-02T00:00:00Z') })).map((p) => p.id), [2, 3]);
    assert.deepEqual((await history.list({ until: new Date('2026-01-02T10:00:00Z'), kind: 'manual' })).map((p) => p.id), [1, 2]);
    await assert.rejects(history.load(99), { kind: 'NotFound', message: `no history point 99 in ${history.location}` });
  });

  it('keeps a transaction as a pre/post pair tagged with its txid', async () => {
    const record: TransactionRecord = {
      txid: 'tx-test-1',
      operation: 'apply',
      outcome: 'committed',
      host: 'host-a',
      actor: { uid: 0, user: 'root', command: 'opdbus apply', pid: 1 },
      startedAt: '2026-01-04T10:00:00.000Z',
      finishedAt: '2026-01-04T10:00:01.000Z',
      source: { file: 'desired.yaml', sha256: 'x' },
      footprints: [],
      before: { sysctl: { 'net.ipv4.ip_forward': '1' } },
      after: { sysctl: { 'net.ipv4.ip_forward': '0' } },
    };
    const [pre, post] = await recordTransaction(record, stateDir());
    assert.deepEqual([pre.kind, post.kind, post.pre, pre.txid, post.txid, post.host], ['pre', 'post', pre.id, 'tx-test-1', 'tx-test-1', 'host-a']);
    assert.equal(pre.reason, 'apply desired.yaml (committed)');
    assert.deepEqual((await history.load(post.id)).document.plugins, record.after);
    assert.deepEqual((await history.list({ txid: 'tx-test-1' })).map((p) => p.id), [pre.id, post.id]);
    assert.deepEqual(await recordTransaction({ ...record, outcome: 'no-changes' }, stateDir()), [], 'nothing changed: nothing kept');
  });

  it('gives every concurrent writer its own id', async () => {
    const made = await Promise.all([0, 1, 2, 3, 4].map((i) => history.record({ kind: 'manual', reason: `c${i}` }, { sysctl: { k: String(i) } })));
    assert.deepEqual(made.map((p) => p.id).sort((a, b) => a - b), [6, 7, 8, 9, 10]);
    for (const p of made) assert.deepEqual((await history.load(p.id)).document.plugins, { sysctl: { k: p.reason.slice(1) } });
  });

  it('concurrent first writers create the store once and get distinct ids', async () => {
    const fresh = `${stateDir()}-fresh`;
    fs.mkdirSync(fresh);
    const store = await openHistory(fresh);
    const made = await Promise.all([0, 1, 2].map((i) => store.record({ kind: 'manual', reason: `f${i}` }, { sysctl: { k: String(i) } })));
    assert.deepEqual(made.map((p) => p.id).sort(), [1, 2, 3]);
    const listed = await store.list();
    assert.deepEqual(listed.map((p) => p.id), [1, 2, 3]);
    assert.ok(listed.every((p, i) => i === 0 || p.time >= listed[i - 1].time), 'ids and times increase together');
  });

  it('rejects a section under a name that is not a plugin name, writing nothing', async () => {
    const before = (await history.list()).length;
    await assert.rejects(history.record({ kind: 'manual', reason: 'x' }, { '../evil': {} }), {
      kind: 'InvalidInput',
      message: '/plugins/../evil: not a plugin name (expected ^[a-z][a-z0-9_-]{0,63}$)',
    });
    assert.equal((await history.list()).length, before);
  });

  it('removes points: the rest still load', async () => {
    assert.deepEqual([...(await history.remove([1, 3]))], []);
    assert.deepEqual((await history.list()).map((p) => p.id), [2, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual((await history.load(2)).document.plugins, { sysctl: { 'net.ipv4.ip_forward': '1' }, net: NET_A });
  });
}

describe('history store on btrfs', () => {
  let fsys: TestBtrfs;
  before(() => {
    fsys = createBtrfs();
    fs.mkdirSync(`${fsys.mnt}/state`);
  });
  after(() => fsys?.remove());
  sharedBehaviour('btrfs', () => `${fsys.mnt}/state`);

  it('backend: files can be forced on btrfs', async () => {
    assert.equal((await openHistory(`${fsys.mnt}/forced`, { backend: 'files' })).kind, 'files');
  });

  it('each point is a read-only snapshot the reference client lists', async () => {
    const paths = referenceList(fsys).map((s) => s.path).filter((p) => p.startsWith('state/'));
    assert.deepEqual(paths, ['state/history', 'state/history/live', ...[2, 4, 5, 6, 7, 8, 9, 10].map((id) => `state/history/points/${id}`)]);
    assert.equal(referenceReadOnly(fsys, `${fsys.mnt}/state/history/points/2`), true);
    assert.equal(referenceReadOnly(fsys, `${fsys.mnt}/state/history/live`), false);
  });

  it('a snapshot that cannot be deleted is reported and the others still go', async () => {
    const history = await openHistory(`${fsys.mnt}/state`);
    const id = (await referenceList(fsys)).find((s) => s.path === 'state/history/points/4')!.id;
    fsys.btrfs(['subvolume', 'set-default', String(id), fsys.mnt]);
    try {
      const result = await prune(history, { ...DEFAULT_RULES, keepLast: 2, hourly: 0, daily: 0, monthly: 0, yearly: 0, minFree: null });
      assert.deepEqual(result.removed, [2, 5, 6, 7, 8]);
      assert.deepEqual(result.failed.map((f) => f.id), [4]);
      assert.match(result.failed[0].error, /Operation not permitted \(EPERM\)/);
    } finally {
      fsys.btrfs(['subvolume', 'set-default', '5', fsys.mnt]);
    }
    assert.deepEqual((await history.list()).map((p) => p.id), [4, 9, 10]);
    assert.deepEqual(referenceList(fsys).filter((s) => s.path.startsWith('state/history/points/')).map((s) => s.path), [4, 9, 10].map((i) => `state/history/points/${i}`));
  });

  it('free-space floor: deletes oldest first, never the newest', async () => {
    const history = await openHistory(`${fsys.mnt}/state`);
    const rules = { ...DEFAULT_RULES, minFree: { fraction: 0.5 } };
    assert.deepEqual((await prune(history, rules)).removedForSpace, [], 'enough space: nothing extra goes');
    const filler = `${fsys.mnt}/filler`;
    const avail = (await history.space()).availableBytes;
    fs.writeFileSync(filler, Buffer.alloc(Math.ceil(avail * 0.7)));
    spawnSync('sync');
    try {
      const result = await prune(history, rules);
      assert.deepEqual(result.removedForSpace, [4, 9]);
      assert.equal(result.belowFloor, true);
      assert.deepEqual((await history.list()).map((p) => p.id), [10]);
    } finally {
      fs.rmSync(filler);
    }
  });
});

describe('history store on btrfs: deduplication', () => {
  let fsys: TestBtrfs;
  before(() => {
    fsys = createBtrfs();
  });
  after(() => fsys?.remove());

  it('a section that did not change is not rewritten: consecutive snapshots share it', async () => {
    const history = await openHistory(fsys.mnt);
    const big = { units: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`unit-${i}.service`, { active_state: 'active', enabled: true }])) };
    await history.record({ kind: 'manual', reason: 'a' }, { systemd: big, sysctl: { k: '0' } });
    await history.record({ kind: 'manual', reason: 'b' }, { systemd: big, sysctl: { k: '1' } });
    const stat = (id: number, plugin: string) => fs.statSync(`${fsys.mnt}/history/points/${id}/sections/${plugin}.json`, { bigint: true });
    assert.equal(stat(2, 'systemd').mtimeNs, stat(1, 'systemd').mtimeNs, 'unchanged section: the same file, shared by both snapshots');
    assert.notEqual(stat(2, 'sysctl').mtimeNs, stat(1, 'sysctl').mtimeNs, 'changed section: rewritten');
    // The shared extents are what btrfs reports as shared between the two snapshots.
    const du = fsys.btrfs(['filesystem', 'du', '--raw', '-s', `${fsys.mnt}/history/points/1`, `${fsys.mnt}/history/points/2`]);
    const rows = du.split('\n').slice(1).filter(Boolean).map((l) => l.trim().split(/\s+/).map(Number));
    assert.ok(rows.length === 2 && rows.every(([total, exclusive]) => total >= 100_000 && exclusive < 4096), `each snapshot holds almost nothing of its own:\n${du}`);
    assert.deepEqual((await history.load(2)).document.plugins, { systemd: big, sysctl: { k: '1' } });
  });
});

describe('history store on a plain directory', () => {
  const dir = path.join('/tmp', uniqueName('opdbus-t-hist'));
  before(() => fs.mkdirSync(dir));
  after(() => {
    spawnSync('chattr', ['-R', '-i', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  sharedBehaviour('files', () => dir);

  it('backend: btrfs where it is impossible is an error, not a silent fallback', async () => {
    await assert.rejects(openHistory(`${dir}/other`, { backend: 'btrfs' }), {
      kind: 'Unavailable',
      code: 'NOT_BTRFS',
      message: `history backend btrfs: ${dir}/other is not on a btrfs filesystem`,
    });
    await assert.rejects(openHistory(dir, { backend: 'btrfs' }), { kind: 'Conflict', code: 'HISTORY_BACKEND' });
  });

  it('stores each distinct section once', () => {
    const blobs = fs.readdirSync(path.join(dir, 'history', 'blobs'), { recursive: true }).filter((n) => String(n).endsWith('.json'));
    // Left after removing 1 and 3: ip_forward=1, NET_A, ip_forward=0 (post of tx-test-1), k=0..4.
    assert.equal(blobs.length, 8);
  });

  it('a point file that cannot be deleted is reported and the others still go', async () => {
    const history = await openHistory(dir);
    const file = path.join(dir, 'history', 'points', '4.json');
    const chattr = spawnSync('chattr', ['+i', file], { encoding: 'utf8' });
    assert.equal(chattr.status, 0, `chattr +i needs a filesystem with the immutable flag: ${chattr.stderr}`);
    try {
      const result = await prune(history, { ...DEFAULT_RULES, keepLast: 2, hourly: 0, daily: 0, monthly: 0, yearly: 0, minFree: null });
      assert.deepEqual(result.removed, [2, 5, 6, 7, 8]);
      assert.deepEqual(result.failed.map((f) => f.id), [4]);
      assert.match(result.failed[0].error, /EPERM/);
    } finally {
      spawnSync('chattr', ['-i', file]);
    }
    assert.deepEqual((await history.list()).map((p) => p.id), [4, 9, 10]);
    assert.deepEqual((await history.load(4)).document.plugins, { sysctl: { 'net.ipv4.ip_forward': '1' } });
  });

  it('a tampered section fails its integrity check', async () => {
    const history = await openHistory(dir);
    const point = await history.get(4);
    const blob = path.join(dir, 'history', 'blobs', point.sections.sysctl.slice(0, 2), `${point.sections.sysctl}.json`);
    fs.writeFileSync(blob, '{"net.ipv4.ip_forward":"0"}');
    await assert.rejects(history.load(4), { kind: 'Integrity', message: `history point 4: section sysctl (${blob}) does not match its recorded SHA-256` });
  });
});
