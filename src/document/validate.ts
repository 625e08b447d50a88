// Structural validation of a desired-state document before anything runs: compat conversion, then the
// JSON Schema of the document and of every plugin section (ajv). Every problem is reported with the
// file, the JSON path, the rule broken and the value found (see ./semantics for the format).
import type { CodeOptions, ErrorObject, ValidateFunction } from 'ajv';
import type { PluginRegistry } from '../plugin/registry';
import { stateHash } from '../util/canonical';
import { escapeToken } from '../util/pointer';
import { convertCompat } from './compat';
import { envelopeSchema } from './schema';
import { invalidDocument, type ValidationProblem } from './semantics';
import type { DocumentSource, StateDocument } from './types';

/** Compiled validators by schema hash: the envelope's, and each plugin section's. */
const validators = new Map<string, ValidateFunction>();

/** The one ajv configuration, shared with scripts/build-validator.js so both validate alike. */
export function createAjv(code?: CodeOptions) {
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true, ...(code ? { code } : {}) });
  addFormats(ajv);
  return ajv;
}

/**
 * The validator for `schema`: the one generated at build time under validators/NAME.js when it was
 * built from this very schema, else compiled now (ajv costs ~70 ms to load and more to compile).
 * NAME is `envelope` or `plugin-<name>`, so a document loads only its own plugins' validators.
 */
export function validatorFor(name: string, schema: Record<string, unknown>): ValidateFunction {
  const hash = stateHash(schema);
  let v = validators.get(hash);
  if (!v) {
    v = pregenerated(name, hash) ?? createAjv().compile(schema);
    validators.set(hash, v);
  }
  return v;
}

function pregenerated(name: string, hash: string): ValidateFunction | undefined {
  try {
    const generated = require(`./validators/${name}`) as ValidateFunction & { schemaHash?: string };
    return generated.schemaHash === hash ? generated : undefined;
  } catch {
    return undefined;
  }
}

function describe(e: ErrorObject, registry: PluginRegistry, prefix: string): ValidationProblem {
  let path = prefix + e.instancePath;
  let message = e.message ?? 'is invalid';
  let found: unknown = e.data;
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    found = extra;
    path = `${path}/${escapeToken(extra)}`;
    message = prefix === '' && e.instancePath === '/plugins' ? `unknown plugin "${extra}" (known: ${registry.names().join(', ')})` : `unknown property "${extra}"`;
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

/**
 * Structural checks: compat conversion + JSON Schema, the envelope first and then each plugin's
 * section against its plugin's schema (only the plugins the document names are loaded). Returns the
 * document in canonical form.
 */
export function validateStructure(raw: unknown, source: DocumentSource, registry: PluginRegistry): { document: StateDocument; notes: string[] } {
  const { document, notes } = convertCompat(raw);
  const errors: ValidationProblem[] = [];
  const envelope = validatorFor('envelope', envelopeSchema(registry.names()));
  if (!envelope(document)) errors.push(...(envelope.errors ?? []).map((e) => describe(e, registry, '')));
  const sections = (document as { plugins?: unknown }).plugins;
  if (sections && typeof sections === 'object' && !Array.isArray(sections)) {
    for (const name of Object.keys(sections).sort()) {
      if (!registry.has(name)) continue; // reported by the envelope
      const plugin = registry.get(name);
      const validate = validatorFor(`plugin-${name}`, plugin.schema as Record<string, unknown>);
      if (!validate((sections as Record<string, unknown>)[name])) errors.push(...(validate.errors ?? []).map((e) => describe(e, registry, `/plugins/${escapeToken(name)}`)));
    }
  }
  if (errors.length) {
    const seen = new Set<string>();
    const problems = errors
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

