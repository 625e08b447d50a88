// JSON pointers (RFC 6901): how every error, action and mismatch names a place in a document.
export function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(tokens: readonly (string | number)[]): string {
  return tokens.length === 0 ? '' : '/' + tokens.map(escapeToken).join('/');
}
