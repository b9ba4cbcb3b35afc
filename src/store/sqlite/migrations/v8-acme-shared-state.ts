import type { Migration } from './migration.js';

/**
 * The ACME rate-limit windows (one token bucket per limit and key, so limits survive a restart),
 * when an order began finalizing and a challenge began validating (work left behind is resumed
 * only once it is older than any still under way), and the expiry look-ups of garbage collection.
 */
export const ACME_SHARED_STATE_MIGRATION: Migration = {
  version: 8,
  name: 'ACME rate-limit windows, processing times, expiry look-ups',
  sql: `
    CREATE TABLE acme_rate_limits (
      name    TEXT NOT NULL,
      key     TEXT NOT NULL,
      tokens  REAL NOT NULL,
      at      INTEGER NOT NULL,
      full_at INTEGER NOT NULL,
      PRIMARY KEY (name, key)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX acme_rate_limits_full ON acme_rate_limits (full_at);
    ALTER TABLE acme_orders ADD COLUMN processing_since INTEGER;
    ALTER TABLE acme_challenges ADD COLUMN started_at INTEGER;
    CREATE INDEX acme_authorizations_expires ON acme_authorizations (expires);
    CREATE INDEX acme_orders_expires ON acme_orders (expires);
  `,
};
