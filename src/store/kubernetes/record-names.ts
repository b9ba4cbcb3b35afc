/** REST request ids ("REQ_" + base32) as object names (lower-case DNS labels) and back. */
export function recordNameOf(requestId: string): string {
  return requestId.replace(/^REQ_/, 'req-').toLowerCase();
}

export function requestIdOf(name: string): string | undefined {
  return /^req-[a-z2-7]{26}$/.test(name) ? `REQ_${name.slice(4).toUpperCase()}` : undefined;
}

/** Label values hold at most 63 characters: the first 40 hex digits of a SHA-256 select, the annotation confirms. */
export function hashPrefix(sha256: string): string {
  return sha256.slice(0, 40);
}
