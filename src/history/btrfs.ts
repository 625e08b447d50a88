// The btrfs history backend: the store is a subvolume; `live/` (a writable subvolume inside it)
// holds the newest point as sections/<plugin>.json + point.json, and every point is a read-only
// snapshot of `live/` made by ioctl under points/<id>. Sections that did not change are not
// rewritten, so consecutive snapshots share their extents: btrfs does the deduplication.
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { OpdbusError } from '../errors';
import * as btrfs from '../native/btrfs';
import { buildPoint, checkSection, hashSections, nextId, parsePoint, pointEntries, readPointFile } from './sections';
import type { HistoryBackend, HistoryPoint, NewPoint } from './store';

/** A point's entry under points/: its id. */
const POINT_NAME = /^(\d+)$/;

export class BtrfsBackend implements HistoryBackend {
  readonly kind = 'btrfs' as const;
  private readonly live: string;
  private readonly pointsDir: string;

  constructor(readonly root: string) {
    this.live = path.join(root, 'live');
    this.pointsDir = path.join(root, 'points');
  }

  /** Creates the store subvolume (and live/) when missing. */
  static async create(root: string): Promise<BtrfsBackend> {
    const backend = new BtrfsBackend(root);
    await createUnlessPresent(root);
    await createUnlessPresent(backend.live);
    fs.mkdirSync(backend.pointsDir, { recursive: true });
    fs.mkdirSync(path.join(backend.live, 'sections'), { recursive: true });
    return backend;
  }

  // The small file calls are synchronous, as in FilesBackend.add (a thread-pool round trip costs ~1 ms
  // on a VM); the snapshot itself is an ioctl in the addon's worker thread.
  async add(meta: NewPoint, sections: Record<string, unknown>): Promise<HistoryPoint> {
    const hashed = hashSections(sections);
    const sectionsDir = path.join(this.live, 'sections');
    const previous = this.livePoint();
    for (const s of hashed) {
      if (previous?.sections[s.plugin] !== s.hash) fs.writeFileSync(path.join(sectionsDir, `${s.plugin}.json`), s.text);
    }
    // The snapshot must hold exactly this point's sections.
    for (const name of fs.readdirSync(sectionsDir)) {
      if (!(name.replace(/\.json$/, '') in sections)) fs.rmSync(path.join(sectionsDir, name), { force: true });
    }
    let id = await nextId(this.pointsDir, POINT_NAME);
    for (;;) {
      const point = buildPoint(id, meta, hashed);
      fs.writeFileSync(path.join(this.live, 'point.json'), JSON.stringify(point, null, 1) + '\n');
      try {
        await btrfs.snapshot(this.live, path.join(this.pointsDir, String(id)), { readOnly: true });
        return point;
      } catch (err) {
        if (!(err instanceof OpdbusError && err.code === 'EEXIST')) throw err;
        id++;
      }
    }
  }

  private livePoint(): HistoryPoint | undefined {
    const file = path.join(this.live, 'point.json');
    try {
      return parsePoint(fs.readFileSync(file, 'utf8'), file);
    } catch {
      return undefined; // a fresh or damaged live/ just means every section is rewritten
    }
  }

  async points(): Promise<HistoryPoint[]> {
    const files = (await pointEntries(this.pointsDir, POINT_NAME)).map((e) => path.join(this.pointsDir, e.name, 'point.json'));
    const points = await Promise.all(files.map(async (f) => parsePoint(await fsp.readFile(f, 'utf8'), f)));
    return points.sort((a, b) => a.id - b.id);
  }

  async point(id: number): Promise<HistoryPoint | undefined> {
    return readPointFile(path.join(this.pointsDir, String(id), 'point.json'));
  }

  async sections(point: HistoryPoint): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const plugin of point.plugins) {
      const file = path.join(this.pointsDir, String(point.id), 'sections', `${plugin}.json`);
      out[plugin] = checkSection(point, plugin, await fsp.readFile(file, 'utf8'), file);
    }
    return out;
  }

  async remove(ids: number[]): Promise<Map<number, Error>> {
    const results = await btrfs.deleteMany(ids.map((id) => path.join(this.pointsDir, String(id))), { parallelism: 4 });
    const failures = new Map<number, Error>();
    results.forEach((err, i) => {
      if (err) failures.set(ids[i], err);
    });
    return failures;
  }

  space(): Promise<btrfs.FsInfo> {
    return btrfs.fsInfo(this.root);
  }
}

/** Another writer may create it at the same moment: EEXIST is success here. */
async function createUnlessPresent(subvolume: string): Promise<void> {
  if (fs.existsSync(subvolume)) return;
  try {
    await btrfs.createSubvolume(subvolume);
  } catch (err) {
    if (!(err instanceof OpdbusError && err.code === 'EEXIST')) throw err;
  }
}
