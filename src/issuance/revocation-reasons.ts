/** RFC 5280 §5.3.1 CRLReason codes and their names (7 is not used). */
export const CRL_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

/** The RFC 5280 name of a CRLReason code; throws RangeError for a code RFC 5280 does not define. */
export function crlReasonName(code: number): string {
  const name = Number.isInteger(code) ? CRL_REASONS[code] : undefined;
  if (name === undefined) throw new RangeError(`${code} is not an RFC 5280 CRLReason code`);
  return name;
}
