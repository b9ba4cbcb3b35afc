import type { Migration } from './migration.js';

/**
 * Look-ups added with authorization reuse and revocation by authorization (RFC 8555 §7.4, §7.6):
 * an account's valid authorizations per IP, and the orders naming a certificate in `replaces`
 * (RFC 9773 §5).
 */
export const ACME_LOOKUPS_MIGRATION: Migration = {
  version: 4,
  name: 'ACME valid-authorization and replaces look-ups',
  sql: `
    CREATE INDEX acme_authorizations_valid ON acme_authorizations (account_id, ip) WHERE status = 'valid';
    CREATE INDEX acme_orders_replaces ON acme_orders (replaces) WHERE replaces IS NOT NULL;
  `,
};
