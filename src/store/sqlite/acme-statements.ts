import type { Database, Statement } from 'better-sqlite3';

export type AcmeStatements = ReturnType<typeof prepare>;

/** The prepared statements of the ACME tables (SqliteAcmeStore). */
export function prepareAcmeStatements(db: Database): AcmeStatements {
  return prepare(db);
}

/** A revocation may be in the ACME records, the ledger or both (the ledger is written first). */
const SELECT_CERTIFICATE = `
  SELECT a.id, a.serial_number, a.account_id, a.order_id,
         COALESCE(a.revoked_at, c.revoked_at) AS revoked_at,
         CASE WHEN a.revoked_at IS NULL THEN c.revocation_reason ELSE a.revocation_reason END AS revocation_reason,
         c.certificate_pem, c.ips, c.not_before, c.not_after
  FROM acme_certificates a JOIN certificates c ON c.serial_number = a.serial_number`;

const EAB_WITH_COUNT = `
  SELECT k.*, (SELECT count(*) FROM acme_accounts a WHERE a.eab_key_id = k.key_id) AS accounts FROM acme_eab_keys k`;

function prepare(db: Database) {
  const statements = {
    insertAccount: db.prepare(`
      INSERT INTO acme_accounts (id, thumbprint, jwk, contact, status, tos_agreed, eab_key_id, created_at)
      VALUES (@id, @thumbprint, @jwk, @contact, @status, @tos_agreed, @eab_key_id, @created_at)`),
    account: db.prepare('SELECT * FROM acme_accounts WHERE id = ?'),
    accountByThumbprint: db.prepare('SELECT * FROM acme_accounts WHERE thumbprint = ?'),
    updateContact: db.prepare('UPDATE acme_accounts SET contact = ? WHERE id = ?'),
    deactivateAccount: db.prepare(`UPDATE acme_accounts SET status = 'deactivated' WHERE id = ? AND status = 'valid'`),
    deactivateAccountAuthorizations: db.prepare(`UPDATE acme_authorizations SET status = 'deactivated' WHERE account_id = ? AND status = 'pending'`),
    changeKey: db.prepare('UPDATE acme_accounts SET thumbprint = ?, jwk = ? WHERE id = ? AND thumbprint = ?'),
    insertOrder: db.prepare(`
      INSERT INTO acme_orders (id, account_id, status, ips, authorization_ids, expires, not_before, not_after, replaces, created_at)
      VALUES (@id, @account_id, 'pending', @ips, @authorization_ids, @expires, @not_before, @not_after, @replaces, @created_at)`),
    order: db.prepare('SELECT * FROM acme_orders WHERE id = ?'),
    ordersReplacing: db.prepare('SELECT * FROM acme_orders WHERE replaces = ? ORDER BY rowid'),
    orderIds: db.prepare(`
      SELECT id FROM acme_orders WHERE account_id = ?
        AND (? IS NULL OR rowid < (SELECT rowid FROM acme_orders WHERE id = ?))
      ORDER BY rowid DESC LIMIT ?`),
    insertAuthorization: db.prepare(`
      INSERT INTO acme_authorizations (id, account_id, order_id, ip, status, expires, created_at)
      VALUES (@id, @account_id, @order_id, @ip, @status, @expires, @created_at)`),
    insertChallenge: db.prepare(`
      INSERT INTO acme_challenges (id, authorization_id, position, type, token, status)
      VALUES (@id, @authorization_id, @position, @type, @token, @status)`),
    ...prepareAuthorizationReads(db),
    deactivateAuthorization: db.prepare(`UPDATE acme_authorizations SET status = 'deactivated' WHERE id = ? AND status IN ('pending', 'valid')`),
    startChallenge: db.prepare(`
      UPDATE acme_challenges SET status = 'processing', started_at = ? WHERE id = ? AND status = 'pending'
        AND (SELECT status FROM acme_authorizations a WHERE a.id = authorization_id) = 'pending'`),
    completeChallenge: db.prepare('UPDATE acme_challenges SET status = ?, validated_at = ?, error = ? WHERE id = ?'),
    validateAuthorization: db.prepare(`UPDATE acme_authorizations SET status = 'valid', expires = ? WHERE id = ? AND status = 'pending'`),
    invalidateAuthorization: db.prepare(`UPDATE acme_authorizations SET status = 'invalid' WHERE id = ? AND status = 'pending'`),
    processingChallenges: db.prepare(`SELECT id, authorization_id FROM acme_challenges WHERE status = 'processing' AND (started_at IS NULL OR started_at < ?)`),
    beginFinalize: db.prepare(`UPDATE acme_orders SET status = 'processing', processing_since = ? WHERE id = ? AND status = 'pending'`),
    completeFinalize: db.prepare(`UPDATE acme_orders SET status = 'valid', certificate_id = ? WHERE id = ? AND status = 'processing'`),
    abortFinalize: db.prepare(`UPDATE acme_orders SET status = ?, error = ? WHERE id = ? AND status = 'processing'`),
    processingOrders: db.prepare(`SELECT id, account_id FROM acme_orders WHERE status = 'processing' AND (processing_since IS NULL OR processing_since < ?)`),
    ledgerSerialForOrder: db.prepare(`SELECT serial_number FROM certificates WHERE door = 'acme' AND request_id = ? ORDER BY issued_at LIMIT 1`),
    insertCertificate: db.prepare('INSERT INTO acme_certificates (id, serial_number, account_id, order_id) VALUES (?, ?, ?, ?)'),
    certificate: db.prepare(`${SELECT_CERTIFICATE} WHERE a.id = ?`),
    certificateBySerial: db.prepare(`${SELECT_CERTIFICATE} WHERE a.serial_number = ?`),
    revokeCertificate: db.prepare('UPDATE acme_certificates SET revoked_at = ?, revocation_reason = ? WHERE id = ? AND revoked_at IS NULL'),
    insertEabKey: db.prepare('INSERT INTO acme_eab_keys (key_id, hmac_key, label, created_at) VALUES (?, ?, ?, ?)'),
    eabKey: db.prepare(`${EAB_WITH_COUNT} WHERE k.key_id = ?`),
    eabKeys: db.prepare(`${EAB_WITH_COUNT} ORDER BY k.created_at`),
    revokeEabKey: db.prepare('UPDATE acme_eab_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL'),
    rateLimit: db.prepare('SELECT tokens, at FROM acme_rate_limits WHERE name = ? AND key = ?'),
    saveRateLimit: db.prepare(`
      INSERT INTO acme_rate_limits (name, key, tokens, at, full_at) VALUES (@name, @key, @tokens, @at, @full_at)
      ON CONFLICT (name, key) DO UPDATE SET tokens = excluded.tokens, at = excluded.at, full_at = excluded.full_at`),
    deleteFullRateLimits: db.prepare('DELETE FROM acme_rate_limits WHERE full_at <= ?'),
    ...prepareCollection(db),
  };
  return statements satisfies Record<string, Statement>;
}

/** Orders past use: not valid and expired, or valid with an expired certificate (never processing). */
const COLLECTABLE_ORDERS = `
  SELECT o.id FROM acme_orders o
  WHERE ((o.status IN ('pending', 'invalid') AND o.expires <= ?)
      OR (o.status = 'valid' AND (SELECT c.not_after FROM acme_certificates a JOIN certificates c ON c.serial_number = a.serial_number WHERE a.order_id = o.id) <= ?))
    AND NOT EXISTS (SELECT 1 FROM acme_authorizations z WHERE z.order_id = o.id)`;

function prepareCollection(db: Database) {
  const statements = {
    deleteExpiredChallenges: db.prepare('DELETE FROM acme_challenges WHERE authorization_id IN (SELECT id FROM acme_authorizations WHERE expires <= ?)'),
    deleteExpiredAuthorizations: db.prepare('DELETE FROM acme_authorizations WHERE expires <= ?'),
    collectableOrders: db.prepare(COLLECTABLE_ORDERS),
    deleteOrderCertificate: db.prepare('DELETE FROM acme_certificates WHERE order_id = ?'),
    deleteOrder: db.prepare('DELETE FROM acme_orders WHERE id = ?'),
  };
  return statements satisfies Record<string, Statement>;
}

function prepareAuthorizationReads(db: Database) {
  const reads = {
    authorization: db.prepare('SELECT * FROM acme_authorizations WHERE id = ?'),
    // Through the order's authorization_ids, not acme_authorizations.order_id: a reused
    // authorization keeps the order that created it.
    authorizationsOfOrder: db.prepare(`
      SELECT a.* FROM json_each((SELECT authorization_ids FROM acme_orders WHERE id = ?)) j
      JOIN acme_authorizations a ON a.id = j.value ORDER BY j.key`),
    challengesOfAuthorization: db.prepare('SELECT * FROM acme_challenges WHERE authorization_id = ?'),
    challengesOfOrder: db.prepare(`
      SELECT c.* FROM json_each((SELECT authorization_ids FROM acme_orders WHERE id = ?)) j
      JOIN acme_challenges c ON c.authorization_id = j.value`),
    validAuthorizations: db.prepare(`
      SELECT * FROM acme_authorizations
      WHERE account_id = ? AND status = 'valid' AND expires > ? AND ip IN (SELECT value FROM json_each(?))
      ORDER BY expires DESC, rowid DESC`),
    challenge: db.prepare('SELECT * FROM acme_challenges WHERE id = ?'),
  };
  return reads satisfies Record<string, Statement>;
}
