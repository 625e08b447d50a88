// The document validators generated at build time (scripts/build-validator.js) are current, and give
// the same verdicts and errors as ones compiled at run time; validating a document loads only the
// plugins it names.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import { envelopeSchema } from '../../src/document/schema';
import { createAjv } from '../../src/document/validate';
import { builtinRegistry } from '../../src/plugins';
import { stateHash } from '../../src/util/canonical';

const schemas = (): Record<string, Record<string, unknown>> => {
  const registry = builtinRegistry();
  const out: Record<string, Record<string, unknown>> = { envelope: envelopeSchema(registry.names()) };
  for (const p of registry.all()) out[`plugin-${p.name}`] = p.schema as Record<string, unknown>;
  return out;
};
const generated = (name: string) => require(`../../src/document/validators/${name}`) as ((doc: unknown) => boolean) & { errors?: unknown; schemaHash: string };

test('a validator was generated for the envelope and every plugin, from the current schemas', () => {
  for (const [name, schema] of Object.entries(schemas())) assert.equal(generated(name).schemaHash, stateHash(schema), name);
});

test('generated and run-time validators agree on good and bad documents', () => {
  const cases: Array<[string, unknown]> = [
    ['envelope', { version: 1, plugins: { sysctl: {} } }],
    ['envelope', { version: 1, plugins: { sysctl: {}, firewall: {} } }],
    ['envelope', { version: 2, plugins: [] }],
    ['plugin-sysctl', { 'net.ipv4.ip_forward': '1' }],
    ['plugin-sysctl', { 'net.ipv4.ip_forward': { x: 1 } }],
    ['plugin-net', { interfaces: [{ name: 'br0', type: 'bridge', mtu: 'big' }] }],
    ['plugin-ovs', { bridges: [{ name: 'br0', ports: [{ name: 'p', tag: 5000 }] }] }],
  ];
  const all = schemas();
  for (const [name, doc] of cases) {
    const compiled = createAjv().compile(all[name]);
    const g = generated(name);
    assert.equal(g(doc), compiled(doc), `${name}: ${JSON.stringify(doc)}`);
    assert.deepEqual(g.errors ?? null, compiled.errors ?? null, `${name}: ${JSON.stringify(doc)}`);
  }
});

test('validating a document loads only the plugins it names, and neither ajv nor the other validators', () => {
  // A fresh process: what this one has loaded already says nothing.
  const script = `
    const { builtinRegistry } = require('./src/plugins');
    const { validateStructure } = require('./src/document/validate');
    validateStructure({ version: 1, plugins: { sysctl: { 'net.ipv4.ip_forward': '1' } } }, { file: 'doc.json', text: '' }, builtinRegistry());
    console.log(JSON.stringify(Object.keys(require.cache)));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const loaded = (JSON.parse(r.stdout) as string[]).map((f) => path.relative(path.resolve(__dirname, '..', '..'), f));
  assert.ok(loaded.includes(path.join('src', 'plugins', 'sysctl', 'index.js')), 'the sysctl plugin was loaded');
  assert.ok(loaded.includes(path.join('src', 'document', 'validators', 'plugin-sysctl.js')), 'its generated validator was used');
  for (const other of ['net', 'ovs', 'systemd', 'login1', 'dbus']) {
    assert.ok(!loaded.some((f) => f.startsWith(path.join('src', 'plugins', other) + path.sep)), `plugin ${other} was not loaded`);
  }
  assert.ok(!loaded.some((f) => f.endsWith(path.join('node_modules', 'ajv', 'dist', 'ajv.js'))), 'ajv itself (the compiler) was not loaded');
});
