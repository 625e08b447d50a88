// dbus-next, loaded on first use: loading it costs 40-100 ms, which every CLI command (even one that
// never touches a bus) would otherwise pay at start-up.
import type * as DbusNext from 'dbus-next';

let loaded: typeof DbusNext | undefined;

export function dbusNext(): typeof DbusNext {
  return (loaded ??= require('dbus-next') as typeof DbusNext);
}

/** A D-Bus variant of type `signature` (what dbus-next marshals for a "v"). */
export function variant(signature: string, value: unknown): DbusNext.Variant {
  return new (dbusNext().Variant)(signature, value);
}
