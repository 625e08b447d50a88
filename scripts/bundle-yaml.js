#!/usr/bin/env node
// Bundles the `yaml` package into dist/vendor/yaml.js (part of `npm run build:ts`). The package is ~80
// CommonJS modules: resolving and loading them costs a short-lived CLI ~25 ms, and every run that
// reads a config file or a YAML document pays it. One bundled file of the same code loads in ~8 ms.
// src/util/yaml.ts loads the bundle, or the package itself when the bundle was not built.
'use strict';
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
esbuild.buildSync({
  entryPoints: [require.resolve('yaml', { paths: [root] })],
  outfile: path.join(root, 'dist', 'vendor', 'yaml.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  keepNames: true, // error classes keep their names (YAMLParseError, ...)
  legalComments: 'inline',
  logLevel: 'warning',
});
