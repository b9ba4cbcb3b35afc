/** What the certificate search box asks the admin API for: an IPv4 address or a serial-number prefix. */
export interface CertificateSearch {
  readonly ip?: string;
  readonly serial?: string;
  readonly state?: string;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** Hex digits, as the API prints serials; colons allowed, as openssl prints them. */
const SERIAL = /^[0-9a-f:]+$/i;
const MAX_SERIAL_DIGITS = 64;

/** The search the form describes, or an error message for text that is neither an IP nor a serial. */
export function certificateSearchOf(text: string, state: string): CertificateSearch | string {
  const query = text.trim();
  const stateFilter = state === '' ? {} : { state };
  if (query === '') return stateFilter;
  if (IPV4.test(query)) return { ip: query, ...stateFilter };
  const serial = query.replaceAll(':', '');
  if (SERIAL.test(query) && serial !== '' && serial.length <= MAX_SERIAL_DIGITS) return { serial: serial.toLowerCase(), ...stateFilter };
  return 'Search by an IPv4 address (192.168.1.10) or a serial number (hexadecimal digits).';
}
