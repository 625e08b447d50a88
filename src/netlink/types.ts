// The kernel's objects as the addon dumps them (native/netlink/*.cc writes exactly these fields) and
// the change requests it accepts. Plain data: they cross worker threads unchanged.

export interface RawLink {
  index: number;
  name: string;
  /** ARPHRD_* hardware type (1 = ether, 772 = loopback). */
  type: number;
  /** IFF_* flags. */
  flags: number;
  mtu?: number;
  mac?: string;
  broadcast?: string;
  operstate?: string;
  /** ifindex of the bridge (or other controller) this link is enslaved to. */
  master?: number;
  /** ifindex of the parent (macvlan base) or of the veth peer. */
  link?: number;
  linkNetnsid?: number;
  qdisc?: string;
  txqlen?: number;
  group?: number;
  linkmode?: number;
  /** IFLA_INFO_KIND: veth, bridge, ifb, vxlan, macvlan, macvtap, tun, openvswitch ... */
  kind?: string;
  slaveKind?: string;
  info?: { id?: number; remote?: string; local?: string; dstport?: number; dev?: number; mode?: string; tunType?: 'tun' | 'tap'; stp?: number; vlanFiltering?: number };
  stats?: Record<string, number>;
}

export interface RawAddr {
  index: number;
  family: 4 | 6;
  prefix: number;
  scope: number;
  flags: number;
  local: string;
  peer?: string;
  broadcast?: string;
  label?: string;
  valid?: number;
  preferred?: number;
}

export interface RawRoute {
  family: 4 | 6;
  table: number;
  /** "" for the default route. */
  dst: string;
  dstLen: number;
  src?: string;
  srcLen?: number;
  gateway?: string;
  oif?: number;
  metric?: number;
  prefsrc?: string;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
  tos?: number;
  nexthops?: { oif: number; weight: number; gateway?: string }[];
}

export interface RawNeigh {
  family: 4 | 6;
  index: number;
  dst?: string;
  lladdr?: string;
  state: number;
  flags: number;
}

export interface RawDump {
  link?: RawLink[];
  addr?: RawAddr[];
  route?: RawRoute[];
  neigh?: RawNeigh[];
}
export type DumpKind = keyof RawDump;

/** One change for the addon. Names (dev, master, bases) are resolved to ifindexes natively. */
export interface LinkRequest {
  op: 'newlink' | 'setlink' | 'dellink';
  subject: string;
  name: string;
  /** setlink only: rename the link (it must be down). */
  newName?: string;
  kind?: string;
  peer?: string;
  /** A bridge name, or null to detach; absent = unchanged. */
  master?: string | null;
  mac?: string;
  mtu?: number;
  up?: boolean;
  vxlanId?: number;
  vxlanRemote?: string;
  vxlanLocal?: string;
  vxlanPort?: number;
  vxlanDev?: string;
  macvlanMode?: string;
  macvlanBase?: string;
  tunType?: 'tun' | 'tap';
}

export interface AddrRequest {
  op: 'newaddr' | 'deladdr';
  subject: string;
  family: 4 | 6;
  dev: string;
  address: string;
  prefix: number;
}

export interface RouteRequest {
  op: 'newroute' | 'replaceroute' | 'delroute';
  subject: string;
  family: 4 | 6;
  /** Destination network address; omitted with prefix 0 for a default route. */
  address?: string;
  prefix: number;
  gateway?: string;
  dev?: string;
  table: number;
  metric?: number;
  protocol?: number;
  scope?: number;
  type?: number;
}

/** Every request may carry the document path it came from, for errors (the addon ignores it). */
export type NetlinkRequest = (LinkRequest | AddrRequest | RouteRequest) & { path?: string };

/** One event from a multicast subscription. */
export type NetlinkEvent =
  | { event: 'link'; action: 'new' | 'del'; object: RawLink }
  | { event: 'addr'; action: 'new' | 'del'; object: RawAddr }
  | { event: 'route'; action: 'new' | 'del'; object: RawRoute }
  | { event: 'neigh'; action: 'new' | 'del'; object: RawNeigh }
  | { event: 'overrun' }
  | { event: 'error'; errno: number };
