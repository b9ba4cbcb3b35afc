import type { Migration } from './migration.js';

/**
 * One row readiness rewrites while the database's writes are failing (disk full, I/O error): the
 * first probe that commits shows that writes work again.
 */
export const WRITE_PROBE_MIGRATION: Migration = {
  version: 6,
  name: 'write probe',
  sql: `
    CREATE TABLE write_probe (
      id     INTEGER PRIMARY KEY CHECK (id = 1),
      at     INTEGER NOT NULL
    ) STRICT;
    INSERT INTO write_probe (id, at) VALUES (1, 0);
  `,
};
