// Flattens a state document's plugin sections into named objects (interface br0, unit nginx.service,
// sysctl key ...) with scalar fields, without knowing each plugin's schema: arrays of objects with a
// `name` and maps of name -> object are objects; scalar maps (sysctl) are settings.

export type Scalar = string | number | boolean | null;

export interface StateObject {
  plugin: string;
  /** Singular kind from the containing key: "interfaces" -> "interface", "units" -> "unit". */
  kind: string;
  name: string;
  /** Field -> scalar; arrays of scalars are kept as lists (addresses, ports). */
  fields: Record<string, Scalar | Scalar[]>;
}

export type PluginSections = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function singular(key: string): string {
  if (key.endsWith('ies')) return key.slice(0, -3) + 'y';
  if (key.endsWith('ses') || key.endsWith('xes')) return key.slice(0, -2);
  return key.endsWith('s') ? key.slice(0, -1) : key;
}

function objectName(o: Record<string, unknown>, fallback: string): string {
  for (const key of ['name', 'id', 'destination', 'dst', 'path', 'key']) if (typeof o[key] === 'string') return o[key] as string;
  return fallback;
}

/** Scalar fields of an object; nested objects become dotted fields, lists of objects become names. */
function fieldsOf(o: Record<string, unknown>, prefix = '', out: StateObject['fields'] = {}): StateObject['fields'] {
  for (const [key, value] of Object.entries(o)) {
    const field = prefix + key;
    if (Array.isArray(value)) {
      out[field] = value.map((v) => (isRecord(v) ? objectName(v, JSON.stringify(v)) : (v as Scalar)));
    } else if (isRecord(value)) {
      fieldsOf(value, field + '.', out);
    } else {
      out[field] = value as Scalar;
    }
  }
  return out;
}

function collect(plugin: string, kind: string, value: unknown, out: StateObject[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (isRecord(item)) out.push({ plugin, kind, name: objectName(item, `${kind}#${i}`), fields: fieldsOf(item) });
    });
    return;
  }
  if (!isRecord(value)) return;
  const entries = Object.entries(value);
  if (entries.every(([, v]) => !isRecord(v) && !Array.isArray(v))) {
    // A flat key -> value map (sysctl): every key is a setting.
    for (const [key, v] of entries) out.push({ plugin, kind: 'setting', name: key, fields: { value: v as Scalar } });
    return;
  }
  for (const [key, v] of entries) {
    if (isRecord(v) && Object.values(v).every(isRecord)) {
      // A map of name -> object (systemd units).
      for (const [name, o] of Object.entries(v)) out.push({ plugin, kind: singular(key), name, fields: fieldsOf(o as Record<string, unknown>) });
    } else {
      collect(plugin, singular(key), v, out);
    }
  }
}

/** Every object of every plugin section, in document order. */
export function stateObjects(sections: PluginSections): StateObject[] {
  const out: StateObject[] = [];
  for (const [plugin, section] of Object.entries(sections)) collect(plugin, plugin, section, out);
  return out;
}

export function objectKey(o: StateObject): string {
  return `${o.plugin}:${o.kind}:${o.name}`;
}
