import type { ExtendedKeyUsage } from '../ca/index.js';
import { CERTIFICATE_USAGES } from '../custom-resources/crd-types.js';

/** Key usages of cert-manager's vocabulary that the leaf profile already carries (keyEncipherment for RSA keys only). */
const PROFILE_KEY_USAGES: ReadonlySet<string> = new Set(['digital signature', 'signing', 'key encipherment']);

/** cert-manager's names of the extended key usages this CA issues. */
const EXTENDED_KEY_USAGES: ReadonlyMap<string, ExtendedKeyUsage> = new Map([
  ['server auth', 'serverAuth'],
  ['client auth', 'clientAuth'],
]);


export type UsagePlan =
  | { readonly ok: true; readonly extendedKeyUsages: readonly ExtendedKeyUsage[] }
  | { readonly ok: false; readonly refused: readonly string[]; readonly message: string };

/**
 * Pure: what a request's `usages` (cert-manager's KeyUsage names, also our CRD's) ask of the leaf.
 * `server auth` and `client auth` become the extKeyUsage, in that order; the key usages the profile
 * carries anyway are accepted; every other usage (`cert sign`, `code signing`, `email protection`…)
 * is refused by name. No extended usage at all — cert-manager's default `digital signature, key
 * encipherment`, or no usages — gets the profile's serverAuth: this CA issues TLS server
 * certificates unless asked for a client one.
 */
export function planUsages(usages: readonly string[] | undefined): UsagePlan {
  const asked = usages ?? [];
  const refused = [...new Set(asked.filter((usage) => !PROFILE_KEY_USAGES.has(usage) && !EXTENDED_KEY_USAGES.has(usage)))];
  if (refused.length > 0) {
    const names = refused.map((usage) => `"${usage}"`).join(', ');
    return {
      ok: false,
      refused,
      message: `spec.usages ${names} ${refused.length === 1 ? 'is' : 'are'} not issued by this CA; it signs leaf certificates for ${CERTIFICATE_USAGES.join(', ')}`,
    };
  }
  const extended = new Set(asked.map((usage) => EXTENDED_KEY_USAGES.get(usage)));
  const ordered = (['serverAuth', 'clientAuth'] as const).filter((usage) => extended.has(usage));
  return { ok: true, extendedKeyUsages: ordered.length > 0 ? ordered : ['serverAuth'] };
}
