// Durations on the command line: "500ms", "30s", "2m", "1h"; a bare number means seconds.
import { OpdbusError } from '../errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new OpdbusError('InvalidInput', 'USAGE', `${flag}: expected a duration like 500ms, 30s, 2m or 1h, found "${text}"`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']);
}
