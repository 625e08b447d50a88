// The one place that loads the compiled addon. Everything native goes through `native()`, so a
// missing or broken build fails with one message that tells the user how to fix it.
import * as path from 'node:path';
import { OpdbusError } from '../errors';

/** The addon's exports; each native module adds its functions (see native/<module>/). */
export interface NativeAddon {
  modules: string[];
  abiVersion: number;
  tryLock(path: string): number | null;
  unlock(fd: number): void;
  [fn: string]: unknown;
}

/** The shape of errors thrown by the addon (native/core/errors.cc). */
export interface NativeError extends Error {
  code: string;
  errno: number;
  syscall: string;
  subject?: string;
  detail?: string;
  opdbusNative: true;
}

export function isNativeError(err: unknown): err is NativeError {
  return err instanceof Error && (err as Partial<NativeError>).opdbusNative === true;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CANDIDATES = [
  process.env.OPDBUS_ADDON,
  path.join(ROOT, 'build', 'Release', 'opdbus.node'),
  path.join(ROOT, 'build', 'Debug', 'opdbus.node'),
].filter((p): p is string => !!p);

let loaded: NativeAddon | undefined;

export function native(): NativeAddon {
  if (loaded) return loaded;
  const failures: string[] = [];
  for (const candidate of CANDIDATES) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      loaded = require(candidate) as NativeAddon;
      return loaded;
    } catch (err) {
      failures.push(`${candidate}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new OpdbusError(
    'Unavailable',
    'ADDON_MISSING',
    `the opdbus native addon could not be loaded. Build it with \`npm run build:native\` ` +
      `(needs python3, make and g++), or set OPDBUS_ADDON to the path of opdbus.node.\n  tried: ${failures.join('\n  tried: ')}`,
  );
}
