import type { Migration } from './migration.js';

/** Requests, certificates and the append-only audit log. Times are milliseconds since the epoch. */
export const CORE_TABLES_MIGRATION: Migration = {
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
};
