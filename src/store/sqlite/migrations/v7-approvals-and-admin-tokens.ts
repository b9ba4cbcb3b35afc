import type { Migration } from './migration.js';

/**
 * REST requests that wait for an administrator (--rest-approval requester|manual), who decided them,
 * the actor of each audit entry, and the admin API's bearer tokens (only their SHA-256 is kept).
 */
export const APPROVALS_AND_ADMIN_TOKENS_MIGRATION: Migration = {
  version: 7,
  name: 'approvals, audit actors and admin tokens',
  sql: `
    ALTER TABLE csr_requests ADD COLUMN awaiting_approval INTEGER NOT NULL DEFAULT 0 CHECK (awaiting_approval IN (0, 1));
    ALTER TABLE csr_requests ADD COLUMN decided_by TEXT;
    ALTER TABLE audit_log ADD COLUMN actor TEXT;
    CREATE INDEX csr_requests_created ON csr_requests (created_at);
    CREATE INDEX certificates_issued ON certificates (issued_at);

    CREATE TABLE admin_tokens (
      id            TEXT PRIMARY KEY,
      name          TEXT NOT NULL,
      token_sha256  BLOB NOT NULL CHECK (length(token_sha256) = 32),
      created_at    INTEGER NOT NULL,
      revoked_at    INTEGER
    ) STRICT;
  `,
};
