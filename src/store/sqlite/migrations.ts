import type { Database } from 'better-sqlite3';
import { ACME_LOOKUPS_MIGRATION, ACME_MIGRATION } from './acme-migration.js';
import { CRL_NUMBER_MIGRATION } from './crl-number-migration.js';
import { LEDGER_REVOCATION_MIGRATION } from './ledger-revocation-migration.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema, as an append-only list: a released migration is never edited, a change is a new
 * entry. The applied version is kept in PRAGMA user_version. Times are milliseconds since the epoch.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'requests, certificates and the audit log',
    sql: `
      CREATE TABLE certificates (
        serial_number   TEXT PRIMARY KEY,
        door            TEXT NOT NULL CHECK (door IN ('rest', 'acme', 'kubernetes')),
        type            TEXT NOT NULL CHECK (type IN ('webhook', 'private_server')),
        ips             TEXT NOT NULL,
        not_before      INTEGER NOT NULL,
        not_after       INTEGER NOT NULL,
        requester       TEXT NOT NULL,
        issued_at       INTEGER NOT NULL,
        certificate_pem TEXT NOT NULL,
        request_id      TEXT
      ) STRICT;
      CREATE INDEX certificates_not_after ON certificates (not_after);

      CREATE TABLE csr_requests (
        id            TEXT PRIMARY KEY,
        type          TEXT NOT NULL CHECK (type IN ('webhook', 'private_server')),
        status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied')),
        csr_pem       TEXT NOT NULL,
        csr_sha256    TEXT NOT NULL,
        subject_spki  BLOB NOT NULL,
        ips           TEXT NOT NULL,
        metadata      TEXT NOT NULL,
        requester     TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        serial_number TEXT REFERENCES certificates (serial_number),
        deny_reason   TEXT,
        CHECK ((status = 'approved') = (serial_number IS NOT NULL)),
        CHECK ((status = 'denied') = (deny_reason IS NOT NULL))
      ) STRICT;
      -- At most one pending request per CSR and type: a resubmission finds the existing one.
      CREATE UNIQUE INDEX csr_requests_pending_csr ON csr_requests (csr_sha256, type) WHERE status = 'pending';
      CREATE INDEX csr_requests_pending ON csr_requests (created_at) WHERE status = 'pending';

      CREATE TABLE audit_log (
        sequence      INTEGER PRIMARY KEY AUTOINCREMENT,
        at            INTEGER NOT NULL,
        event         TEXT NOT NULL,
        door          TEXT NOT NULL,
        requester     TEXT NOT NULL,
        request_id    TEXT,
        serial_number TEXT,
        ips           TEXT,
        detail        TEXT
      ) STRICT;
      CREATE INDEX audit_log_request ON audit_log (request_id);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  ACME_MIGRATION,
  LEDGER_REVOCATION_MIGRATION,
  ACME_LOOKUPS_MIGRATION,
  CRL_NUMBER_MIGRATION,
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
