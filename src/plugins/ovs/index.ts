// The ovs plugin: Open vSwitch bridges, ports and interfaces over OVSDB (RFC 7047). Not built yet: registered as unavailable so documents naming it get a clear answer.
import { unbuiltPlugin } from '../unbuilt';

export const ovsPlugin = unbuiltPlugin('ovs', 'Open vSwitch bridges, ports and interfaces over OVSDB (RFC 7047)');
