// A V8 code cache for the CLI's own modules, kept the way Python keeps __pycache__: beside the code,
// keyed by each file's size, mtime, ctime, inode and the CRC-32 of its text, written by the first run
// that lacks it, used by every later one. A short-lived command spends more of its time compiling JavaScript than running it: the
// functions a run calls are compiled lazily, one by one, every run. The cache is made when the process
// exits, so it holds every function the run compiled, not just the top level (a cache taken right
// after compiling saves almost nothing; that is why v8-compile-cache does not help here).
//
// Each command keeps its own entries (setProfile, called once the command is known): an entry holds
// the functions of the run that made it, and a module that `query` and `apply` share runs different
// functions in each. Modules loaded before the command is known use the profile "common".
//
// Only CommonJS files inside the package (dist/, node_modules/) are cached; an ES module, a file with
// a hashbang, and every file of a run with source maps on are compiled by Node as usual. A file's
// first line is compiled inside the function wrapper, so columns on line 1 of a stack trace are
// offset by the wrapper's length (line numbers are exact).
//
// The directory is made 0755 and its files 0644; a directory that others can write, or that belongs
// to another user than this one or root, is not read. Entries of other Node versions are removed
// when this version's directory is made. V8 itself refuses data made by
// another V8 version or with other flags (then the file is compiled as usual and the entry rewritten).
// Nothing here can change what a module does: a missing, stale, damaged, unreadable or refused entry
// means an ordinary compile. OPDBUS_COMPILE_CACHE=0 turns it off; a directory that cannot be written is skipped.
//
// This module loads before everything else (bin/opdbus) and uses only Node's built-ins.
import * as fs from 'node:fs';
import Module = require('node:module');
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Node flags change what V8 accepts (and flip the entries back and forth when runs alternate): each set has its own. */
function flagsTag(): string {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  let h = 0;
  for (let i = 0; i < flags.length; i++) h = (Math.imul(h, 31) + flags.charCodeAt(i)) | 0;
  return flags ? `-${(h >>> 0).toString(16)}` : '';
}
export const CACHE_DIR = path.join(ROOT, 'dist', '.v8-cache', `${process.version}-${process.arch}${flagsTag()}`);
let profile = 'common';

/** Entries of modules compiled from now on are kept under this name (a command's name). */
export function setProfile(name: string): void {
  profile = name.replace(/[^A-Za-z0-9_-]/g, '_') || 'common';
}

interface Internals {
  _compile(this: Module, content: string, filename: string, format?: string): unknown;
}

/** A new Node version starts its own directory: the entries of the others are dead weight. */
function dropOtherVersions(): void {
  const base = path.dirname(CACHE_DIR);
  let names: string[] = [];
  try {
    names = fs.readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) if (!name.startsWith(`${process.version}-`)) fs.rmSync(path.join(base, name), { recursive: true, force: true });
}
interface ModuleStatics {
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
  _extensions: unknown;
  _cache: unknown;
  wrap(script: string): string;
}
const statics = Module as unknown as ModuleStatics;

/**
 * What an entry was made from. V8 compares only the source's length, so the key must change with
 * the text: size, mtime, ctime (no tool can set it back) and inode, and the CRC-32 of the text
 * itself, so that a file rewritten in place with its size and times kept (`cp -p`, `rsync -t`, a
 * build with pinned mtimes) is never run from the old file's bytecode.
 */
function stamp(st: fs.Stats, content: string): string {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${crc32!(content)}`;
}

function entryFile(filename: string, under: string): string {
  return path.join(CACHE_DIR, under, path.relative(ROOT, filename).replace(/[/\\]/g, '!') + '.bin');
}

/**
 * CRC-32 of V8's data. V8 checks an entry's version, flags and source length, but not its bytes: a
 * damaged entry aborts the process inside the deserializer. So every entry carries a checksum, and
 * one that does not match is never handed to V8.
 */
const crc32 = (zlib.crc32 as ((data: Uint8Array | string) => number) | undefined) ?? undefined;

/** Directories checked once per run: not writable by others, owned by this user or root. */
const trusted = new Map<string, boolean>();
function isTrusted(dir: string): boolean {
  let ok = trusted.get(dir);
  if (ok === undefined) {
    try {
      const st = fs.statSync(dir);
      ok = (st.mode & 0o022) === 0 && (st.uid === 0 || st.uid === process.getuid?.());
    } catch {
      ok = true; // not made yet: nothing to read from it
    }
    trusted.set(dir, ok);
  }
  return ok;
}

/** An entry: a length-prefixed stamp, the CRC-32 of V8's data, then V8's data. */
function readEntry(file: string, want: string): Buffer | undefined {
  if (!isTrusted(path.dirname(file))) return undefined;
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < 8) return undefined;
  const n = buf.readUInt32LE(0);
  if (8 + n > buf.length || buf.toString('latin1', 4, 4 + n) !== want) return undefined;
  const data = buf.subarray(8 + n);
  return crc32!(data) === buf.readUInt32LE(4 + n) ? data : undefined;
}

function writeEntry(file: string, st: string, data: Buffer): void {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(Buffer.byteLength(st, 'latin1'));
  const sum = Buffer.alloc(4);
  sum.writeUInt32LE(crc32!(data));
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([head, Buffer.from(st, 'latin1'), sum, data]), { mode: 0o644 });
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
/** Why install() left the cache off in this run (for doctor); undefined until it is called. */
let offReason: string | undefined;

/** The first reason this Node or this run cannot use the cache, if any. */
function cannotCache(): string | undefined {
  if (process.env.OPDBUS_COMPILE_CACHE === '0') return 'OPDBUS_COMPILE_CACHE=0';
  // zlib.crc32 (Node 20.15) and vm's default loader for import() (20.12).
  if (!crc32) return `Node ${process.version} has no zlib.crc32`;
  if (vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER === undefined) return `Node ${process.version} has no vm default loader`;
  if (process.sourceMapsEnabled) return 'source maps are on (Node applies them only in its own compile path)';
  return undefined;
}

/** One line for `opdbus doctor`: whether this run uses the cache, where, and how much it holds. */
export function describeCompileCache(): string {
  if (!installed) return `off (${offReason ?? 'not started through bin/opdbus'})`;
  let entries = 0;
  let bytes = 0;
  try {
    for (const dir of fs.readdirSync(CACHE_DIR)) {
      for (const name of fs.readdirSync(path.join(CACHE_DIR, dir))) {
        entries++;
        bytes += fs.statSync(path.join(CACHE_DIR, dir, name)).size;
      }
    }
  } catch {
    // not created yet
  }
  let writable = true;
  try {
    fs.accessSync(fs.existsSync(CACHE_DIR) ? CACHE_DIR : path.join(ROOT, 'dist'), fs.constants.W_OK);
  } catch {
    writable = false;
  }
  return `${CACHE_DIR} (${entries} entries, ${(bytes / 1048576).toFixed(1)} MB)${writable ? '' : '; not writable: new entries are not kept'}`;
}

/** Routes the package's modules through the cache; writes the missing entries when the process exits. */
export function install(): void {
  if (installed) return;
  offReason = cannotCache();
  if (offReason) return;
  installed = true;
  const proto = Module.prototype as unknown as Internals;
  const compile = proto._compile;
  const made: { file: string; stamp: string; script: vm.Script }[] = [];
  const inside = ROOT + path.sep;

  proto._compile = function (this: Module, content: string, filename: string, format?: string) {
    // ES modules (require() of ESM, Node 20.19+) and files with a hashbang: Node compiles them as usual.
    if (format === 'module' || !filename.startsWith(inside) || filename.startsWith(CACHE_DIR) || content.startsWith('#!')) {
      return compile.apply(this, arguments as unknown as [string, string]);
    }
    let st: string;
    try {
      st = stamp(fs.statSync(filename), content);
    } catch {
      return compile.apply(this, arguments as unknown as [string, string]);
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
      if (!fs.existsSync(CACHE_DIR)) dropOtherVersions();
      for (const dir of new Set(made.map((m) => path.dirname(m.file)))) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
        if (!isTrusted(dir)) return;
      }
      for (const m of made) writeEntry(m.file, m.stamp, m.script.createCachedData());
    } catch {
      // A read-only or full file system: the next run compiles as this one did.
    }
  });
}
