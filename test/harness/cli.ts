// Runs the real opdbus CLI (bin/opdbus) as a child process, optionally inside a test namespace,
// with a private state directory, and returns its exit code and output.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { createNetns, type TestNetns } from './netns';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const OPDBUS_BIN = path.join(REPO_ROOT, 'bin', 'opdbus');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  netns?: string;
  stateDir?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

function command(args: string[], opts: CliOptions): { cmd: string; argv: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  if (opts.stateDir) env.OPDBUS_STATE_DIR = opts.stateDir;
  delete env.OPDBUS_CONFIG;
  env.OPDBUS_NODE = process.execPath; // bin/opdbus starts this Node
  const base = [OPDBUS_BIN, ...args];
  return opts.netns ? { cmd: 'ip', argv: ['netns', 'exec', opts.netns, ...base], env } : { cmd: base[0], argv: base.slice(1), env };
}

export function opdbus(args: string[], opts: CliOptions = {}): CliResult {
  const { cmd, argv, env } = command(args, opts);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', input: opts.input ?? '', env, maxBuffer: 512 * 1024 * 1024 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export function opdbusAsync(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const { cmd, argv, env } = command(args, opts);
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory, removed when the test process exits (pass or fail). */
export function tempDir(prefix = 'opdbus-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function writeDoc(dir: string, name: string, doc: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

/** A test namespace, a directory for documents and a private state directory, with the CLI bound to them. */
export interface NamespaceCli {
  readonly ns: TestNetns;
  readonly dir: string;
  readonly stateDir: string;
  /** Runs bin/opdbus inside the namespace with this fixture's state directory. */
  run(args: string[], env?: NodeJS.ProcessEnv, input?: string): CliResult;
}

/**
 * Registers the hooks of the usual integration fixture in the calling test file: the namespace is
 * made before its tests and removed after them (pass or fail); with `stateDirPerTest`, every test gets
 * a fresh state directory (no journal, ledger or lock left over from the one before).
 */
export function namespaceCli(opts: { stateDirPerTest?: boolean } = {}): NamespaceCli {
  let ns: TestNetns | undefined;
  let dir = '';
  let stateDir = '';
  before(() => {
    ns = createNetns();
    dir = tempDir();
    stateDir = tempDir();
  });
  if (opts.stateDirPerTest) beforeEach(() => void (stateDir = tempDir()));
  after(() => ns?.remove());
  return {
    get ns() {
      if (!ns) throw new Error('namespaceCli: used outside a test');
      return ns;
    },
    get dir() {
      return dir;
    },
    get stateDir() {
      return stateDir;
    },
    run(args, env = {}, input) {
      return opdbus(args, { netns: this.ns.name, stateDir, env, input });
    },
  };
}
