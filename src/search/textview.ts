// The text an embedding model (and the lexical index) reads for a state and for a state change:
// plugin, object names, the fields that matter, what is wrong and what changed. Problems and changes
// are separate, heavier segments so that one failed unit is not drowned by a hundred healthy ones.
import { annotateName, annotateValue, describe } from './glossary';
import { objectKey, stateObjects, type PluginSections, type Scalar, type StateObject } from './objects';
import type { Segment } from './types';

export interface TextView {
  problems: string[];
  changes: string[];
  inventory: string[];
  /** Weighted segments for the embedding model. */
  segments: Segment[];
}

/**
 * How much each token of a part counts in the pooled embedding: what is wrong now leads, what changed
 * (which also covers recoveries) half as much, the healthy rest only shades the vector.
 */
export const WEIGHTS = { problems: 1, changes: 0.5, inventory: 0.1 } as const;

const BAD_STATES = new Set(['failed', 'down', 'inactive', 'dead', 'error', 'degraded', 'lowerlayerdown', 'notpresent', 'dormant', 'stopped', 'crashed', 'disconnected']);
const STATE_FIELD = /(^|[._])(state|status|operstate|oper_state|admin_state|link_state|active_state|sub_state)$/;
const ADDRESS_FIELD = /(^|[._])(addresses|address|addrs|ips?|ipv4|ipv6)$/;
/** Fields that name or describe an object rather than its state: shown once, in the label. */
const LABEL_FIELDS = new Set(['name', 'description']);

function humanField(field: string): string {
  return field.replace(/[._]/g, ' ');
}

function show(v: Scalar | Scalar[]): string {
  if (Array.isArray(v)) return v.length ? v.map(show).join(' ') : 'none';
  return v === null ? 'none' : String(v);
}

/** A changed value with what it means when the number alone does not say (mtu 9000: jumbo frames). */
function showValue(field: string, v: Scalar | Scalar[]): string {
  const meaning = annotateValue(field, v);
  return meaning ? `${show(v)} (${meaning})` : show(v);
}

function label(o: StateObject): string {
  const description = o.fields.description ?? describe(o.plugin, o.name, o.fields.type);
  const base = o.kind === 'setting' ? `${o.plugin} ${o.name}` : `${o.plugin} ${o.kind} ${o.name}`;
  return typeof description === 'string' && description ? `${base} (${description})` : base;
}

/** One line per object: its label and the fields that carry state. */
export function describeObject(o: StateObject): string {
  if (o.kind === 'setting') return `${label(o)} = ${show(o.fields.value)}`;
  const fields = Object.entries(o.fields).filter(([f]) => !LABEL_FIELDS.has(f)).map(([f, v]) => `${humanField(f)} ${show(v)}`);
  return `${label(o)}: ${fields.join(', ')}`;
}

/** What is wrong with an object: a bad state, an address list that is empty. */
export function problemsOf(o: StateObject): string[] {
  const out: string[] = [];
  for (const [field, value] of Object.entries(o.fields)) {
    if (typeof value === 'string' && STATE_FIELD.test(field) && BAD_STATES.has(value.toLowerCase())) {
      out.push(`${label(o)} is ${value}: ${humanField(field)} ${value}, not running, down`);
    }
    if (Array.isArray(value) && value.length === 0 && ADDRESS_FIELD.test(field)) {
      out.push(`${label(o)} has no ip address: ${humanField(field)} empty`);
    }
  }
  return out;
}

function listDelta(o: StateObject, field: string, before: Scalar[], after: Scalar[]): string[] {
  const lost = before.filter((v) => !after.includes(v));
  const gained = after.filter((v) => !before.includes(v));
  const out: string[] = [];
  const names = (vs: Scalar[]) => vs.map((v) => annotateName(show(v))).join(' ');
  if (lost.length) out.push(`${label(o)} ${humanField(field)} removed ${names(lost)}`);
  if (gained.length) out.push(`${label(o)} ${humanField(field)} added ${names(gained)}`);
  return out;
}

/** What changed between two states, one line per added/removed object or changed field. */
export function changeView(before: PluginSections, after: PluginSections): string[] {
  const old = new Map(stateObjects(before).map((o) => [objectKey(o), o]));
  const now = new Map(stateObjects(after).map((o) => [objectKey(o), o]));
  const out: string[] = [];
  for (const [key, o] of now) {
    const prev = old.get(key);
    if (!prev) {
      out.push(`added ${describeObject(o)}`);
      continue;
    }
    for (const field of new Set([...Object.keys(prev.fields), ...Object.keys(o.fields)])) {
      const a = prev.fields[field];
      const b = o.fields[field];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      if (Array.isArray(a) && Array.isArray(b)) out.push(...listDelta(o, field, a, b));
      else out.push(`${label(o)} ${humanField(field)} changed from ${showValue(field, a ?? null)} to ${showValue(field, b ?? null)}`);
    }
  }
  for (const [key, o] of old) if (!now.has(key)) out.push(`removed ${label(o)}`);
  return out;
}

/**
 * A change line as indexed text: the old value is history, not what this state is. Keeping "failed"
 * in "changed from failed to active" makes every recovery look like the failure it ended.
 */
export function currentSide(line: string): string {
  return line.replace(/ changed from .* to /, ' changed to ');
}

/** The view of one historical state; with `previous`, also what changed since then (new values only). */
export function stateView(state: PluginSections, previous?: PluginSections): TextView {
  const objects = stateObjects(state);
  const problems = objects.flatMap(problemsOf);
  const changes = previous ? changeView(previous, state).map(currentSide) : [];
  const inventory = objects.map(describeObject);
  const segments: Segment[] = [
    { text: problems.join('\n'), weight: WEIGHTS.problems },
    { text: changes.join('\n'), weight: WEIGHTS.changes },
    { text: inventory.join('\n'), weight: WEIGHTS.inventory },
  ].filter((s) => s.text);
  return { problems, changes, inventory, segments };
}
