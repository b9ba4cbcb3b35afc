import { formatDuration } from './duration.js';
import { parseRateLimit, type RateLimitSetting } from './rate-limit-setting.js';
import { MAX_IPS_PER_CERTIFICATE } from '../ca/index.js';
import { booleanWord, duration, optionalHttpUrl, wholeNumber } from './setting-parsers.js';
import { readSettings, switchKnob, valueKnob, type SettingsOf, type ValuesOf } from './settings-table.js';

const rate = (text: string | undefined): RateLimitSetting | undefined => parseRateLimit(text ?? '0');

/** The ACME door's knobs (`--acme-*`), each declared once. */
export const ACME_SETTINGS = {
  enabled: switchKnob({ flag: 'acme-disabled', help: 'do not serve the ACME door under /acme/', parse: (off) => !off }),
  eabRequired: switchKnob({ flag: 'acme-eab-required', help: "require External Account Binding for new ACME accounts (keys from 'smsgate-ca eab create')" }),
  http01Port: valueKnob({ flag: 'acme-http01-port', valueName: 'PORT', help: 'port the http-01 validator dials on the identifier IP', default: '80', parse: wholeNumber(1, 65535) }),
  tlsAlpn01Port: valueKnob({ flag: 'acme-tls-alpn01-port', valueName: 'PORT', help: 'port the tls-alpn-01 validator dials on the identifier IP', default: '443', parse: wholeNumber(1, 65535) }),
  maxIdentifiers: valueKnob({ flag: 'acme-max-identifiers', valueName: 'N', help: 'IP identifiers per ACME order', default: '20', parse: wholeNumber(1, MAX_IPS_PER_CERTIFICATE) }),
  termsOfService: valueKnob({ flag: 'acme-terms-of-service', valueName: 'URL', help: 'terms of service URL announced in the directory (clients must agree)', parse: optionalHttpUrl }),
  website: valueKnob({ flag: 'acme-website', valueName: 'URL', help: 'website URL announced in the directory', parse: optionalHttpUrl }),
  newAccountRate: valueKnob({ flag: 'acme-new-account-rate', valueName: 'N/PERIOD', help: 'new ACME accounts per client address; 0 disables', default: '20/1h', parse: rate }),
  newOrderRate: valueKnob({ flag: 'acme-new-order-rate', valueName: 'N/PERIOD', help: 'new ACME orders per account; 0 disables', default: '300/1h', parse: rate }),
  validationTimeoutMs: valueKnob({ flag: 'acme-validation-timeout', valueName: 'DURATION', help: 'deadline of one validation attempt', default: '10s', parse: duration({ minMs: 100, maxMs: 120_000 }) }),
  validationAttempts: valueKnob({ flag: 'acme-validation-attempts', valueName: 'N', help: 'validation attempts before a challenge is invalid', default: '3', parse: wholeNumber(1, 10) }),
  validationRetryDelayMs: valueKnob({ flag: 'acme-validation-retry-delay', valueName: 'DURATION', help: 'pause before a further attempt (doubling with each attempt)', default: '2s', parse: duration() }),
  /** New orders reuse the account's valid authorizations (RFC 8555 §7.4). */
  reuseValidAuthz: valueKnob({
    flag: 'acme-reuse-valid-authz',
    valueName: 'BOOL',
    help: "new orders reuse the account's valid authorizations for their IPs (RFC 8555 §7.4); false validates every order",
    default: 'true',
    parse: booleanWord,
  }),
  /** Hardening knobs for client authors, off by default. */
  validationDelayMs: valueKnob({ flag: 'acme-validation-delay', valueName: 'DURATION', help: 'hardening knob: wait before validating (tests client polling)', default: '0s', parse: duration() }),
  chaosNonceRejectPercent: valueKnob({ flag: 'acme-chaos-nonce-reject-percent', valueName: 'PCT', help: 'hardening knob: refuse this share of good nonces (tests badNonce retries)', default: '0', parse: wholeNumber(0, 100) }),
};

/** The ACME door's settings, validated once. */
export type AcmeConfig = SettingsOf<typeof ACME_SETTINGS>;

export function buildAcmeConfig(values: ValuesOf<typeof ACME_SETTINGS> = {}): AcmeConfig {
  return readSettings(ACME_SETTINGS, values);
}

/** What is logged at start; the hardening knobs are named when they are on. */
export function describeAcmeConfig(config: AcmeConfig): Record<string, unknown> {
  if (!config.enabled) return { enabled: false };
  const rate = (setting: RateLimitSetting | undefined) => (setting ? `${setting.max}/${formatDuration(setting.periodMs)}` : 'off');
  return {
    enabled: true,
    eabRequired: config.eabRequired,
    http01Port: config.http01Port,
    tlsAlpn01Port: config.tlsAlpn01Port,
    maxIdentifiers: config.maxIdentifiers,
    newAccountRate: rate(config.newAccountRate),
    newOrderRate: rate(config.newOrderRate),
    validation: `${config.validationAttempts} attempt(s), ${formatDuration(config.validationTimeoutMs)} each`,
    reuseValidAuthz: config.reuseValidAuthz,
    ...(config.validationDelayMs > 0 ? { chaosValidationDelay: formatDuration(config.validationDelayMs) } : {}),
    ...(config.chaosNonceRejectPercent > 0 ? { chaosNonceRejectPercent: config.chaosNonceRejectPercent } : {}),
  };
}
