// The D-Bus plugins through the real CLI, run inside the container's network namespace: a unit that
// fails to start rolls back the whole transaction (a sysctl change included), and a login1 enforce
// policy terminates a session as the transaction's last, irreversible step.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { opdbus, REPO_ROOT, tempDir, writeDoc, type CliOptions } from '../harness/cli';
import { bootContainer, type TestContainer } from '../harness/container';
import { createNetns, type TestNetns } from '../harness/netns';
import { TEST_USER } from '../harness/rootfs';

const SLEEPER = '[Service]\nExecStart=/bin/sleep infinity\n';
const FAILING = '[Service]\nType=oneshot\nExecStart=/bin/false\n';

describe('D-Bus plugins through the CLI', () => {
  let ns: TestNetns;
  let c: TestContainer;
  let dir: string;
  let cli: CliOptions;
  const run = (args: string[], env?: NodeJS.ProcessEnv) => opdbus(['--config', path.join(dir, 'config.yaml'), ...args], { ...cli, env });

  before(async () => {
    ns = createNetns();
    c = await bootContainer({ netnsPath: `/run/netns/${ns.name}` });
    dir = tempDir('opdbus-t-cli-');
    fs.writeFileSync(path.join(dir, 'config.yaml'), `dbus:\n  system: "${c.busAddress}"\nplugins:\n  systemd:\n    root: ${c.root}\n`);
    cli = { netns: ns.name, stateDir: path.join(dir, 'state') };
  });
  after(async () => {
    await c?.stop();
    ns?.remove();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rolls back a sysctl change and the units when one unit fails to start', () => {
    assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0');
    const doc = writeDoc(dir, 'fail.json', {
      version: 1,
      plugins: {
        sysctl: { 'net.ipv4.ip_forward': '1' },
        systemd: { units: { 'opdbus-t-ok.service': { unit_file: SLEEPER, active_state: 'active' }, 'opdbus-t-bad.service': { unit_file: FAILING, active_state: 'active' } } },
      },
    });
    const r = run(['apply', doc]);
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stdout, /applied in this order: sysctl -> systemd/);
    assert.match(r.stderr, /opdbus-t-bad\.service failed to start: job result "failed"; Result=exit-code, ExecMainStatus=1, ActiveState=failed, SubState=failed/);
    assert.match(r.stderr, /every change was rolled back/);
    assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0');
    assert.equal(c.unitProperty('opdbus-t-ok.service', 'ActiveState'), 'inactive');
    assert.equal(fs.existsSync(path.join(c.root, 'etc/systemd/system/opdbus-t-ok.service')), false);
    assert.equal(fs.existsSync(path.join(c.root, 'etc/systemd/system/opdbus-t-bad.service')), false);
  });

  it('applies units and a sysctl together, then queries them back', () => {
    const units = { 'opdbus-t-ok.service': { unit_file: SLEEPER, active_state: 'active' } };
    const doc = writeDoc(dir, 'ok.json', { version: 1, plugins: { sysctl: { 'net.ipv4.ip_forward': '1' }, systemd: { units } } });
    const r = run(['apply', doc]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(ns.sysctl('net.ipv4.ip_forward'), '1');
    assert.equal(c.unitProperty('opdbus-t-ok.service', 'ActiveState'), 'active');
    assert.equal(run(['verify', doc]).status, 0);
    const q = run(['query', '--plugin', 'systemd', '--format', 'json']);
    assert.equal(q.status, 0, q.stderr);
    assert.deepEqual(JSON.parse(q.stdout).plugins.systemd.units['opdbus-t-ok.service'], { active_state: 'active', masked: false });
    // Query output is a document: applying it back changes nothing.
    const roundTrip = writeDoc(dir, 'query.json', q.stdout);
    const d = run(['diff', roundTrip]);
    assert.equal(d.status, 0, d.stdout + d.stderr);
    // The same through worker threads, with login1 beside it: plain data crosses, one bus per worker.
    const p = run(['query', '--parallel', '--plugin', 'systemd,login1', '--format', 'json']);
    assert.equal(p.status, 0, p.stderr);
    const parallel = JSON.parse(p.stdout);
    assert.deepEqual(parallel.plugins.systemd, JSON.parse(q.stdout).plugins.systemd);
    assert.deepEqual(parallel.plugins.login1.seats, [{ id: 'seat0' }]);
  });

  it('applies the systemd part of the original op-dbus compat document', () => {
    c.writeFile('etc/systemd/system/opdbus-demo.service', `${SLEEPER}[Install]\nWantedBy=multi-user.target\n`);
    const r = run(['apply', '--plugin', 'systemd', path.join(REPO_ROOT, 'test/fixtures/compat/ovs-bridge-with-address.json')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(c.unitProperty('opdbus-demo.service', 'ActiveState'), 'active');
    assert.equal(c.unitProperty('opdbus-demo.service', 'UnitFileState'), 'enabled');
  });

  it('rolls back unit files written before a crash when opdbus recover runs', () => {
    const file = path.join(c.root, 'etc/systemd/system/opdbus-t-crash.service');
    const doc = writeDoc(dir, 'crash.json', { version: 1, plugins: { systemd: { units: { 'opdbus-t-crash.service': { unit_file: SLEEPER, active_state: 'active' } } } } });
    const r = run(['apply', doc], { OPDBUS_FAILPOINTS: 'systemd.after-files=crash' });
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    assert.equal(fs.readFileSync(file, 'utf8'), SLEEPER);
    const rec = run(['recover']);
    assert.equal(rec.status, 0, rec.stderr);
    assert.equal(fs.existsSync(file), false);
    assert.equal(c.unitProperty('opdbus-t-crash.service', 'LoadState'), 'not-found');
  });

  it('terminates a session under an enforce policy as the last step, and reports observe-only ones', async () => {
    const session = await c.openSession(TEST_USER);
    try {
      const policy = (mode: string) => ({ version: 1, plugins: { login1: { items: [{ id: 'no-guests', mode, selector: { user: TEST_USER }, desired: { present: false } }] } } });
      const observe = writeDoc(dir, 'observe.json', policy('observe-only'));
      const diff = run(['diff', observe]);
      assert.equal(diff.status, 2, diff.stderr);
      assert.ok(diff.stdout.includes(`- login1:session:${session.id} `), diff.stdout);
      assert.match(diff.stdout, /\(observe-only: reported, not applied\)/);
      const verify = run(['verify', observe]);
      assert.equal(verify.status, 2);
      assert.ok(verify.stdout.includes(`/plugins/login1/items/0/desired/present: expected false, found "sessions ${session.id} (no-guests)"`), verify.stdout);
      // Applying an observe-only policy reports and commits: the session is left alone.
      const observed = run(['apply', observe]);
      assert.equal(observed.status, 0, observed.stderr);
      assert.equal(run(['verify', observe]).status, 2);

      const enforce = writeDoc(dir, 'enforce.json', policy('enforce'));
      assert.match(run(['diff', enforce]).stdout, /\(irreversible: runs last, cannot be rolled back\)/);
      const r = run(['apply', enforce]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(run(['verify', enforce]).status, 0);
      await session.ended();
    } finally {
      session.kill();
    }
  });

  it('a failure after a session was terminated is exit 5: the reversible part rolls back, the termination stays', async () => {
    ns.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=0']);
    const session = await c.openSession(TEST_USER);
    try {
      const doc = writeDoc(dir, 'irreversible.json', {
        version: 1,
        plugins: { sysctl: { 'net.ipv4.ip_forward': '1' }, login1: { items: [{ id: 'no-guests', mode: 'enforce', selector: { user: TEST_USER }, desired: { present: false } }] } },
      });
      const r = run(['apply', doc], { OPDBUS_FAILPOINTS: 'login1.after-terminate=error' });
      assert.equal(r.status, 5, r.stderr);
      assert.match(r.stderr, /could not be fully restored: login1: its irreversible actions had already been carried out and cannot be undone\. The host needs attention\./);
      assert.doesNotMatch(r.stderr, /the host is as it was before/);
      assert.equal(ns.sysctl('net.ipv4.ip_forward'), '0', 'the reversible sysctl change was rolled back');
      await session.ended();
      assert.equal(run(['recover']).stdout, 'recover: no unfinished transaction.\n', 'nothing is left for recover to do');
    } finally {
      session.kill();
    }
  });
});
