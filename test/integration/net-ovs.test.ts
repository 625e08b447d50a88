// The original op-dbus documents end to end with a real Open vSwitch: the ovs plugin makes the bridge
// and its internal port (a tap device ovs-vswitchd creates in the test namespace), then net, which
// depends on ovs, waits for that device and gives it its state, address and default route.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/exit-codes';
import { REPO_ROOT, opdbus, tempDir, writeDoc } from '../harness/cli';
import { ipJson } from '../harness/net';
import { startOvs, type TestOvs } from '../harness/ovs';

describe('net + ovs: op-dbus ovs-bridge documents', () => {
  let ovs: TestOvs;
  let stateDir: string;
  let config: string;
  before(() => {
    ovs = startOvs();
    stateDir = tempDir();
    config = writeDoc(tempDir(), 'config.yaml', 'plugins:\n  ovs:\n    datapath_type: netdev\n');
    ovs.netns.exec('ip', ['link', 'add', 'veth-up0', 'type', 'veth', 'peer', 'name', 'veth-up0p']);
  });
  after(() => ovs.stop());

  it('ovs-bridge-with-address.json: bridge, internal port up with its address and gateway', () => {
    const doc = path.join(REPO_ROOT, 'test', 'fixtures', 'compat', 'ovs-bridge-with-address.json');
    const args = ['--netns', ovs.netns.name, '--ovsdb', ovs.endpoint, '--config', config];
    const r = opdbus([...args, 'apply', '--plugin', 'ovs,net', doc], { stateDir });
    assert.equal(r.status, EXIT.OK, r.stdout + r.stderr);
    assert.match(ovs.vsctl('list-ports', 'ovsbr0'), /veth-up0/);
    const [link] = ipJson(ovs.netns.name, ['addr', 'show', 'dev', 'ovsbr0']);
    assert.ok(link.flags.includes('UP'));
    assert.deepEqual(link.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`), ['10.20.0.1/24']);
    assert.deepEqual(ipJson(ovs.netns.name, ['route', 'show', 'default']).map((x: any) => [x.gateway, x.dev]), [['10.20.0.254', 'ovsbr0']]);
    const d = opdbus([...args, 'diff', '--plugin', 'ovs,net', doc], { stateDir });
    assert.equal(d.status, EXIT.OK, d.stdout + d.stderr);
  });

  it('a gateway the kernel refuses rolls back both plugins: no bridge, no device, no address', () => {
    const doc = writeDoc(tempDir(), 'bad.json', {
      version: 1,
      plugins: { net: { interfaces: [{ name: 'ovsbr9', type: 'ovs-bridge', ports: [], ipv4: { enabled: true, dhcp: false, address: [{ ip: '10.40.0.1', prefix: 24 }], gateway: '172.31.0.1' } }] } },
    });
    const beforeLinks = ipJson(ovs.netns.name, ['link', 'show']).map((l: any) => l.ifname).sort();
    const r = opdbus(['--netns', ovs.netns.name, '--ovsdb', ovs.endpoint, '--config', config, 'apply', doc], { stateDir });
    assert.equal(r.status, EXIT.APPLY_FAILED_ROLLED_BACK);
    assert.match(r.stderr, /RTM_NEWROUTE replace route default via 172\.31\.0\.1 dev ovsbr9 table 254 metric 0: Network is unreachable \(ENETUNREACH\)/);
    assert.doesNotMatch(ovs.vsctl('list-br'), /ovsbr9/);
    const deadline = Date.now() + 5000;
    const links = () => ipJson(ovs.netns.name, ['link', 'show']).map((l: any) => l.ifname).sort();
    while (Date.now() < deadline && links().includes('ovsbr9')) ovs.netns.exec('sleep', ['0.05']);
    assert.deepEqual(links(), beforeLinks);
    // The default route it tried to replace is the one the first document made, untouched.
    assert.deepEqual(ipJson(ovs.netns.name, ['route', 'show', 'default']).map((x: any) => [x.gateway, x.dev]), [['10.20.0.254', 'ovsbr0']]);
  });
});
