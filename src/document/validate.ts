// Structural validation of a desired-state document before anything runs: compat conversion, then the
// JSON Schema of the document and of every plugin section (ajv). Every problem is reported with the
// file, the JSON path, the rule broken and the value found (see ./semantics for the format).
import type { CodeOptions, ErrorObject, ValidateFunction } from 'ajv';
import type { PluginRegistry } from '../plugin/registry';
import { stateHash } from '../util/canonical';
import { escapeToken } from '../util/pointer';
import { convertCompat } from './compat';
import { documentSchema } from './schema';
import { invalidDocument, type ValidationProblem } from './semantics';
import type { DocumentSource, StateDocument } from './types';

const validators = new WeakMap<PluginRegistry, ValidateFunction>();

/** The one ajv configuration, shared with scripts/build-validator.js so both validate alike. */
export function createAjv(code?: CodeOptions) {
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true, ...(code ? { code } : {}) });
  addFormats(ajv);
  return ajv;
}

function validatorFor(registry: PluginRegistry): ValidateFunction {
  let v = validators.get(registry);
  if (!v) {
    const schema = documentSchema(registry);
    v = pregenerated(stateHash(schema)) ?? createAjv().compile(schema);
    validators.set(registry, v);
  }
  return v;
}

/** The validator generated at build time (scripts/build-validator.js), if it is for this very schema. */
function pregenerated(hash: string): ValidateFunction | undefined {
  try {
    const generated = require('./validator.generated') as ValidateFunction & { schemaHash?: string };
    return generated.schemaHash === hash ? generated : undefined;
  } catch {
    return undefined;
  }
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

