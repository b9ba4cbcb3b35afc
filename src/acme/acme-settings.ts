import type { CertificateType, Ipv4RangeSet } from '../ca/index.js';
import type { RateLimitSetting } from './rate-limits.js';
import type { ValidationPorts } from './validation/validation-types.js';

/** Everything configurable about the ACME door (the `--acme-*` flags). */
export interface AcmeSettings {
  readonly allowedRanges: Ipv4RangeSet;
  /** Identifiers per order. */
  readonly maxIdentifiers: number;
  readonly externalAccountRequired: boolean;
  readonly termsOfService?: string;
  readonly website?: string;
  /** How long a new order (and its pending authorizations) may wait for validation and finalize. */
  readonly pendingLifetimeMs: number;
  /** How long a valid authorization stays valid. */
  readonly validAuthorizationLifetimeMs: number;
  /** A new order reuses the account's valid, unexpired authorization for an IP (RFC 8555 §7.4 MAY). */
  readonly reuseValidAuthorizations: boolean;
  readonly maxBodyBytes: number;
  readonly ordersPerPage: number;
  readonly certificateType: CertificateType;
  readonly newAccountRate?: RateLimitSetting;
  readonly newOrderRate?: RateLimitSetting;
  readonly validation: {
    readonly ports: ValidationPorts;
    readonly timeoutMs: number;
    readonly attempts: number;
    readonly retryDelayMs: number;
    readonly concurrency: number;
    readonly maxQueued: number;
    /** Hardening knob: wait before validating (0 = off). */
    readonly delayMs: number;
    /** How long a challenge response may wait for its validation to finish (0 = answer `processing` at once). */
    readonly responseWaitMs: number;
  };
  /** Hardening knob: refuse this share of good nonces (0 = off). */
  readonly chaosNonceRejectPercent: number;
}

export const ACME_DEFAULTS = {
  maxIdentifiers: 20,
  pendingLifetimeMs: 7 * 24 * 3_600_000,
  validAuthorizationLifetimeMs: 30 * 24 * 3_600_000,
  reuseValidAuthorizations: true,
  maxBodyBytes: 64 * 1024,
  ordersPerPage: 100,
  http01Port: 80,
  tlsAlpn01Port: 443,
  validationTimeoutMs: 10_000,
  validationAttempts: 3,
  validationRetryDelayMs: 2_000,
  validationConcurrency: 16,
  validationMaxQueued: 1_000,
  validationResponseWaitMs: 500,
  newAccountRate: '20/1h',
  newOrderRate: '300/1h',
} as const;

export function defaultAcmeSettings(allowedRanges: Ipv4RangeSet, overrides: Partial<AcmeSettings> = {}): AcmeSettings {
  return {
    allowedRanges,
    maxIdentifiers: ACME_DEFAULTS.maxIdentifiers,
    externalAccountRequired: false,
    pendingLifetimeMs: ACME_DEFAULTS.pendingLifetimeMs,
    validAuthorizationLifetimeMs: ACME_DEFAULTS.validAuthorizationLifetimeMs,
    reuseValidAuthorizations: ACME_DEFAULTS.reuseValidAuthorizations,
    maxBodyBytes: ACME_DEFAULTS.maxBodyBytes,
    ordersPerPage: ACME_DEFAULTS.ordersPerPage,
    certificateType: 'private_server',
    validation: {
      ports: { http01: ACME_DEFAULTS.http01Port, tlsAlpn01: ACME_DEFAULTS.tlsAlpn01Port },
      timeoutMs: ACME_DEFAULTS.validationTimeoutMs,
      attempts: ACME_DEFAULTS.validationAttempts,
      retryDelayMs: ACME_DEFAULTS.validationRetryDelayMs,
      concurrency: ACME_DEFAULTS.validationConcurrency,
      maxQueued: ACME_DEFAULTS.validationMaxQueued,
      delayMs: 0,
      responseWaitMs: ACME_DEFAULTS.validationResponseWaitMs,
    },
    chaosNonceRejectPercent: 0,
    ...overrides,
  };
}
