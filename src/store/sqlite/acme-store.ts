import type { Database } from 'better-sqlite3';
import type { Ipv4 } from '../../ca/index.js';
import { chargeBucket, type RateLimitDecision, type RateLimitSetting } from '../../shared/rate-limit.js';
import type {
  AcmeAccountRecord,
  AcmeCollected,
  AcmeRateLimitName,
  AcmeAuthorizationRecord,
  AcmeCertificateRecord,
  AcmeJwk,
  AcmeOrderRecord,
  AcmeStore,
  AcmeStoredProblem,
  ChallengeOutcome,
  EabKeyRecord,
  KeyChangeResult,
  NewAcmeOrder,
} from '../acme-store.js';
import {
  accountFromRow,
  authorizationFromRow,
  certificateFromRow,
  eabKeyFromRow,
  orderFromRow,
  type AccountRow,
  type AuthorizationRow,
  type CertificateRow,
  type ChallengeRow,
  type EabKeyRow,
  type OrderRow,
} from './acme-rows.js';
import { prepareAcmeStatements, type AcmeStatements } from './acme-statements.js';

/**
 * The ACME tables in the embedded SQLite file (schema: migrations/v2-acme-tables.ts and later).
 *
 * Durability is chosen per write. Progress of an order (the order, its authorizations and
 * challenges, finalization steps) commits without an fsync (WAL, synchronous=NORMAL): it survives a
 * process crash, and a power cut can only lose recent progress that the client redoes (RFC 8555
 * clients re-create orders; an interrupted finalization is repaired at start from the ledger).
 * Security decisions (accounts, key changes, deactivation, revocation, EAB keys) keep the
 * connection's fsync-per-commit setting, as does the certificate ledger.
 */
export class SqliteAcmeStore implements AcmeStore {
  private readonly sql: AcmeStatements;
  private readonly durableSetting: number;

  constructor(private readonly db: Database) {
    this.sql = prepareAcmeStatements(db);
    this.durableSetting = db.pragma('synchronous', { simple: true }) as number;
  }

  private progress<T>(write: () => T): T {
    if (this.db.inTransaction) return this.db.transaction(write)();
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.db.transaction(write).immediate();
    } finally {
      this.db.pragma(`synchronous = ${this.durableSetting}`);
    }
  }

  async createAccount(account: AcmeAccountRecord): Promise<{ account: AcmeAccountRecord; created: boolean }> {
    return this.db.transaction(() => {
      const existing = this.sql.accountByThumbprint.get(account.thumbprint) as AccountRow | undefined;
      if (existing) return { account: accountFromRow(existing), created: false };
      this.sql.insertAccount.run({
        id: account.id,
        thumbprint: account.thumbprint,
        jwk: JSON.stringify(account.jwk),
        contact: JSON.stringify(account.contact),
        status: account.status,
        tos_agreed: account.termsOfServiceAgreed ? 1 : 0,
        eab_key_id: account.eabKeyId ?? null,
        created_at: account.createdAt.getTime(),
      });
      return { account, created: true };
    }).immediate();
  }

  async findAccount(id: string): Promise<AcmeAccountRecord | undefined> {
    return mapped(this.sql.account.get(id) as AccountRow | undefined, accountFromRow);
  }

  async findAccountByThumbprint(thumbprint: string): Promise<AcmeAccountRecord | undefined> {
    return mapped(this.sql.accountByThumbprint.get(thumbprint) as AccountRow | undefined, accountFromRow);
  }

  async updateContact(accountId: string, contact: readonly string[]): Promise<void> {
    this.progress(() => this.sql.updateContact.run(JSON.stringify(contact), accountId));
  }

  async deactivateAccount(accountId: string): Promise<void> {
    this.db.transaction(() => {
      this.sql.deactivateAccount.run(accountId);
      this.sql.deactivateAccountAuthorizations.run(accountId);
    }).immediate();
  }

  async changeAccountKey(accountId: string, oldThumbprint: string, next: { thumbprint: string; jwk: AcmeJwk }): Promise<KeyChangeResult> {
    return this.db.transaction((): KeyChangeResult => {
      const holder = this.sql.accountByThumbprint.get(next.thumbprint) as AccountRow | undefined;
      if (holder) return { kind: 'conflict', accountId: holder.id };
      const changed = this.sql.changeKey.run(next.thumbprint, JSON.stringify(next.jwk), accountId, oldThumbprint).changes;
      return changed === 1 ? { kind: 'changed' } : { kind: 'stale' };
    }).immediate();
  }

  async createOrder(order: NewAcmeOrder): Promise<void> {
    this.progress(() => {
      this.sql.insertOrder.run({
        id: order.id,
        account_id: order.accountId,
        ips: JSON.stringify(order.ips),
        authorization_ids: JSON.stringify(order.authorizationIds),
        expires: order.expires.getTime(),
        not_before: order.notBefore?.getTime() ?? null,
        not_after: order.notAfter?.getTime() ?? null,
        replaces: order.replaces ?? null,
        created_at: order.createdAt.getTime(),
      });
      for (const authorization of order.authorizations) this.insertAuthorization(authorization);
    });
  }

  async findOrder(id: string): Promise<AcmeOrderRecord | undefined> {
    return mapped(this.sql.order.get(id) as OrderRow | undefined, orderFromRow);
  }

  async listOrderIds(accountId: string, page: { after?: string; limit: number }): Promise<{ ids: string[]; more: boolean }> {
    const rows = this.sql.orderIds.all(accountId, page.after ?? null, page.after ?? null, page.limit + 1) as Array<{ id: string }>;
    return { ids: rows.slice(0, page.limit).map((row) => row.id), more: rows.length > page.limit };
  }

  async findOrdersReplacing(certificateId: string): Promise<AcmeOrderRecord[]> {
    return (this.sql.ordersReplacing.all(certificateId) as OrderRow[]).map(orderFromRow);
  }

  async findAuthorization(id: string): Promise<AcmeAuthorizationRecord | undefined> {
    const row = this.sql.authorization.get(id) as AuthorizationRow | undefined;
    if (!row) return undefined;
    return authorizationFromRow(row, this.sql.challengesOfAuthorization.all(id) as ChallengeRow[]);
  }

  async findAuthorizations(orderId: string): Promise<AcmeAuthorizationRecord[]> {
    const rows = this.sql.authorizationsOfOrder.all(orderId) as AuthorizationRow[];
    const challenges = this.sql.challengesOfOrder.all(orderId) as ChallengeRow[];
    return rows.map((row) => authorizationFromRow(row, challenges));
  }

  async findValidAuthorizations(accountId: string, ips: readonly Ipv4[], now: Date): Promise<AcmeAuthorizationRecord[]> {
    const rows = this.sql.validAuthorizations.all(accountId, now.getTime(), JSON.stringify(ips)) as AuthorizationRow[];
    const latestPerIp = rows.filter((row, index) => rows.findIndex((other) => other.ip === row.ip) === index);
    return latestPerIp.map((row) => authorizationFromRow(row, this.sql.challengesOfAuthorization.all(row.id) as ChallengeRow[]));
  }

  async findAuthorizationOfChallenge(challengeId: string): Promise<AcmeAuthorizationRecord | undefined> {
    const row = this.sql.challenge.get(challengeId) as ChallengeRow | undefined;
    return row ? this.findAuthorization(row.authorization_id) : undefined;
  }

  async deactivateAuthorization(id: string): Promise<boolean> {
    return this.progress(() => this.sql.deactivateAuthorization.run(id).changes === 1);
  }

  async startChallenge(challengeId: string, at: Date): Promise<boolean> {
    return this.progress(() => this.sql.startChallenge.run(at.getTime(), challengeId).changes === 1);
  }

  async completeChallenge(challengeId: string, outcome: ChallengeOutcome): Promise<void> {
    this.progress(() => {
      const row = this.sql.challenge.get(challengeId) as ChallengeRow | undefined;
      if (!row || row.status !== 'processing') return;
      if (outcome.status === 'valid') {
        this.sql.completeChallenge.run('valid', outcome.at.getTime(), null, challengeId);
        this.sql.validateAuthorization.run(outcome.authorizationExpires.getTime(), row.authorization_id);
      } else {
        this.sql.completeChallenge.run('invalid', null, JSON.stringify(outcome.error), challengeId);
        this.sql.invalidateAuthorization.run(row.authorization_id);
      }
    });
  }

  async listProcessingChallenges(startedBefore: Date): Promise<Array<{ challengeId: string; authorizationId: string }>> {
    const rows = this.sql.processingChallenges.all(startedBefore.getTime()) as Array<{ id: string; authorization_id: string }>;
    return rows.map((row) => ({ challengeId: row.id, authorizationId: row.authorization_id }));
  }

  async beginFinalize(orderId: string, at: Date): Promise<boolean> {
    return this.progress(() => this.sql.beginFinalize.run(at.getTime(), orderId).changes === 1);
  }

  async completeFinalize(orderId: string, certificate: { id: string; serialNumber: string; accountId: string }): Promise<void> {
    this.progress(() => {
      this.sql.insertCertificate.run(certificate.id, certificate.serialNumber, certificate.accountId, orderId);
      this.sql.completeFinalize.run(certificate.id, orderId);
    });
  }

  async abortFinalize(orderId: string, outcome: { status: 'pending' } | { status: 'invalid'; error: AcmeStoredProblem }): Promise<void> {
    this.progress(() => this.sql.abortFinalize.run(outcome.status, outcome.status === 'invalid' ? JSON.stringify(outcome.error) : null, orderId));
  }

  async recoverFinalizations(newId: () => string, begunBefore: Date): Promise<{ completed: number; reverted: number }> {
    return this.db.transaction(() => {
      let completed = 0;
      let reverted = 0;
      for (const order of this.sql.processingOrders.all(begunBefore.getTime()) as Array<{ id: string; account_id: string }>) {
        const issued = this.sql.ledgerSerialForOrder.get(order.id) as { serial_number: string } | undefined;
        if (issued) {
          const id = newId();
          this.sql.insertCertificate.run(id, issued.serial_number, order.account_id, order.id);
          this.sql.completeFinalize.run(id, order.id);
          completed += 1;
        } else {
          this.sql.abortFinalize.run('pending', null, order.id);
          reverted += 1;
        }
      }
      return { completed, reverted };
    }).immediate();
  }

  async findCertificate(id: string): Promise<AcmeCertificateRecord | undefined> {
    return mapped(this.sql.certificate.get(id) as CertificateRow | undefined, certificateFromRow);
  }

  async findCertificateBySerial(serialNumber: string): Promise<AcmeCertificateRecord | undefined> {
    return mapped(this.sql.certificateBySerial.get(serialNumber) as CertificateRow | undefined, certificateFromRow);
  }

  async revokeCertificate(id: string, reason: number, at: Date): Promise<boolean> {
    return this.sql.revokeCertificate.run(at.getTime(), reason, id).changes === 1;
  }

  async createEabKey(key: Omit<EabKeyRecord, 'accounts' | 'revokedAt'>): Promise<void> {
    this.sql.insertEabKey.run(key.keyId, Buffer.from(key.hmacKey), key.label, key.createdAt.getTime());
  }

  async findEabKey(keyId: string): Promise<EabKeyRecord | undefined> {
    return mapped(this.sql.eabKey.get(keyId) as EabKeyRow | undefined, eabKeyFromRow);
  }

  async listEabKeys(): Promise<EabKeyRecord[]> {
    return (this.sql.eabKeys.all() as EabKeyRow[]).map(eabKeyFromRow);
  }

  async revokeEabKey(keyId: string, at: Date): Promise<boolean> {
    return this.sql.revokeEabKey.run(at.getTime(), keyId).changes === 1;
  }

  async chargeRateLimit(name: AcmeRateLimitName, key: string, setting: RateLimitSetting, now: Date): Promise<RateLimitDecision> {
    return this.progress(() => {
      const row = this.sql.rateLimit.get(name, key) as { tokens: number; at: number } | undefined;
      const charge = chargeBucket(row ? { tokens: row.tokens, atMs: row.at } : undefined, setting, now.getTime());
      if (charge.decision.allowed) this.sql.saveRateLimit.run({ name, key, tokens: charge.bucket.tokens, at: charge.bucket.atMs, full_at: charge.fullAtMs });
      return charge.decision;
    });
  }

  async collectExpired(now: Date): Promise<AcmeCollected> {
    return this.progress(() => {
      const at = now.getTime();
      this.sql.deleteExpiredChallenges.run(at);
      const authorizations = this.sql.deleteExpiredAuthorizations.run(at).changes;
      const collectable = (this.sql.collectableOrders.all(at, at) as Array<{ id: string }>).map((row) => row.id);
      for (const id of collectable) {
        this.sql.deleteOrderCertificate.run(id);
        this.sql.deleteOrder.run(id);
      }
      const orders = collectable.length;
      const bookkeeping = this.sql.deleteFullRateLimits.run(at).changes;
      return { orders, authorizations, bookkeeping };
    });
  }

  private insertAuthorization(authorization: AcmeAuthorizationRecord): void {
    this.sql.insertAuthorization.run({
      id: authorization.id,
      account_id: authorization.accountId,
      order_id: authorization.orderId,
      ip: authorization.ip,
      status: authorization.status,
      expires: authorization.expires.getTime(),
      created_at: authorization.createdAt.getTime(),
    });
    authorization.challenges.forEach((challenge, position) =>
      this.sql.insertChallenge.run({ id: challenge.id, authorization_id: authorization.id, position, type: challenge.type, token: challenge.token, status: challenge.status }),
    );
  }
}

function mapped<Row, Record>(row: Row | undefined, map: (row: Row) => Record): Record | undefined {
  return row === undefined ? undefined : map(row);
}
