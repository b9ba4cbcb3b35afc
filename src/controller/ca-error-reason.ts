import type { CaError } from '../ca/index.js';

const POLICY = new Set(['identifier_missing', 'identifier_too_many', 'identifier_unsupported', 'identifier_not_allowed', 'identifier_malformed', 'key_unsupported', 'key_weak', 'ca_requested', 'subject_unsupported', 'common_name_mismatch', 'extension_invalid']);
const MALFORMED = new Set(['input_too_large', 'pem_invalid', 'der_invalid', 'signature_invalid']);

/** A core refusal as a condition reason: PolicyViolation (what was asked is not allowed), InvalidRequest (unreadable CSR) or Failed. */
export function conditionReasonFor(error: CaError): 'PolicyViolation' | 'InvalidRequest' | 'Failed' {
  if (POLICY.has(error.reason)) return 'PolicyViolation';
  if (MALFORMED.has(error.reason)) return 'InvalidRequest';
  return 'Failed';
}
