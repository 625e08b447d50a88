// Runs the real opdbus CLI (bin/opdbus) as a child process, optionally inside a test namespace,
// with a private state directory, and returns its exit code and output.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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
  const base = [process.execPath, OPDBUS_BIN, ...args];
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
