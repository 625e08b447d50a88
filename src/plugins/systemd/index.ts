// The systemd plugin: systemd units over D-Bus. Not built yet: registered as unavailable so documents naming it get a clear answer.
import { unbuiltPlugin } from '../unbuilt';

export const systemdPlugin = unbuiltPlugin('systemd', 'systemd units over D-Bus');
