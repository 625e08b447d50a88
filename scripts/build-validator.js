#!/usr/bin/env node
// Generates dist/src/document/validators/: the desired-state document's validators compiled ahead of
// time with ajv's standalone code, so the CLI neither loads ajv nor compiles a schema on every run
// (~150 ms of CPU): `envelope.js` (version, plugins, meta) and one `plugin-<name>.js` per plugin, so
// a document loads only the validators of the plugins it names. Each carries the hash of the schema
// it was built from; src/document/validate.ts uses one only when that hash matches the live schema,
// and compiles at run time otherwise.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { _ } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

const dist = path.join(__dirname, '..', 'dist', 'src');
const { builtinRegistry } = require(path.join(dist, 'plugins'));
const { envelopeSchema } = require(path.join(dist, 'document', 'schema'));
const { createAjv } = require(path.join(dist, 'document', 'validate'));
const { stateHash } = require(path.join(dist, 'util', 'canonical'));

const registry = builtinRegistry();
const schemas = { envelope: envelopeSchema(registry.names()) };
for (const plugin of registry.all()) schemas[`plugin-${plugin.name}`] = plugin.schema;

const outDir = path.join(dist, 'document', 'validators');
fs.rmSync(outDir, { recursive: true, force: true });
fs.rmSync(path.join(dist, 'document', 'validator.generated.js'), { force: true }); // the one-file layout before
fs.mkdirSync(outDir, { recursive: true });
let bytes = 0;
for (const [name, schema] of Object.entries(schemas)) {
  const ajv = createAjv({ source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` });
  const code = `${standaloneCode(ajv, ajv.compile(schema))}\nmodule.exports.schemaHash = ${JSON.stringify(stateHash(schema))};\n`;
  fs.writeFileSync(path.join(outDir, `${name}.js`), code);
  bytes += code.length;
}
console.log(`build-validator: wrote ${Object.keys(schemas).length} validators to ${path.relative(process.cwd(), outDir)} (${bytes} bytes)`);
