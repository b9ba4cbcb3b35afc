import type { Database } from 'better-sqlite3';
import type { Migration } from './migrations/migration.js';
import { CORE_TABLES_MIGRATION } from './migrations/v1-core-tables.js';
import { ACME_TABLES_MIGRATION } from './migrations/v2-acme-tables.js';
import { LEDGER_REVOCATION_MIGRATION } from './migrations/v3-ledger-revocation.js';
import { ACME_LOOKUPS_MIGRATION } from './migrations/v4-acme-lookups.js';
import { CRL_NUMBER_MIGRATION } from './migrations/v5-crl-number.js';
import { WRITE_PROBE_MIGRATION } from './migrations/v6-write-probe.js';

export type { Migration };

/**
 * The schema, as an append-only list (one file per step in migrations/): a released migration is
 * never edited, a change is a new entry. The applied version is kept in PRAGMA user_version.
 */
export const MIGRATIONS: readonly Migration[] = [
  CORE_TABLES_MIGRATION,
  ACME_TABLES_MIGRATION,
  LEDGER_REVOCATION_MIGRATION,
  ACME_LOOKUPS_MIGRATION,
  CRL_NUMBER_MIGRATION,
  WRITE_PROBE_MIGRATION,
];

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
}

/** Applies every migration above the database's version, each in its own transaction. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new SchemaTooNewError(`the database schema is version ${from}, newer than this smsgate-ca knows (${latest}); upgrade smsgate-ca`);
  }
  for (const migration of migrations.filter((candidate) => candidate.version > from)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { from, to: Math.max(from, latest) };
}
