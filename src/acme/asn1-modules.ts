import { createRequire } from 'node:module';
import type * as Asn1Schema from '@peculiar/asn1-schema';
import type * as Asn1X509 from '@peculiar/asn1-x509';

const load = createRequire(import.meta.url);

/**
 * The ASN.1 schema packages, loaded on first use (tls-alpn-01 validation, renewalInfo and
 * `replaces`): they weigh several MiB and most servers start without needing them.
 */
export function asn1(): { readonly schema: typeof Asn1Schema; readonly x509: typeof Asn1X509 } {
  return { schema: load('@peculiar/asn1-schema') as typeof Asn1Schema, x509: load('@peculiar/asn1-x509') as typeof Asn1X509 };
}
