// A V8 code cache for the CLI's own modules, kept the way Python keeps __pycache__: beside the code,
// keyed by each file's size, mtime and inode, written by the first run that lacks it, used by every
// later one. A short-lived command spends more of its time compiling JavaScript than running it: the
// functions a run calls are compiled lazily, one by one, every run. The cache is made when the process
// exits, so it holds every function the run compiled, not just the top level (a cache taken right
// after compiling saves almost nothing; that is why v8-compile-cache does not help here).
//
// Each command keeps its own entries (setProfile, called once the command is known): an entry holds
// the functions of the run that made it, and a module that `query` and `apply` share runs different
// functions in each. Modules loaded before the command is known use the profile "common".
//
// Only files inside the package (dist/, node_modules/) are cached. V8 itself refuses data made by
// another V8 version or with other flags (then the file is compiled as usual and the entry rewritten).
// Nothing here can change what a module does: a missing, stale, unreadable or refused entry means an
// ordinary compile. OPDBUS_COMPILE_CACHE=0 turns it off; a directory that cannot be written is skipped.
//
// This module loads before everything else (bin/opdbus) and uses only Node's built-ins.
import * as fs from 'node:fs';
import Module = require('node:module');
import * as path from 'node:path';
import * as vm from 'node:vm';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const CACHE_DIR = path.join(ROOT, 'dist', '.v8-cache', `${process.version}-${process.arch}`);
let profile = 'common';

/** Entries of modules compiled from now on are kept under this name (a command's name). */
export function setProfile(name: string): void {
  profile = name.replace(/[^A-Za-z0-9_-]/g, '_') || 'common';
}

interface Internals {
  _compile(this: Module, content: string, filename: string): unknown;
}
interface ModuleStatics {
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
  _extensions: unknown;
  _cache: unknown;
  wrap(script: string): string;
}
const statics = Module as unknown as ModuleStatics;

/** What an entry was made from: a file with the same size, mtime and inode has the same source. */
function stamp(st: fs.Stats): string {
  return `${st.size}:${st.mtimeMs}:${st.ino}`;
}

function entryFile(filename: string, under: string): string {
  return path.join(CACHE_DIR, under, path.relative(ROOT, filename).replace(/[/\\]/g, '!') + '.bin');
}

/** An entry: a length-prefixed stamp, then V8's data. */
function readEntry(file: string, want: string): Buffer | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < 4) return undefined;
  const n = buf.readUInt32LE(0);
  if (4 + n > buf.length || buf.toString('latin1', 4, 4 + n) !== want) return undefined;
  return buf.subarray(4 + n);
}

function writeEntry(file: string, st: string, data: Buffer): void {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(Buffer.byteLength(st, 'latin1'));
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([head, Buffer.from(st, 'latin1'), data]));
    fs.renameSync(tmp, file); // readers see the old entry or the new one, never half of one
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** The `require` Node gives a module (Node's own maker is internal; this is the public equivalent). */
function makeRequire(mod: Module): NodeJS.Require {
  const require = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) => statics._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => statics._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = statics._extensions as NodeJS.RequireExtensions;
  require.cache = statics._cache as NodeJS.Dict<NodeModule>;
  return require;
}

let installed = false;

/** Routes the package's modules through the cache; writes the missing entries when the process exits. */
export function install(): void {
  if (installed || process.env.OPDBUS_COMPILE_CACHE === '0') return;
  installed = true;
  const proto = Module.prototype as unknown as Internals;
  const compile = proto._compile;
  const made: { file: string; stamp: string; script: vm.Script }[] = [];
  const inside = ROOT + path.sep;

  proto._compile = function (this: Module, content: string, filename: string) {
    if (!filename.startsWith(inside) || filename.startsWith(CACHE_DIR)) return compile.call(this, content, filename);
    let st: string;
    try {
      st = stamp(fs.statSync(filename));
    } catch {
      return compile.call(this, content, filename);
    }
    const file = entryFile(filename, profile);
    const cachedData = readEntry(file, st);
    const script = new vm.Script(statics.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (!cachedData || script.cachedDataRejected) made.push({ file, stamp: st, script });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };

  process.once('exit', () => {
    if (made.length === 0) return;
    try {
      for (const dir of new Set(made.map((m) => path.dirname(m.file)))) fs.mkdirSync(dir, { recursive: true });
      for (const m of made) writeEntry(m.file, m.stamp, m.script.createCachedData());
    } catch {
      // A read-only or full file system: the next run compiles as this one did.
    }
  });
}
