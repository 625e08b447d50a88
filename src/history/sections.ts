// Shared by both backends: hashing sections (the dedup key), reading and checking point metadata,
// and checking a stored section against the hash its point recorded.
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import { OpdbusError, toOpdbusError } from '../errors';
import { canonicalJson, sha256Hex } from '../util/canonical';
import { POINT_KINDS, type HistoryPoint, type NewPoint } from './store';

export interface HashedSection {
  plugin: string;
  hash: string;
  /** Canonical JSON of the section: what is stored. */
  text: string;
}

export function hashSections(sections: Record<string, unknown>): HashedSection[] {
  return Object.keys(sections)
    .sort()
    .map((plugin) => {
      const text = canonicalJson(sections[plugin] ?? null);
      return { plugin, hash: sha256Hex(text), text };
    });
}

export function buildPoint(id: number, meta: NewPoint, hashed: HashedSection[]): HistoryPoint {
  return {
    ...meta,
    id,
    plugins: hashed.map((s) => s.plugin),
    sections: Object.fromEntries(hashed.map((s) => [s.plugin, s.hash])),
  };
}

/** Parses a stored point.json; anything malformed is an Integrity error naming the file. */
export function parsePoint(text: string, file: string): HistoryPoint {
  let p: Partial<HistoryPoint>;
  try {
    p = JSON.parse(text) as Partial<HistoryPoint>;
  } catch (err) {
    throw new OpdbusError('Integrity', 'HISTORY_POINT', `${file}: not valid JSON: ${(err as Error).message}`, { path: file });
  }
  const bad = (what: string) => new OpdbusError('Integrity', 'HISTORY_POINT', `${file}: ${what}`, { path: file });
  if (!p || typeof p !== 'object') throw bad('expected an object');
  if (!Number.isInteger(p.id) || (p.id as number) < 1) throw bad(`/id: expected a positive integer, found ${JSON.stringify(p.id)}`);
  if (typeof p.time !== 'string' || Number.isNaN(Date.parse(p.time))) throw bad(`/time: expected an ISO time, found ${JSON.stringify(p.time)}`);
  if (!POINT_KINDS.includes(p.kind as never)) throw bad(`/kind: expected one of ${POINT_KINDS.join(', ')}, found ${JSON.stringify(p.kind)}`);
  if (!p.sections || typeof p.sections !== 'object') throw bad('/sections: expected an object of plugin -> sha256');
  return p as HistoryPoint;
}

/** One stored point, or undefined when there is none under that id. */
export async function readPointFile(file: string): Promise<HistoryPoint | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return parsePoint(text, file);
}

export function checkSection(point: HistoryPoint, plugin: string, text: string, file: string): unknown {
  if (sha256Hex(text) !== point.sections[plugin]) {
    throw new OpdbusError('Integrity', 'HISTORY_SECTION', `history point ${point.id}: section ${plugin} (${file}) does not match its recorded SHA-256`, { path: file });
  }
  return JSON.parse(text) as unknown;
}

/** Point ids are positive integers; `next` is one past the highest in use. */
/** The entries of `dir` that hold a point, with the id their name carries (`pattern`'s first group). */
export async function pointEntries(dir: string, pattern: RegExp): Promise<{ id: number; name: string }[]> {
  let names: string[];
  try {
    names = fs.readdirSync(dir); // one listing: synchronous, as a point is written (FilesBackend.add)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw toOpdbusError(err, { operation: `list history points in ${dir}` });
  }
  return names.flatMap((name) => {
    const m = pattern.exec(name);
    return m ? [{ id: Number(m[1]), name }] : [];
  });
}

/**
 * The id after the highest one in `dir`: a directory listing, not a read of every point, so adding a
 * point costs the same at any history size.
 */
export async function nextId(dir: string, pattern: RegExp): Promise<number> {
  return (await pointEntries(dir, pattern)).reduce((max, e) => Math.max(max, e.id), 0) + 1;
}
