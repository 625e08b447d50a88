// Checks JSON Schema cannot express: names unique across the document (OVS names are global), kernel
// name length for device-backed interfaces, and the options each interface type needs.
import type { ValidationIssue } from '../../plugin/contract';
import { pointer } from '../../util/pointer';
import type { OvsState } from './model';

const REQUIRED_OPTION: Record<string, string> = { patch: 'peer', vxlan: 'remote_ip', geneve: 'remote_ip' };

export function validateOvs(desired: OvsState): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = { bridge: new Map<string, string>(), port: new Map<string, string>(), interface: new Map<string, string>() };
  const unique = (kind: keyof typeof seen, name: string, path: string) => {
    const first = seen[kind].get(name);
    if (first !== undefined) issues.push({ path, message: `${kind} ${name} is already named at ${first}; OVS ${kind} names are unique`, found: name });
    else seen[kind].set(name, path);
  };
  (desired.bridges ?? []).forEach((b, bi) => {
    unique('bridge', b.name, pointer(['bridges', bi, 'name']));
    (b.ports ?? []).forEach((p, pi) => {
      unique('port', p.name, pointer(['bridges', bi, 'ports', pi, 'name']));
      (p.interfaces ?? []).forEach((i, ii) => {
        const at = ['bridges', bi, 'ports', pi, 'interfaces', ii];
        unique('interface', i.name, pointer([...at, 'name']));
        if ((!i.type || i.type === 'internal' || i.type === 'system') && i.name.length > 15) {
          issues.push({ path: pointer([...at, 'name']), message: `${i.type ?? 'system'} interfaces are kernel devices: the name must be at most 15 characters`, found: i.name });
        }
        const need = i.type ? REQUIRED_OPTION[i.type] : undefined;
        if (need && !i.options?.[need]) issues.push({ path: pointer([...at, 'options', need]), message: `a ${i.type} interface needs options.${need}`, found: i.options ?? null });
      });
    });
  });
  return issues;
}
