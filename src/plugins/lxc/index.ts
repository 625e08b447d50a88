// The lxc plugin: LXC containers. Not built yet: registered as unavailable so documents naming it get a clear answer.
import { unbuiltPlugin } from '../unbuilt';

export const lxcPlugin = unbuiltPlugin('lxc', 'LXC containers');
