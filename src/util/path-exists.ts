// Whether a path exists (any type), without throwing.
import { promises as fsp } from 'node:fs';

export async function pathExists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}
