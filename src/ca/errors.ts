/**
 * Every refusal the core can produce. The edges (REST, ACME, Kubernetes) map a reason to their own
 * wire format; the core only says what went wrong and with which value.
 */
export type CaErrorReason =
  | 'input_too_large'
  | 'pem_invalid'
  | 'der_invalid'
  | 'signature_invalid'
  | 'key_unsupported'
  | 'key_weak'
  | 'key_reused'
  | 'identifier_missing'
  | 'identifier_too_many'
  | 'identifier_unsupported'
  | 'identifier_not_allowed'
  | 'identifier_malformed'
  | 'identifier_mismatch'
  | 'common_name_mismatch'
  | 'subject_unsupported'
  | 'ca_requested'
  | 'extension_invalid'
  | 'validity_invalid'
  | 'usage_not_permitted'
  | 'cidr_invalid'
  | 'ca_material_invalid'
  | 'key_file_insecure'
  | 'ca_unavailable';

/**
 * What kind of fault a reason is, so each door maps the class, not the reason, to its wire format:
 * - malformed: the input cannot be read (bad PEM/DER, a broken signature, oversize);
 * - policy: readable, but asks for what this CA may not certify (identifiers, keys, subject, extensions);
 * - unsatisfiable: allowed, but this CA cannot issue it as asked (a validity window outside its own, a
 *   key usage its own certificate does not permit);
 * - server: the CA's own material or configuration is at fault; the requester can do nothing about it;
 * - retryable: a passing fault on the server side; the same request may succeed later.
 */
export type CaErrorClass = 'malformed' | 'policy' | 'unsatisfiable' | 'server' | 'retryable';

/** Every reason has exactly one class; `satisfies` makes a new reason without one a compile error. */
export const CA_ERROR_CLASS = {
  input_too_large: 'malformed',
  pem_invalid: 'malformed',
  der_invalid: 'malformed',
  signature_invalid: 'malformed',
  key_unsupported: 'policy',
  key_weak: 'policy',
  key_reused: 'policy',
  identifier_missing: 'policy',
  identifier_too_many: 'policy',
  identifier_unsupported: 'policy',
  identifier_not_allowed: 'policy',
  identifier_malformed: 'policy',
  identifier_mismatch: 'policy',
  common_name_mismatch: 'policy',
  subject_unsupported: 'policy',
  ca_requested: 'policy',
  extension_invalid: 'policy',
  validity_invalid: 'unsatisfiable',
  usage_not_permitted: 'unsatisfiable',
  cidr_invalid: 'server',
  ca_material_invalid: 'server',
  key_file_insecure: 'server',
  // No signing CA that can sign this now (missing, expired, too close to its end): a rollover or an
  // operator restoring the CA makes the same request succeed later.
  ca_unavailable: 'retryable',
} as const satisfies Record<CaErrorReason, CaErrorClass>;

export class CaError extends Error {
  override readonly name = 'CaError';

  constructor(
    readonly reason: CaErrorReason,
    message: string,
    /** The offending value (an IP, an OID, a key size…), when there is one. */
    readonly value?: string,
    /** For a retryable fault: when the same request may succeed, if the core's caller knows. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  get errorClass(): CaErrorClass {
    return CA_ERROR_CLASS[this.reason];
  }
}

export function isCaError(error: unknown): error is CaError {
  return error instanceof CaError;
}
