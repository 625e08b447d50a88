// Plain-words descriptions of objects whose own data carries none (sysctl keys, interface types), so
// the text view says "IPv4 packet forwarding" next to net.ipv4.ip_forward. Units bring their own
// systemd Description; these are the same idea for the kernel.

export const SYSCTL_DESCRIPTIONS: Record<string, string> = {
  'fs.file-max': 'maximum number of open files',
  'fs.inotify.max_user_watches': 'maximum file watches per user',
  'kernel.panic': 'seconds before rebooting after a kernel panic',
  'kernel.pid_max': 'maximum process id',
  'net.core.netdev_max_backlog': 'network receive queue length',
  'net.core.rmem_max': 'maximum socket receive buffer',
  'net.core.wmem_max': 'maximum socket send buffer',
  'net.core.somaxconn': 'maximum listen backlog of a socket',
  'net.ipv4.conf.all.forwarding': 'IPv4 packet forwarding, routing between interfaces',
  'net.ipv4.ip_forward': 'IPv4 packet forwarding, routing between interfaces',
  'net.ipv4.conf.all.rp_filter': 'reverse path filtering, anti spoofing',
  'net.ipv4.conf.default.rp_filter': 'reverse path filtering, anti spoofing',
  'net.ipv4.ip_local_port_range': 'local port range for outgoing connections',
  'net.ipv4.tcp_syncookies': 'TCP SYN cookies, protection against SYN flood attacks',
  'net.ipv6.conf.all.disable_ipv6': 'IPv6 disabled',
  'net.ipv6.conf.default.disable_ipv6': 'IPv6 disabled',
  'net.ipv6.conf.all.forwarding': 'IPv6 packet forwarding, routing between interfaces',
  'net.netfilter.nf_conntrack_max': 'size of the connection tracking table of the firewall',
  'net.bridge.bridge-nf-call-iptables': 'firewall filtering of bridged traffic',
  'vm.max_map_count': 'maximum memory map areas per process',
  'vm.overcommit_memory': 'memory overcommit policy',
  'vm.swappiness': 'how aggressively the kernel swaps memory to disk',
};

export const KIND_DESCRIPTIONS: Record<string, string> = {
  ethernet: 'physical network card',
  loopback: 'loopback',
  vlan: 'tagged VLAN interface',
  vxlan: 'VXLAN tunnel interface',
  geneve: 'Geneve tunnel interface',
  gre: 'GRE tunnel interface',
  bond: 'bonded link aggregation',
  bridge: 'Linux bridge',
  'ovs-interface': 'Open vSwitch bridge internal interface',
  'ovs-bridge': 'Open vSwitch bridge',
  veth: 'virtual ethernet pair',
  tun: 'TUN tunnel device',
  tap: 'virtual machine TAP device',
  dummy: 'dummy interface',
  wireguard: 'WireGuard VPN tunnel',
};

/** A description for an object without one of its own, from its plugin, name and type. */
export function describe(plugin: string, name: string, type: unknown): string | undefined {
  if (plugin === 'sysctl') return SYSCTL_DESCRIPTIONS[name];
  if (typeof type === 'string') return KIND_DESCRIPTIONS[type];
  if (plugin === 'ovs') return 'Open vSwitch';
  return undefined;
}

/** Port and link name prefixes with a conventional meaning on hypervisors and container hosts. */
const NAME_PREFIXES: [RegExp, string][] = [
  [/^(tap|vnet)/, 'virtual machine port'],
  [/^veth/, 'container port'],
  [/^(vxlan|geneve|gre)/, 'tunnel port'],
  [/^patch-/, 'patch port between bridges'],
  [/^(bond|team)/, 'bonded link'],
];

/** "tap-vm3" -> "tap-vm3 (virtual machine port)"; other names unchanged. */
export function annotateName(name: string): string {
  const hit = NAME_PREFIXES.find(([re]) => re.test(name));
  return hit ? `${name} (${hit[1]})` : name;
}

/** Values whose meaning is not in the number: an MTU above 1500 means jumbo frames. */
export function annotateValue(field: string, value: unknown): string | undefined {
  if (/(^|[._])mtu$/.test(field) && typeof value === 'number') return value > 1500 ? 'jumbo frames' : 'standard frames';
  return undefined;
}
