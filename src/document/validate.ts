// Validates a whole desired-state document before anything runs: compat conversion, the JSON Schema
// of the document and of every plugin section (ajv), then each plugin's own semantic checks. Every
// problem is reported with the file, the JSON path, the rule broken and the value found.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { OpdbusError } from '../errors';
import type { PluginContext } from '../plugin/contract';
import type { PluginRegistry } from '../plugin/registry';
import { escapeToken } from '../util/pointer';
import { convertCompat } from './compat';
import type { DocumentSource, StateDocument } from './types';

export interface ValidationProblem {
  path: string;
  rule: string;
  message: string;
  found?: unknown;
}

const validators = new WeakMap<PluginRegistry, ValidateFunction>();

export function documentSchema(registry: PluginRegistry): Record<string, unknown> {
  const plugins: Record<string, unknown> = {};
  for (const p of registry.all()) plugins[p.name] = p.schema;
  return {
    type: 'object',
    required: ['version', 'plugins'],
    additionalProperties: false,
    properties: {
      version: { const: 1, description: 'document format version' },
      plugins: { type: 'object', additionalProperties: false, properties: plugins },
      meta: { type: 'object', description: 'written by opdbus query; ignored by apply' },
    },
  };
}

function validatorFor(registry: PluginRegistry): ValidateFunction {
  let v = validators.get(registry);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
    addFormats(ajv);
    v = ajv.compile(documentSchema(registry));
    validators.set(registry, v);
  }
  return v;
}

function describe(e: ErrorObject, registry: PluginRegistry): ValidationProblem {
  let path = e.instancePath;
  let message = e.message ?? 'is invalid';
  let found: unknown = e.data;
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    found = extra;
    path = `${path}/${escapeToken(extra)}`;
    message = e.instancePath === '/plugins' ? `unknown plugin "${extra}" (known: ${registry.names().join(', ')})` : `unknown property "${extra}"`;
  } else if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    message = `missing required property "${missing}"`;
    found = undefined;
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'const') {
    message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  } else if (e.keyword === 'propertyNames') {
    found = (e.params as { propertyName?: string }).propertyName ?? found;
    message = `has an invalid name ${JSON.stringify(found)}`;
  }
  return { path: path || '/', rule: e.keyword, message, found };
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

/** Formats problems as the one message users see: "FILE: PATH: MESSAGE (rule: R), found V". */
export function invalidDocument(file: string, problems: ValidationProblem[]): OpdbusError {
  const lines = problems.map((p) => `${file}: ${p.path}: ${p.message} (rule: ${p.rule})${p.rule === 'required' ? '' : `, found ${shown(p.found)}`}`);
  const first = problems[0];
  return new OpdbusError('InvalidInput', 'SCHEMA', lines.join('\n'), { path: first?.path, details: { file, problems } });
}

/** Structural checks: compat conversion + JSON Schema. Returns the document in canonical form. */
export function validateStructure(raw: unknown, source: DocumentSource, registry: PluginRegistry): { document: StateDocument; notes: string[] } {
  const { document, notes } = convertCompat(raw);
  const validate = validatorFor(registry);
  if (!validate(document)) {
    const seen = new Set<string>();
    const problems = (validate.errors ?? [])
      .map((e) => describe(e, registry))
      .filter((p) => {
        const key = `${p.path}|${p.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, 20);
    throw invalidDocument(source.file, problems);
  }
  const doc = document as StateDocument;
  const plugins: Record<string, unknown> = {};
  for (const name of Object.keys(doc.plugins).sort()) {
    const plugin = registry.get(name);
    plugins[name] = plugin.normalize ? plugin.normalize(doc.plugins[name]) : doc.plugins[name];
  }
  return { document: { ...doc, plugins }, notes };
}

/** Semantic checks of each available plugin (may read the host, never changes it). */
export async function validateSemantics(document: StateDocument, source: DocumentSource, registry: PluginRegistry, ctx: PluginContext, names: readonly string[]): Promise<void> {
  const problems: ValidationProblem[] = [];
  for (const name of names) {
    const plugin = registry.get(name);
    if (!plugin.validate) continue;
    const issues = await plugin.validate(document.plugins[name], ctx);
    for (const i of issues) problems.push({ path: `/plugins/${escapeToken(name)}${i.path}`, rule: 'plugin', message: i.message, found: i.found });
  }
  if (problems.length) throw invalidDocument(source.file, problems);
}
