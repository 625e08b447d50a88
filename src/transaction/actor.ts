// Who is running this transaction: recorded in every transaction record (and so in the ledger).
import * as os from 'node:os';
import type { Actor } from './record';

export function currentActor(): Actor {
  let user = String(process.getuid?.() ?? 'unknown');
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep the numeric uid
  }
  const actor: Actor = {
    uid: process.getuid?.() ?? -1,
    user,
    command: ['opdbus', ...process.argv.slice(2)].join(' '),
    pid: process.pid,
  };
  if (process.env.SUDO_USER) actor.sudoUser = process.env.SUDO_USER;
  return actor;
}
