import { ACME_CONFIG_DEFAULTS, type AcmeConfigSettings } from '../config/acme-config.js';
import type { FlagSpec, FlagValues } from './command.js';
import { optionalString } from './flags.js';

/** The `--acme-*` flags of `smsgate-ca serve`. */
export const ACME_SERVE_FLAGS: readonly FlagSpec[] = [
  { name: 'acme-disabled', type: 'boolean', description: 'do not serve the ACME door under /acme/' },
  { name: 'acme-eab-required', type: 'boolean', description: "require External Account Binding for new ACME accounts (keys from 'smsgate-ca eab create')" },
  { name: 'acme-http01-port', type: 'string', valueName: 'PORT', description: 'port the http-01 validator dials on the identifier IP', default: ACME_CONFIG_DEFAULTS.http01Port },
  { name: 'acme-tls-alpn01-port', type: 'string', valueName: 'PORT', description: 'port the tls-alpn-01 validator dials on the identifier IP', default: ACME_CONFIG_DEFAULTS.tlsAlpn01Port },
  { name: 'acme-max-identifiers', type: 'string', valueName: 'N', description: 'IP identifiers per ACME order', default: ACME_CONFIG_DEFAULTS.maxIdentifiers },
  { name: 'acme-terms-of-service', type: 'string', valueName: 'URL', description: 'terms of service URL announced in the directory (clients must agree)' },
  { name: 'acme-website', type: 'string', valueName: 'URL', description: 'website URL announced in the directory' },
  { name: 'acme-new-account-rate', type: 'string', valueName: 'N/PERIOD', description: 'new ACME accounts per client address; 0 disables', default: ACME_CONFIG_DEFAULTS.newAccountRate },
  { name: 'acme-new-order-rate', type: 'string', valueName: 'N/PERIOD', description: 'new ACME orders per account; 0 disables', default: ACME_CONFIG_DEFAULTS.newOrderRate },
  { name: 'acme-validation-timeout', type: 'string', valueName: 'DURATION', description: 'deadline of one validation attempt', default: ACME_CONFIG_DEFAULTS.validationTimeout },
  { name: 'acme-validation-attempts', type: 'string', valueName: 'N', description: 'validation attempts before a challenge is invalid', default: ACME_CONFIG_DEFAULTS.validationAttempts },
  { name: 'acme-validation-retry-delay', type: 'string', valueName: 'DURATION', description: 'pause before a further attempt (doubling with each attempt)', default: ACME_CONFIG_DEFAULTS.validationRetryDelay },
  {
    name: 'acme-reuse-valid-authz',
    type: 'string',
    valueName: 'BOOL',
    description: "new orders reuse the account's valid authorizations for their IPs (RFC 8555 §7.4); false validates every order",
    default: ACME_CONFIG_DEFAULTS.reuseValidAuthz,
  },
  { name: 'acme-validation-delay', type: 'string', valueName: 'DURATION', description: 'hardening knob: wait before validating (tests client polling)', default: ACME_CONFIG_DEFAULTS.validationDelay },
  { name: 'acme-chaos-nonce-reject-percent', type: 'string', valueName: 'PCT', description: 'hardening knob: refuse this share of good nonces (tests badNonce retries)', default: ACME_CONFIG_DEFAULTS.chaosNonceRejectPercent },
];

export function acmeSettingsFrom(flags: FlagValues): AcmeConfigSettings {
  return {
    disabled: flags['acme-disabled'] === true,
    eabRequired: flags['acme-eab-required'] === true,
    http01Port: optionalString(flags, 'acme-http01-port'),
    tlsAlpn01Port: optionalString(flags, 'acme-tls-alpn01-port'),
    maxIdentifiers: optionalString(flags, 'acme-max-identifiers'),
    termsOfService: optionalString(flags, 'acme-terms-of-service'),
    website: optionalString(flags, 'acme-website'),
    newAccountRate: optionalString(flags, 'acme-new-account-rate'),
    newOrderRate: optionalString(flags, 'acme-new-order-rate'),
    validationTimeout: optionalString(flags, 'acme-validation-timeout'),
    validationAttempts: optionalString(flags, 'acme-validation-attempts'),
    validationRetryDelay: optionalString(flags, 'acme-validation-retry-delay'),
    reuseValidAuthz: optionalString(flags, 'acme-reuse-valid-authz'),
    validationDelay: optionalString(flags, 'acme-validation-delay'),
    chaosNonceRejectPercent: optionalString(flags, 'acme-chaos-nonce-reject-percent'),
  };
}
