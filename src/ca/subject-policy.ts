import { displayText } from './display-text.js';
import { CaError } from './errors.js';
import type { Ipv4 } from './types.js';

/**
 * The SMSGate CA's rule: the CN must be present and equal the single IP. Other attributes (O,
 * OU, C…) are tolerated: the subject is never copied.
 */
export function checkCommonNameIsTheIp(commonNames: readonly string[], ips: readonly Ipv4[]): void {
  const commonName = singleCommonName(commonNames);
  const ip = ips[0];
  if (commonName === undefined) {
    throw new CaError('common_name_mismatch', `the subject has no CN; it must be CN=${ip}, the IP in the subjectAltName`);
  }
  if (commonName !== ip) {
    throw new CaError('common_name_mismatch', `the subject CN "${displayText(commonName)}" must equal the IP in the subjectAltName, ${ip}`, displayText(commonName));
  }
}

/** No CN, or one CN equal to one of the IPs (uacme puts an IP there). */
export function checkCommonNameAmongTheIps(commonNames: readonly string[], ips: readonly Ipv4[]): void {
  const commonName = singleCommonName(commonNames);
  if (commonName !== undefined && !ips.includes(commonName)) {
    throw new CaError('common_name_mismatch', `the subject CN "${displayText(commonName)}" is not one of the requested IPs (${ips.join(', ')})`, displayText(commonName));
  }
}

function singleCommonName(commonNames: readonly string[]): string | undefined {
  if (commonNames.length > 1) {
    const listed = commonNames.map((name) => `"${displayText(name)}"`).join(', ');
    throw new CaError('subject_unsupported', `the subject has ${commonNames.length} common names (${listed}); at most one is allowed`, String(commonNames.length));
  }
  return commonNames[0];
}
