// Process exit codes, one per outcome. Documented in README.md ("Exit codes"); scripts rely on them,
// so a code, once published, never changes meaning.
import type { ErrorKind } from './errors';

export const EXIT = {
  /** Done; for diff/verify/dry-run: nothing to change. */
  OK: 0,
  /** An unexpected internal error (a bug in opdbus). */
  BUG: 1,
  /** diff / apply --dry-run / verify: the host differs from the document (changes pending). */
  CHANGES_PENDING: 2,
  /** Bad input: document, flags, arguments. Nothing was changed. */
  INVALID_INPUT: 3,
  /** apply failed and everything it had changed was rolled back. The host is as before. */
  APPLY_FAILED_ROLLED_BACK: 4,
  /** apply failed and rollback failed too: the host needs attention (see the message and journal). */
  ROLLBACK_FAILED: 5,
  /** Another transaction holds the host lock (after --lock-timeout, if waiting). */
  LOCKED: 6,
  /** A plugin the command needs is unavailable on this host (no backend). */
  PLUGIN_UNAVAILABLE: 7,
  /** query: some plugins failed; the others' state was still printed. */
  PARTIAL_FAILURE: 8,
  /** A backend failed outside a transaction (query, verify), or a named object was not found. */
  BACKEND_FAILED: 9,
  /** The audit ledger or history failed an integrity check. */
  INTEGRITY_FAILED: 10,
  /** Command-line usage error (unknown option, missing argument). */
  USAGE: 64,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeForKind(kind: ErrorKind): ExitCode {
  switch (kind) {
    case 'InvalidInput':
      return EXIT.INVALID_INPUT;
    case 'Locked':
      return EXIT.LOCKED;
    case 'Unavailable':
      return EXIT.PLUGIN_UNAVAILABLE;
    case 'RollbackFailed':
      return EXIT.ROLLBACK_FAILED;
    case 'Integrity':
      return EXIT.INTEGRITY_FAILED;
    case 'Bug':
      return EXIT.BUG;
    case 'VerifyFailed':
      return EXIT.APPLY_FAILED_ROLLED_BACK;
    default:
      return EXIT.BACKEND_FAILED;
  }
}
