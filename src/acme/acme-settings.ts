import type { CertificateType, Ipv4RangeSet } from '../ca/index.js';
import type { AcmeConfig } from '../config/acme-config.js';

/** What the ACME door fixes itself: no flag changes these. */
export interface AcmeLimits {
  /** How long a new order (and its pending authorizations) may wait for validation and finalize. */
  readonly pendingLifetimeMs: number;
  /** How long a valid authorization stays valid. */
  readonly validAuthorizationLifetimeMs: number;
  readonly maxBodyBytes: number;
  readonly ordersPerPage: number;
  readonly certificateType: CertificateType;
  readonly validationConcurrency: number;
  readonly validationMaxQueued: number;
  /** How long a challenge response may wait for its validation to finish (0 = answer `processing` at once). */
  readonly validationResponseWaitMs: number;
}

export const ACME_LIMITS: AcmeLimits = {
  pendingLifetimeMs: 7 * 24 * 3_600_000,
  validAuthorizationLifetimeMs: 30 * 24 * 3_600_000,
  maxBodyBytes: 64 * 1024,
  ordersPerPage: 100,
  certificateType: 'private_server',
  validationConcurrency: 16,
  validationMaxQueued: 1_000,
  validationResponseWaitMs: 500,
};

/** Everything the ACME door runs with: its `--acme-*` settings, its own limits and the ranges it may certify. */
export interface AcmeSettings extends AcmeConfig, AcmeLimits {
  readonly allowedRanges: Ipv4RangeSet;
}

export function acmeSettings(config: AcmeConfig, allowedRanges: Ipv4RangeSet, overrides: Partial<AcmeSettings> = {}): AcmeSettings {
  return { ...config, ...ACME_LIMITS, allowedRanges, ...overrides };
}
