// The addon's btrfs ioctls against a real loop-mounted btrfs, checked with the reference client
// (`btrfs subvolume list`, `btrfs property get`).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { OpdbusError } from '../../src/errors';
import * as btrfs from '../../src/native/btrfs';
import { createBtrfs, referenceList, referenceReadOnly, type TestBtrfs } from '../harness/btrfs';

describe('native btrfs ioctls', () => {
  let fsys: TestBtrfs;
  before(() => {
    fsys = createBtrfs();
  });
  after(() => fsys?.remove());

  it('creates subvolumes and read-only / writable snapshots the reference client sees', async () => {
    const m = fsys.mnt;
    await btrfs.createSubvolume(`${m}/live`);
    fs.writeFileSync(`${m}/live/state.json`, '{"a":1}');
    fs.mkdirSync(`${m}/live/nested`);
    await btrfs.createSubvolume(`${m}/live/nested/inner`);
    fs.mkdirSync(`${m}/points`);
    await btrfs.snapshot(`${m}/live`, `${m}/points/ro`, { readOnly: true });
    await btrfs.snapshot(`${m}/live`, `${m}/points/rw`, { readOnly: false });

    assert.equal(referenceReadOnly(fsys, `${m}/points/ro`), true);
    assert.equal(referenceReadOnly(fsys, `${m}/points/rw`), false);
    assert.equal(referenceReadOnly(fsys, `${m}/live`), false);
    assert.equal(fs.readFileSync(`${m}/points/ro/state.json`, 'utf8'), '{"a":1}');
    assert.throws(() => fs.writeFileSync(`${m}/points/ro/state.json`, 'x'), { code: 'EROFS' });

    const ours = await btrfs.listSubvolumes(m);
    const reference = referenceList(fsys);
    assert.deepEqual(
      ours.map((s) => ({ id: s.id, generation: s.generation, topLevel: s.parentId, path: s.path })),
      reference,
    );
    assert.deepEqual(ours.map((s) => s.path), ['live', 'live/nested/inner', 'points/ro', 'points/rw']);
    const live = ours.find((s) => s.path === 'live')!;
    const ro = ours.find((s) => s.path === 'points/ro')!;
    assert.equal(ro.readOnly, true);
    assert.equal(ours.find((s) => s.path === 'points/rw')!.readOnly, false);
    assert.equal(ro.parentUuid, live.uuid, 'a snapshot names the subvolume it was taken from');
    assert.equal(live.parentUuid, '');
    assert.match(ro.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(Math.abs(ro.otimeMs - Date.now()) < 3_600_000, 'creation time is a real timestamp');
  });

  it('tells subvolumes from plain directories and other filesystems', async () => {
    assert.equal(await btrfs.isSubvolume(`${fsys.mnt}/live`), true);
    assert.equal(await btrfs.isSubvolume(`${fsys.mnt}/live/nested`), false);
    assert.equal(await btrfs.isSubvolume(fsys.dir), false);
    assert.equal((await btrfs.fsInfo(fsys.mnt)).btrfs, true);
    assert.equal((await btrfs.fsInfo(fsys.dir)).btrfs, false);
    const info = await btrfs.fsInfo(fsys.mnt);
    assert.ok(info.totalBytes > 400 * 1024 * 1024 && info.availableBytes > 0 && info.availableBytes <= info.freeBytes);
  });

  it('deletes subvolumes: gone for the reference client too', async () => {
    await btrfs.deleteSubvolume(`${fsys.mnt}/points/rw`);
    await btrfs.deleteSubvolume(`${fsys.mnt}/points/ro`);
    assert.deepEqual(referenceList(fsys).map((s) => s.path), ['live', 'live/nested/inner']);
    assert.equal(fs.existsSync(`${fsys.mnt}/points/ro`), false);
  });

  it('turns errno into typed errors', async () => {
    await assert.rejects(btrfs.createSubvolume(`${fsys.dir}/not-on-btrfs`), (e: OpdbusError) => {
      assert.equal(e.kind, 'Unavailable');
      assert.equal(e.code, 'NOT_BTRFS');
      assert.match(e.message, /not on a btrfs filesystem/);
      return true;
    });
    await assert.rejects(btrfs.createSubvolume(`${fsys.mnt}/live`), { kind: 'Conflict', code: 'EEXIST' });
    await assert.rejects(btrfs.snapshot(`${fsys.mnt}/live`, `${fsys.mnt}/live`, { readOnly: true }), { kind: 'Conflict', code: 'EEXIST' });
    await assert.rejects(btrfs.deleteSubvolume(`${fsys.mnt}/missing`), { kind: 'NotFound', code: 'ENOENT' });
    await assert.rejects(btrfs.snapshot(`${fsys.mnt}/missing`, `${fsys.mnt}/x`, { readOnly: true }), { kind: 'NotFound', code: 'ENOENT' });
    // The default subvolume cannot be deleted: the kernel says EPERM.
    await btrfs.snapshot(`${fsys.mnt}/live`, `${fsys.mnt}/default`, { readOnly: true });
    const id = (await btrfs.listSubvolumes(fsys.mnt)).find((s) => s.path === 'default')!.id;
    fsys.btrfs(['subvolume', 'set-default', String(id), fsys.mnt]);
    await assert.rejects(btrfs.deleteSubvolume(`${fsys.mnt}/default`), { kind: 'PermissionDenied', code: 'EPERM' });
    fsys.btrfs(['subvolume', 'set-default', '5', fsys.mnt]);
    await btrfs.deleteSubvolume(`${fsys.mnt}/default`);
    assert.throws(() => btrfs.createSubvolume(`${fsys.mnt}/a/../..`), { kind: 'InvalidInput', code: 'BAD_NAME' });
    assert.throws(() => btrfs.snapshot('', `${fsys.mnt}/x`, { readOnly: true }), {
      kind: 'InvalidInput',
      message: 'snapshot source: expected a non-empty path, found ""',
    });
  });

  it('batches: every item reported, one failure does not stop the rest', async () => {
    const names = Array.from({ length: 24 }, (_, i) => `b${i}`);
    fs.mkdirSync(`${fsys.mnt}/batch`);
    fs.mkdirSync(`${fsys.mnt}/batch/b5`); // a plain directory in the way of one snapshot
    const created = await btrfs.snapshotMany(`${fsys.mnt}/live`, names.map((n) => `${fsys.mnt}/batch/${n}`), { readOnly: true, parallelism: 4 });
    assert.deepEqual(created.map((e, i) => (e ? `${names[i]}:${e.code}` : null)).filter(Boolean), ['b5:EEXIST']);
    const listed = referenceList(fsys).map((s) => s.path).filter((p) => p.startsWith('batch/'));
    assert.equal(listed.length, 23);
    assert.ok(names.filter((n) => n !== 'b5').every((n) => referenceReadOnly(fsys, `${fsys.mnt}/batch/${n}`)));

    const id = (await btrfs.listSubvolumes(fsys.mnt)).find((s) => s.path === 'batch/b7')!.id;
    fsys.btrfs(['subvolume', 'set-default', String(id), fsys.mnt]);
    try {
      const deleted = await btrfs.deleteMany(names.map((n) => `${fsys.mnt}/batch/${n}`), { parallelism: 3 });
      assert.deepEqual(deleted.map((e, i) => (e ? `${names[i]}:${e.kind}:${e.code}` : null)).filter(Boolean), ['b5:Backend:EINVAL', 'b7:PermissionDenied:EPERM']);
    } finally {
      fsys.btrfs(['subvolume', 'set-default', '5', fsys.mnt]);
    }
    assert.deepEqual(referenceList(fsys).map((s) => s.path).filter((p) => p.startsWith('batch/')), ['batch/b7']);
  });
});
