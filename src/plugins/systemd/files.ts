// Unit files and drop-ins under <root>/etc/systemd/system: written atomically (temporary file in the
// same directory, then rename) so systemd never reads half a file; null content removes the file.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { toOpdbusError } from '../../errors';
import { unitPath } from './diff';
import type { UnitDesired } from './schema';

async function writeAtomically(file: string, content: string, docPath: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.opdbus-${process.pid}`);
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const fh = await fsp.open(tmp, 'w', 0o644);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw toOpdbusError(err, { plugin: 'systemd', operation: `write ${file}`, path: docPath });
  }
}

async function removeFile(file: string, docPath: string): Promise<void> {
  try {
    await fsp.rm(file, { force: true });
  } catch (err) {
    throw toOpdbusError(err, { plugin: 'systemd', operation: `remove ${file}`, path: docPath });
  }
}

/** Writes or removes the files `after` names. Returns true when anything on disk changed. */
export async function syncUnitFiles(dir: string, name: string, after: UnitDesired): Promise<boolean> {
  let changed = false;
  const docPath = unitPath(name);
  if (after.unit_file !== undefined) {
    const file = path.join(dir, name);
    if (after.unit_file === null) await removeFile(file, docPath);
    else await writeAtomically(file, after.unit_file, docPath + '/unit_file');
    changed = true;
  }
  const dropinDir = path.join(dir, `${name}.d`);
  for (const [file, content] of Object.entries(after.dropins ?? {})) {
    if (content === null) await removeFile(path.join(dropinDir, file), docPath);
    else await writeAtomically(path.join(dropinDir, file), content, `${docPath}/dropins/${file}`);
    changed = true;
  }
  // An emptied drop-in directory we may have created is removed too; a non-empty one stays.
  if (after.dropins && Object.values(after.dropins).some((c) => c === null)) await fsp.rmdir(dropinDir).catch(() => undefined);
  return changed;
}
