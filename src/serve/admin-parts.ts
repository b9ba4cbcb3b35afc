import { ConfigError } from '../config/config-error.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { ApprovalPolicy } from '../issuance/approval-policy.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { LedgerQueries } from '../store/interfaces.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Logger } from '../telemetry/logger.js';
import type { Ledger } from './cluster-parts.js';
import type { PublicRouteParts } from './routes.js';

export function approvalPolicyOf(config: ServeConfig): ApprovalPolicy {
  return { mode: config.restApproval, trustedRequesters: config.restTrustedRequesters };
}

/**
 * The admin API answers from the SQLite ledger, with the data directory's tokens. With the ledger
 * in the cluster it is not served, and a policy that waits for an administrator is refused.
 */
export function adminParts(ledger: Ledger, store: SqliteStore, issuance: IssuanceService, config: ServeConfig, logger: Logger): PublicRouteParts['admin'] {
  const queries = isLedgerQueries(ledger) && issuance.recordsApprovals ? ledger : undefined;
  if (!queries && config.restApproval !== 'auto') {
    throw new ConfigError(`--rest-approval ${config.restApproval} needs the SQLite ledger (--store sqlite): with the ledger in the cluster, no administrator could decide the waiting requests`);
  }
  if (!queries) logger.info('the admin API (/api/v1/admin) is not served with the ledger in the cluster');
  return queries ? { queries, tokens: store.adminTokens() } : undefined;
}

function isLedgerQueries(ledger: Ledger): ledger is Ledger & LedgerQueries {
  const candidate = ledger as Partial<LedgerQueries>;
  return typeof candidate.listRequests === 'function' && typeof candidate.listCertificates === 'function' && typeof candidate.queryAudit === 'function';
}
