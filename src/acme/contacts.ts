import { AcmeProblem, malformed } from './problems.js';

const MAX_CONTACTS = 10;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** RFC 8555 §7.3: `contact` is a list of URLs; this server accepts mailto: with one address each. */
export function checkContacts(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw malformed('"contact" must be an array of URL strings');
  if (value.length > MAX_CONTACTS) throw new AcmeProblem('invalidContact', `at most ${MAX_CONTACTS} contacts are accepted`);
  return (value as string[]).map(checkContact);
}

function checkContact(contact: string): string {
  if (!contact.toLowerCase().startsWith('mailto:')) {
    throw new AcmeProblem('unsupportedContact', `contact ${JSON.stringify(contact.slice(0, 100))} is not supported; use mailto: URLs`);
  }
  const address = contact.slice('mailto:'.length);
  if (address.length > 254 || address.includes(',') || address.includes('?') || !EMAIL.test(address)) {
    throw new AcmeProblem('invalidContact', `contact ${JSON.stringify(contact.slice(0, 100))} is not a single valid e-mail address`);
  }
  return `mailto:${address}`;
}
