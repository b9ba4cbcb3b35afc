import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { AdminIdentity, AdminTokenVerifier } from '../interfaces.js';

/** An admin API bearer token as listed: never the token itself, which is shown once at creation. */
export interface AdminTokenRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly revokedAt?: Date;
}

const TOKEN_PREFIX = 'sgca_';
/** sgca_<id>_<secret>: the id finds the row, the whole token's SHA-256 is compared in constant time. */
const TOKEN_PATTERN = /^sgca_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const UNKNOWN_HASH = Buffer.alloc(32);

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function newTokenId(): string {
  return randomBytes(8).toString('hex').slice(0, 12);
}

/**
 * Bearer tokens for /api/v1/admin/…: 256 random bits, stored as their SHA-256 (a token with that
 * much entropy needs no slow hash), compared with timingSafeEqual.
 */
export class AdminTokens implements AdminTokenVerifier {
  constructor(private readonly db: Database) {}

  /** A new token; the returned text is the only copy. */
  create(name: string, at: Date): { token: string; record: AdminTokenRecord } {
    const id = newTokenId();
    const token = `${TOKEN_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    this.db.prepare('INSERT INTO admin_tokens (id, name, token_sha256, created_at) VALUES (?, ?, ?, ?)').run(id, name, sha256(token), at.getTime());
    return { token, record: { id, name, createdAt: at } };
  }

  list(): AdminTokenRecord[] {
    const rows = this.db.prepare('SELECT id, name, created_at, revoked_at FROM admin_tokens ORDER BY created_at, id').all() as TokenRow[];
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: new Date(row.created_at), ...(row.revoked_at !== null ? { revokedAt: new Date(row.revoked_at) } : {}) }));
  }

  /** False when no active token has this id. */
  revoke(id: string, at: Date): boolean {
    return this.db.prepare('UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at.getTime(), id).changes === 1;
  }

  /** The identity of an active token; undefined for a malformed, unknown, wrong or revoked one. */
  verify(token: string): AdminIdentity | undefined {
    const match = TOKEN_PATTERN.exec(token);
    const row = match ? (this.db.prepare('SELECT id, name, token_sha256, revoked_at FROM admin_tokens WHERE id = ?').get(match[1]) as (TokenRow & { token_sha256: Buffer }) | undefined) : undefined;
    // The comparison runs whether or not the id was found, so a guess learns nothing from the time taken.
    const matches = timingSafeEqual(sha256(token), row?.token_sha256 ?? UNKNOWN_HASH);
    if (!row || !matches || row.revoked_at !== null) return undefined;
    return { tokenId: row.id, name: row.name };
  }
}

interface TokenRow {
  id: string;
  name: string;
  created_at: number;
  revoked_at: number | null;
}
