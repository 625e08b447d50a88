// OVSDB data (RFC 7047 section 5.1): atoms, ["uuid", ...], ["set", [...]], ["map", [[k, v], ...]],
// converted to and from plain JS values (arrays and string-keyed records) for the model layer.

export type Atom = string | number | boolean | ['uuid', string] | ['named-uuid', string];
export type Datum = Atom | ['set', Atom[]] | ['map', [Atom, Atom][]];

export const uuid = (u: string): ['uuid', string] => ['uuid', u];
export const namedUuid = (n: string): ['named-uuid', string] => ['named-uuid', n];

export function isUuidAtom(v: unknown): v is ['uuid', string] {
  return Array.isArray(v) && v.length === 2 && v[0] === 'uuid' && typeof v[1] === 'string';
}

/** The elements of a set column (a bare atom is a one-element set). */
export function setElements(d: unknown): Atom[] {
  if (Array.isArray(d) && d[0] === 'set') return d[1] as Atom[];
  return d === undefined ? [] : [d as Atom];
}

/** The UUID strings of a set-of-references column. */
export function uuidSet(d: unknown): string[] {
  return setElements(d).map((a) => (isUuidAtom(a) ? a[1] : String(a)));
}

/** An optional (min 0, max 1) column: the value or undefined when empty. */
export function optional<T extends Atom>(d: unknown): T | undefined {
  const els = setElements(d);
  return els.length ? (els[0] as T) : undefined;
}

export function mapToRecord(d: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(d) && d[0] === 'map') for (const [k, v] of d[1] as [Atom, Atom][]) out[String(k)] = String(v);
  return out;
}

export function recordToMap(r: Record<string, string>): ['map', [string, string][]] {
  return ['map', Object.keys(r).sort().map((k) => [k, r[k]] as [string, string])];
}

export function toSet(atoms: readonly Atom[]): ['set', Atom[]] {
  return ['set', [...atoms]];
}
