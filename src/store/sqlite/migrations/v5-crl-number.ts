import type { Migration } from './migration.js';

/** The last cRLNumber handed out (RFC 5280 §5.2.3), one row, so CRL numbers keep increasing across restarts. */
export const CRL_NUMBER_MIGRATION: Migration = {
  version: 5,
  name: 'CRL number sequence',
  sql: `
    CREATE TABLE crl_number (
      id     INTEGER PRIMARY KEY CHECK (id = 1),
      last   INTEGER NOT NULL CHECK (last >= 0)
    ) STRICT;
    INSERT INTO crl_number (id, last) VALUES (1, 0);
  `,
};
