// `opdbus init`: a starter document (commented YAML), or with --from-current the host's current state.
import type { Command } from 'commander';
import { queryPlugins } from '../../query/run';
import { commandContext } from '../context';
import { parseFormat, render } from '../output';
import { yaml } from '../../util/yaml';

const STARTER = `# opdbus desired-state document. Apply with: opdbus apply FILE (see opdbus apply --help)
# A plugin absent from this document is left alone; so is every object a section does not name.
version: 1
plugins:
  # Kernel parameters (/proc/sys). net.* keys belong to the network namespace opdbus runs in.
  sysctl:
    net.ipv4.ip_forward: "1"
  # Links, addresses and routes (rtnetlink):
  # net:
  #   interfaces:
  #     - { name: br0, type: bridge, state: up, ipv4: { enabled: true, address: [{ ip: 10.0.0.1, prefix: 24 }] } }
  #   routes:
  #     - { destination: default, gateway: 10.0.0.254 }
  # Open vSwitch (OVSDB):
  # ovs:
  #   bridges:
  #     - { name: ovsbr0, ports: [{ name: ovsbr0, interfaces: [{ name: ovsbr0, type: internal }] }] }
  # systemd units (D-Bus):
  # systemd:
  #   units:
  #     nginx.service: { active_state: active, enabled: true }
`;

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('print a starter desired-state document (or, with --from-current, the current state)')
    .option('--from-current', 'query every available plugin and print the result as the document')
    .addHelpText('after', '\nExamples:\n  opdbus init > host.yaml\n  opdbus init --from-current --format json > host.json\n')
    .action(async (opts: { fromCurrent?: boolean }, cmd: Command) => {
      const format = parseFormat(cmd.optsWithGlobals().format, ['json', 'yaml'], 'yaml');
      if (!opts.fromCurrent) {
        process.stdout.write(format === 'yaml' ? STARTER : render(yaml().parse(STARTER), 'json'));
        return;
      }
      const { config, registry } = commandContext(cmd);
      const outcomes = await queryPlugins({ plugins: registry.select(config.enabledPlugins).names(), config, parallel: false });
      const plugins: Record<string, unknown> = {};
      for (const o of outcomes) {
        if (o.status === 'ok') plugins[o.plugin] = o.section;
        else process.stderr.write(`opdbus: ${o.plugin}: left out: ${o.status === 'unavailable' ? o.reason : o.error.message}\n`);
      }
      process.stdout.write(render({ version: 1, plugins }, format));
    });
}
