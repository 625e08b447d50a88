#!/usr/bin/env node
// Generates dist/src/document/validator.generated.js: the desired-state document validator compiled
// ahead of time with ajv's standalone code, so the CLI does not compile the schema on every run
// (~150 ms of CPU). It carries the hash of the schema it was built from; src/document/validate.ts uses
// it only when that hash matches the live registry's schema, and compiles at run time otherwise.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { _ } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

const dist = path.join(__dirname, '..', 'dist', 'src');
const { builtinRegistry } = require(path.join(dist, 'plugins'));
const { documentSchema } = require(path.join(dist, 'document', 'schema'));
const { createAjv } = require(path.join(dist, 'document', 'validate'));
const { stateHash } = require(path.join(dist, 'util', 'canonical'));

const schema = documentSchema(builtinRegistry());
const ajv = createAjv({ source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` });
const validate = ajv.compile(schema);
const code = `${standaloneCode(ajv, validate)}\nmodule.exports.schemaHash = ${JSON.stringify(stateHash(schema))};\n`;
const out = path.join(dist, 'document', 'validator.generated.js');
fs.writeFileSync(out, code);
console.log(`build-validator: wrote ${path.relative(process.cwd(), out)} (${code.length} bytes)`);
