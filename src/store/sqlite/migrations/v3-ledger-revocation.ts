import type { Migration } from './migration.js';

/**
 * Revocation in the shared certificate ledger (docs/ARCHITECTURE.md §1: every door leaves the same record).
 * Revocations the ACME door recorded before this version, in acme_certificates only, are copied
 * into the ledger once, each with an audit entry, so the ledger and the audit log tell the whole
 * story from here on. A revocation is final: the ledger refuses to change or clear one.
 */
export const LEDGER_REVOCATION_MIGRATION: Migration = {
  version: 3,
  name: 'revocation in the certificate ledger and the audit log',
  sql: `
    ALTER TABLE certificates ADD COLUMN revoked_at INTEGER;
    ALTER TABLE certificates ADD COLUMN revocation_reason INTEGER CHECK (revocation_reason BETWEEN 0 AND 10);

    UPDATE certificates
      SET (revoked_at, revocation_reason) = (
        SELECT a.revoked_at, a.revocation_reason FROM acme_certificates a WHERE a.serial_number = certificates.serial_number)
      WHERE serial_number IN (SELECT serial_number FROM acme_certificates WHERE revoked_at IS NOT NULL);
    INSERT INTO audit_log (at, event, door, requester, request_id, serial_number, ips, detail)
      SELECT revoked_at, 'revoked', door, 'unknown (revoked before schema version 3)', request_id, serial_number, ips,
             'reason code ' || revocation_reason || '; copied from the ACME records by schema migration 3'
      FROM certificates WHERE revoked_at IS NOT NULL ORDER BY revoked_at, serial_number;

    CREATE INDEX certificates_revoked ON certificates (revoked_at) WHERE revoked_at IS NOT NULL;
    CREATE TRIGGER certificates_revocation_final BEFORE UPDATE OF revoked_at, revocation_reason ON certificates
      WHEN OLD.revoked_at IS NOT NULL
      BEGIN SELECT RAISE(ABORT, 'a revocation is final'); END;
  `,
};
