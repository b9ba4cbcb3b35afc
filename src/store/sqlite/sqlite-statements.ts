import type { Database, Statement } from 'better-sqlite3';

/** A request with its certificate's PEM, if it has one. */
export const SELECT_REQUEST = `
  SELECT r.*, c.certificate_pem FROM csr_requests r
  LEFT JOIN certificates c ON c.serial_number = r.serial_number`;

const STATEMENT_SQL = {
  findRequest: `${SELECT_REQUEST} WHERE r.id = ?`,
  findPendingByCsr: `${SELECT_REQUEST} WHERE r.csr_sha256 = ? AND r.type = ? AND r.status = 'pending'`,
  insertRequest: `
    INSERT INTO csr_requests (id, type, status, csr_pem, csr_sha256, subject_spki, ips, metadata, requester, created_at, updated_at, awaiting_approval)
    VALUES (@id, @type, 'pending', @csr_pem, @csr_sha256, @subject_spki, @ips, @metadata, @requester, @created_at, @created_at, @awaiting_approval)`,
  findPendingForDecision: `SELECT requester, ips, awaiting_approval, decided_by FROM csr_requests WHERE id = ? AND status = 'pending'`,
  listPending: `SELECT id, created_at FROM csr_requests WHERE status = 'pending' AND awaiting_approval = 0 ORDER BY created_at, id`,
  grantApproval: `UPDATE csr_requests SET awaiting_approval = 0, decided_by = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND awaiting_approval = 1`,
  denyByAdministrator: `UPDATE csr_requests SET status = 'denied', awaiting_approval = 0, deny_reason = ?, decided_by = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
  approve: `UPDATE csr_requests SET status = 'approved', serial_number = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
  deny: `UPDATE csr_requests SET status = 'denied', deny_reason = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
  insertCertificate: `
    INSERT INTO certificates (serial_number, door, type, ips, not_before, not_after, requester, issued_at, certificate_pem, request_id)
    VALUES (@serial_number, @door, @type, @ips, @not_before, @not_after, @requester, @issued_at, @certificate_pem, @request_id)`,
  findCertificate: `SELECT * FROM certificates WHERE serial_number = ?`,
  revokeCertificate: 'UPDATE certificates SET revoked_at = ?, revocation_reason = ? WHERE serial_number = ? AND revoked_at IS NULL',
  listRevoked: `
    SELECT serial_number, revoked_at, revocation_reason FROM certificates
    WHERE revoked_at IS NOT NULL AND not_after >= ? ORDER BY revoked_at, serial_number`,
  nextCrlNumber: 'UPDATE crl_number SET last = last + 1 WHERE id = 1 RETURNING last',
  insertAudit: `
    INSERT INTO audit_log (at, event, door, requester, request_id, serial_number, ips, detail, actor)
    VALUES (@at, @event, @door, @requester, @request_id, @serial_number, @ips, @detail, @actor)`,
  listAudit: `SELECT * FROM audit_log ORDER BY sequence LIMIT ?`,
  listAuditForRequest: `SELECT * FROM audit_log WHERE request_id = ? ORDER BY sequence LIMIT ?`,
  ping: 'SELECT 1',
  probe: 'UPDATE write_probe SET at = ? WHERE id = 1',
} as const;

export type SqliteStatements = { readonly [Name in keyof typeof STATEMENT_SQL]: Statement };

/** Every statement the store runs on its hot paths, prepared once. */
export function prepareStatements(db: Database): SqliteStatements {
  return Object.fromEntries(Object.entries(STATEMENT_SQL).map(([name, sql]) => [name, db.prepare(sql)])) as SqliteStatements;
}
