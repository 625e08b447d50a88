// The login1 plugin: logind seats, users and session policies over D-Bus. Not built yet: registered as unavailable so documents naming it get a clear answer.
import { unbuiltPlugin } from '../unbuilt';

export const login1Plugin = unbuiltPlugin('login1', 'logind seats, users and session policies over D-Bus');
