// The dbus plugin: Any D-Bus object property. Not built yet: registered as unavailable so documents naming it get a clear answer.
import { unbuiltPlugin } from '../unbuilt';

export const dbusPlugin = unbuiltPlugin('dbus', 'Any D-Bus object property');
