/**
 * The admin API's bodies as the console reads them (README "Admin API"). The server's own types
 * live in src/api/admin-wire.ts; test/unit/console/console-wire-types.test.ts keeps the two in step.
 */
export interface RequestItem {
  readonly request_id: string;
  readonly type: string;
  readonly status: 'pending' | 'approved' | 'denied';
  readonly awaiting_approval: boolean;
  readonly ips: readonly string[];
  readonly requester: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly created_at: string;
  readonly updated_at: string;
  readonly serial_number?: string;
  readonly reason?: string;
  readonly decided_by?: string;
}

export interface CertificateItem {
  readonly serial_number: string;
  readonly door: string;
  readonly type: string;
  readonly ips: readonly string[];
  readonly requester: string;
  readonly issued_at: string;
  readonly not_before: string;
  readonly not_after: string;
  readonly state: 'valid' | 'expired' | 'revoked';
  readonly request_id?: string;
  readonly revoked_at?: string;
  readonly revocation_reason?: string;
}

export interface AuditItem {
  readonly sequence: number;
  readonly at: string;
  readonly event: string;
  readonly door: string;
  readonly requester: string;
  readonly request_id?: string;
  readonly serial_number?: string;
  readonly ips?: readonly string[];
  readonly detail?: string;
  readonly actor?: string;
}

export interface Identity {
  readonly token_id: string;
  readonly name: string;
}

/** RFC 5280 CRLReason names an administrator may give (not certificateHold, not removeFromCRL). */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
  'aACompromise',
] as const;

/** The largest page the admin API returns. */
export const MAX_LIST_LIMIT = 1000;
