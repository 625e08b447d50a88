// One transaction across two real plugins (net over rtnetlink, sysctl over /proc/sys) inside a test
// namespace: a failure after either plugin applied leaves both as they were; a crash is recovered.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { createNetns, type TestNetns } from '../harness/netns';
import { opdbus, tempDir, writeDoc } from '../harness/cli';
import { EXIT } from '../../src/exit-codes';

let ns: TestNetns;
let stateDir: string;
let doc: string;
before(() => {
  ns = createNetns();
  const dir = tempDir();
  doc = writeDoc(dir, 'both.yaml', [
    'version: 1',
    'plugins:',
    '  net:',
    '    interfaces:',
    '      - { name: opdt0, type: ifb, state: up, ipv4: { enabled: true, address: [{ ip: 10.77.0.1, prefix: 24 }] } }',
    '  sysctl:',
    '    net.ipv4.ip_forward: "1"',
    '',
  ].join('\n'));
});
after(() => ns.remove());
beforeEach(() => {
  stateDir = tempDir();
  ns.run('ip', ['link', 'del', 'opdt0']);
  ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0']);
});

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => opdbus(args, { netns: ns.name, stateDir, env });
const linkExists = () => ns.run('ip', ['link', 'show', 'opdt0']).status === 0;

test('the plan orders net before sysctl and applies both', () => {
  const r = run(['apply', doc]);
  assert.equal(r.status, EXIT.OK, r.stderr);
  assert.match(r.stdout, /applied in this order: net -> sysctl/);
  assert.ok(linkExists());
  assert.equal(ns.sysctl('net.ipv4.ip_forward'), '1');
  assert.equal(run(['diff', doc]).status, EXIT.OK);
});

for (const [point, what] of [
  ['tx.after-apply:net', 'after the first of two plugins applied'],
  ['tx.after-apply:sysctl', 'after both plugins applied'],
  ['tx.before-verify', 'before verification'],
] as const) {
  test(`a failure ${what} leaves both plugins rolled back`, () => {
    const r = run(['apply', doc], { OPDBUS_FAILPOINTS: `${point}=error` });
    assert.equal(r.status, EXIT.APPLY_FAILED_ROLLED_BACK, r.stderr);
    assert.equal(linkExists(), false, 'the link net created is gone');
    assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0');
    // Exactly one ledger block, saying what was applied and rolled back, plugin by plugin.
    const blocks = JSON.parse(run(['audit', 'log', '--format', 'json']).stdout);
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0].operation, 'apply');
    assert.equal(blocks[0].outcome, 'rolled-back');
    const fp = Object.fromEntries(blocks[0].footprints.map((f: { plugin: string }) => [f.plugin, f]));
    assert.deepEqual([fp.net.applied, fp.net.rolledBack], [true, true]);
    assert.deepEqual([fp.sysctl.applied, fp.sysctl.rolledBack], point === 'tx.after-apply:net' ? [false, false] : [true, true]);
  });
}

test('a crash after net applied, before sysctl, is rolled back by the next run', () => {
  const r = run(['apply', doc], { OPDBUS_FAILPOINTS: 'tx.before-apply:sysctl=crash' });
  assert.equal(r.signal, 'SIGKILL');
  assert.ok(linkExists(), 'net had applied when the process died');
  const rec = run(['recover']);
  assert.equal(rec.status, EXIT.OK, rec.stderr);
  assert.equal(linkExists(), false);
  assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0');
});

test('a rollback that fails is exit 5, keeps the journal, and `opdbus recover` finishes it', () => {
  const r = run(['apply', doc], { OPDBUS_FAILPOINTS: 'tx.before-verify=error,net.rollback.after-deletes=error' });
  assert.equal(r.status, EXIT.ROLLBACK_FAILED, r.stderr);
  assert.match(r.stderr, /apply failed \(failpoint tx\.before-verify fired\) and the host could not be fully restored: .*failpoint net\.rollback\.after-deletes fired.*run `opdbus recover` once fixed/);
  assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0', 'sysctl, rolled back first (reverse order), is restored');
  assert.ok(fs.existsSync(path.join(stateDir, 'journal.json')), 'the journal is kept for recover');
  const rec = run(['recover']);
  assert.equal(rec.status, EXIT.OK, rec.stderr);
  assert.match(rec.stdout, /^recover: rolled back unfinished transaction/);
  assert.equal(linkExists(), false);
  assert.equal(fs.existsSync(path.join(stateDir, 'journal.json')), false, 'recover finished the rollback');
  assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0');
  assert.equal(run(['recover']).stdout, 'recover: no unfinished transaction.\n');
});
