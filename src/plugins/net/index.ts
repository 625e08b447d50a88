// The net plugin: Kernel links, addresses and routes over rtnetlink. Not built yet: registered as unavailable so documents naming it get a clear answer.
import { unbuiltPlugin } from '../unbuilt';

export const netPlugin = unbuiltPlugin('net', 'Kernel links, addresses and routes over rtnetlink', ['ovs']);
