// Signed checkpoints (tree size, root, time) with the host's ed25519 key. The key is generated on
// first use, kept with mode 0600 in the ledger directory; its id (SHA-256 of the raw public key) is
// written into every block, so a replaced key is caught even when every checkpoint is re-signed.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { OpdbusError } from '../errors';
import { fsyncDir } from '../util/fsync';
import { readLines, type LedgerPaths } from './paths';

export interface Checkpoint {
  /** The log's name: "opdbus-ledger/<host>". */
  origin: string;
  size: number;
  /** Hex RFC 6962 root of the first `size` blocks. */
  root: string;
  time: string;
  keyId: string;
  /** Base64 ed25519 signature over checkpointMessage(). */
  sig: string;
}

export interface HostKey {
  publicKey: crypto.KeyObject;
  privateKey?: crypto.KeyObject;
  keyId: string;
  /** The raw 32-byte public key, base64: what proofs carry for offline checking. */
  publicRaw: string;
}

export function checkpointMessage(c: Omit<Checkpoint, 'sig' | 'keyId'>): Buffer {
  return Buffer.from(`opdbus-ledger checkpoint v1\n${c.origin}\n${c.size}\n${c.root}\n${c.time}\n`);
}

export function rawPublicKey(publicKey: crypto.KeyObject): Buffer {
  // An ed25519 SPKI DER is a fixed 12-byte header followed by the 32-byte key.
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
}

export function keyIdOf(publicKey: crypto.KeyObject): string {
  return crypto.createHash('sha256').update(rawPublicKey(publicKey)).digest('hex');
}

export function publicKeyFromRaw(raw: string): crypto.KeyObject {
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 32) throw new OpdbusError('InvalidInput', 'PUBLIC_KEY', `public key: expected 32 bytes of base64, found ${bytes.length}`);
  return crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), bytes]), format: 'der', type: 'spki' });
}

function hostKeyFrom(publicKey: crypto.KeyObject, privateKey?: crypto.KeyObject): HostKey {
  return { publicKey, privateKey, keyId: keyIdOf(publicKey), publicRaw: rawPublicKey(publicKey).toString('base64') };
}

/** The signing key's PEM; generated (mode 0600) when the ledger has none yet. */
export function readOrCreatePrivateKey(paths: LedgerPaths): Buffer {
  if (!fs.existsSync(paths.privateKey)) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    // wx: never overwrite a key another process created meanwhile.
    try {
      fs.writeFileSync(paths.privateKey, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
      fs.writeFileSync(paths.publicKey, publicKey.export({ format: 'pem', type: 'spki' }), { mode: 0o644 });
      fsyncDir(paths.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return fs.readFileSync(paths.privateKey);
}

export function hostKeyFromPem(pem: Buffer): HostKey {
  const privateKey = crypto.createPrivateKey(pem);
  return hostKeyFrom(crypto.createPublicKey(privateKey), privateKey);
}

/** The signing key; generated (mode 0600) when the ledger has none yet. */
export function loadOrCreateHostKey(paths: LedgerPaths): HostKey {
  return hostKeyFromPem(readOrCreatePrivateKey(paths));
}

/** The public key only (what `audit verify` needs); undefined when the ledger has none. */
export function loadPublicKey(paths: LedgerPaths): HostKey | undefined {
  if (!fs.existsSync(paths.publicKey)) return undefined;
  return hostKeyFrom(crypto.createPublicKey(fs.readFileSync(paths.publicKey)));
}

export function signCheckpoint(key: Pick<HostKey, 'keyId' | 'privateKey'>, c: Omit<Checkpoint, 'sig' | 'keyId'>): Checkpoint {
  if (!key.privateKey) throw new OpdbusError('Bug', 'NO_PRIVATE_KEY', 'signing needs the private host key');
  return { ...c, keyId: key.keyId, sig: crypto.sign(null, checkpointMessage(c), key.privateKey).toString('base64') };
}

export function checkpointSignatureValid(publicKey: crypto.KeyObject, c: Checkpoint): boolean {
  try {
    return crypto.verify(null, checkpointMessage(c), publicKey, Buffer.from(c.sig, 'base64'));
  } catch {
    return false;
  }
}

export function parseCheckpoint(line: Buffer): Checkpoint | undefined {
  try {
    const c = JSON.parse(line.toString('utf8')) as Checkpoint;
    const ok = typeof c.origin === 'string' && Number.isSafeInteger(c.size) && c.size >= 0 && typeof c.root === 'string' && /^[0-9a-f]{64}$/.test(c.root) &&
      typeof c.time === 'string' && typeof c.keyId === 'string' && typeof c.sig === 'string';
    return ok ? c : undefined;
  } catch {
    return undefined;
  }
}

/** Every complete checkpoint line; a damaged one is an integrity error (verify names it precisely). */
export function readCheckpoints(paths: LedgerPaths): Checkpoint[] {
  return readLines(paths.checkpoints).lines.map((line, n) => {
    const cp = parseCheckpoint(line);
    if (!cp) throw new OpdbusError('Integrity', 'LEDGER_CHECKPOINT', `${paths.checkpoints}: checkpoint ${n + 1} is damaged (run \`opdbus audit verify\`)`, { path: paths.checkpoints });
    return cp;
  });
}
