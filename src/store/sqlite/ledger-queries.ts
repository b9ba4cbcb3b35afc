import type { AuditFilter, CertificateFilter, RequestFilter } from '../records.js';

/** A WHERE clause (or nothing) and its positional parameters, built from fixed fragments only. */
export interface WhereClause {
  readonly where: string;
  readonly parameters: ReadonlyArray<string | number>;
}

type Condition = readonly [sql: string, ...parameters: Array<string | number>];

function whereOf(conditions: ReadonlyArray<Condition | undefined>): WhereClause {
  const present = conditions.filter((condition): condition is Condition => condition !== undefined);
  return {
    where: present.length === 0 ? '' : `WHERE ${present.map(([sql]) => sql).join(' AND ')}`,
    parameters: present.flatMap(([, ...parameters]) => parameters),
  };
}

const namesIp = (column: string, ip: string | undefined): Condition | undefined =>
  ip === undefined ? undefined : [`EXISTS (SELECT 1 FROM json_each(${column}) WHERE json_each.value = ?)`, ip];

export function requestQuery(filter: RequestFilter): WhereClause {
  return whereOf([
    filter.status === undefined ? undefined : ['r.status = ?', filter.status],
    filter.awaitingApproval === undefined ? undefined : ['r.awaiting_approval = ?', filter.awaitingApproval ? 1 : 0],
    namesIp('r.ips', filter.ip),
  ]);
}

export function certificateQuery(filter: CertificateFilter): WhereClause {
  const now = filter.now.getTime();
  const state: Record<NonNullable<CertificateFilter['state']>, Condition> = {
    valid: ['revoked_at IS NULL AND not_after > ?', now],
    expired: ['revoked_at IS NULL AND not_after <= ?', now],
    revoked: ['revoked_at IS NOT NULL'],
  };
  return whereOf([
    namesIp('ips', filter.ip),
    filter.serialPrefix === undefined ? undefined : ['serial_number LIKE ?', `${filter.serialPrefix.toLowerCase()}%`],
    filter.door === undefined ? undefined : ['door = ?', filter.door],
    filter.state === undefined ? undefined : state[filter.state],
  ]);
}

export function auditQuery(filter: AuditFilter): WhereClause {
  return whereOf([
    filter.requestId === undefined ? undefined : ['request_id = ?', filter.requestId],
    filter.serialNumber === undefined ? undefined : ['serial_number = ?', filter.serialNumber],
    filter.event === undefined ? undefined : ['event = ?', filter.event],
    filter.beforeSequence === undefined ? undefined : ['sequence < ?', filter.beforeSequence],
  ]);
}
