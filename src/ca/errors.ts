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
  | 'identifier_missing'
  | 'identifier_too_many'
  | 'identifier_unsupported'
  | 'identifier_not_allowed'
  | 'identifier_malformed'
  | 'common_name_mismatch'
  | 'subject_unsupported'
  | 'ca_requested'
  | 'extension_invalid'
  | 'validity_invalid'
  | 'cidr_invalid'
  | 'ca_material_invalid'
  | 'key_file_insecure';

export class CaError extends Error {
  override readonly name = 'CaError';

  constructor(
    readonly reason: CaErrorReason,
    message: string,
    /** The offending value (an IP, an OID, a key size…), when there is one. */
    readonly value?: string,
  ) {
    super(message);
  }
}

export function isCaError(error: unknown): error is CaError {
  return error instanceof CaError;
}
