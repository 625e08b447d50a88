// Semantic checks before anything runs: every object reachable and introspectable, every property
// present, writable and given a value of its D-Bus type. A read-only property fails here, not halfway.
import type { PluginContext, ValidationIssue } from '../../plugin/contract';
import { OpdbusError } from '../../errors';
import { busAbsentReason, resolveBusAddress } from '../../dbus/address';
import { parseSingleType } from '../../dbus/signature';
import { jsonToDbus, ValueTypeError } from '../../dbus/values';
import { pointer } from '../../util/pointer';
import { interfaceOf, withPool } from './query';
import type { DbusState } from './schema';

export function validateDbus(desired: DbusState, ctx: PluginContext): Promise<ValidationIssue[]> {
  return withPool(ctx, async (pool) => {
    const issues: ValidationIssue[] = [];
    for (const [i, o] of desired.objects.entries()) {
      const at = (...tokens: (string | number)[]) => pointer(['objects', i, ...tokens]);
      let address: string;
      try {
        address = resolveBusAddress(ctx.config, o.bus);
      } catch (err) {
        issues.push({ path: at('bus'), message: (err as Error).message, found: o.bus });
        continue;
      }
      const absent = await busAbsentReason(address, 'bus');
      if (absent) {
        issues.push({ path: at('bus'), message: absent, found: o.bus });
        continue;
      }
      let info;
      try {
        info = await interfaceOf(pool, o, i);
      } catch (err) {
        const e = err as OpdbusError;
        issues.push({ path: at(e.code === 'DBUS_NO_INTERFACE' ? 'interface' : 'service'), message: e.message, found: e.code === 'DBUS_NO_INTERFACE' ? o.interface : o.service });
        continue;
      }
      for (const [name, value] of Object.entries(o.properties)) {
        const prop = info[name];
        if (!prop) issues.push({ path: at('properties', name), message: `${o.interface} has no property ${name} (it has: ${Object.keys(info).sort().join(', ') || 'none'})`, found: name });
        else if (prop.access === 'read') issues.push({ path: at('properties', name), message: `${o.interface}.${name} is read-only`, found: value });
        else {
          try {
            jsonToDbus(parseSingleType(prop.type), value);
          } catch (err) {
            if (!(err instanceof ValueTypeError)) throw err;
            issues.push({ path: at('properties', name) + err.where, message: err.message, found: value });
          }
        }
      }
    }
    return issues;
  });
}
