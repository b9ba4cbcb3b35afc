import type { ServeConfig } from '../config/serve-config.js';
import type { ApprovalPolicy } from '../issuance/approval-policy.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { LedgerQueries } from '../store/interfaces.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Ledger } from './cluster-parts.js';
import type { PublicRouteParts } from './routes.js';

export function approvalPolicyOf(config: ServeConfig): ApprovalPolicy {
  return { mode: config.restApproval, trustedRequesters: config.restTrustedRequesters };
}

/**
 * The admin API answers from the ledger (the SQLite file, or the records in the cluster), with the
 * data directory's tokens and, with --admin-client-ca, client certificates.
 */
export function adminParts(ledger: Ledger, store: SqliteStore, issuance: IssuanceService, authentication: Pick<NonNullable<PublicRouteParts['admin']>, 'clock' | 'clientCertificates'>): PublicRouteParts['admin'] {
  const queries = isLedgerQueries(ledger) && issuance.recordsApprovals ? ledger : undefined;
  if (!queries) throw new Error('this ledger answers no admin queries');
  return { queries, tokens: store.adminTokens(), ...authentication };
}

function isLedgerQueries(ledger: Ledger): ledger is Ledger & LedgerQueries {
  const candidate = ledger as Partial<LedgerQueries>;
  return typeof candidate.listRequests === 'function' && typeof candidate.listCertificates === 'function' && typeof candidate.queryAudit === 'function';
}
