import { displayText } from './display-text.js';
import { CaError } from './errors.js';
import type { Ipv4 } from './types.js';

export type CsrShape = 'smsgate' | 'multi';

/**
 * 'smsgate': the CN must be present and equal the single IP (the seed CA's rule).
 * 'multi': no CN, or one CN equal to one of the IPs (uacme puts an IP there).
 * Other attributes (O, OU, C…) are tolerated: the subject is never copied.
 */
export function checkSubjectCommonName(commonNames: readonly string[], ips: readonly Ipv4[], shape: CsrShape): void {
  if (commonNames.length > 1) {
    const listed = commonNames.map((name) => `"${displayText(name)}"`).join(', ');
    throw new CaError('subject_unsupported', `the subject has ${commonNames.length} common names (${listed}); at most one is allowed`, String(commonNames.length));
  }
  const [commonName] = commonNames;
  if (shape === 'smsgate') {
    const ip = ips[0];
    if (commonName === undefined) {
      throw new CaError('common_name_mismatch', `the subject has no CN; it must be CN=${ip}, the IP in the subjectAltName`);
    }
    if (commonName !== ip) {
      throw new CaError('common_name_mismatch', `the subject CN "${displayText(commonName)}" must equal the IP in the subjectAltName, ${ip}`, displayText(commonName));
    }
    return;
  }
  if (commonName !== undefined && !ips.includes(commonName)) {
    throw new CaError('common_name_mismatch', `the subject CN "${displayText(commonName)}" is not one of the requested IPs (${ips.join(', ')})`, displayText(commonName));
  }
}
