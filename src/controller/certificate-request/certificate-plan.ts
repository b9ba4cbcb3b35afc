import type { KeyAlgorithm } from '../../ca/index.js';
import type { IssuerResolution } from '../issuers/signing-ca.js';
import type { DesiredCertificate, SpecCheck } from './certificate-spec.js';
import type { SecretCertificate, SecretInspection } from './secret-inspection.js';

export type IssueCause = 'Initial' | 'SecretMissing' | 'SecretInvalid' | 'SpecChanged' | 'Renewal';

export type CertificatePlan =
  /** Ready=False; `retry` says whether to try again with backoff (otherwise wait for a change). */
  | { readonly kind: 'fail'; readonly reason: 'InvalidSpec' | 'Pending' | 'SecretConflict'; readonly message: string; readonly retry: boolean }
  | { readonly kind: 'issue'; readonly cause: IssueCause; readonly reuseKeyPem: string | undefined; readonly previousRevision: number }
  | { readonly kind: 'current'; readonly certificate: SecretCertificate; readonly renewalTime: Date };

export interface PlanInput {
  readonly spec: SpecCheck;
  /** Absent when the spec is invalid (nothing was resolved). */
  readonly issuer: IssuerResolution | undefined;
  /** Absent when there is no issuer to check the Secret against. */
  readonly secret: SecretInspection | undefined;
  /** status.revision: > 0 once a certificate was issued for this object. */
  readonly statusRevision: number;
  readonly now: Date;
}

/**
 * Pure: what a `CertificateRequest` with ipAddresses needs, from its spec, its issuer, what its
 * Secret holds and the clock. The Secret is the source of truth, so a restart re-signs nothing.
 */
export function planCertificate(input: PlanInput): CertificatePlan {
  const { spec, issuer, secret, now } = input;
  if (!spec.ok) return { kind: 'fail', reason: 'InvalidSpec', message: spec.message, retry: false };
  if (!issuer || !issuer.ok) return { kind: 'fail', reason: 'Pending', message: issuer?.message ?? 'no issuer', retry: true };
  if (!secret) return { kind: 'fail', reason: 'Pending', message: 'the Secret could not be read', retry: true };
  return planForSecret(spec.desired, secret, input.statusRevision, now);
}

function planForSecret(desired: DesiredCertificate, secret: SecretInspection, statusRevision: number, now: Date): CertificatePlan {
  switch (secret.kind) {
    case 'foreign':
      return { kind: 'fail', reason: 'SecretConflict', message: secret.message, retry: true };
    case 'absent':
      return issue(statusRevision > 0 ? 'SecretMissing' : 'Initial', undefined, statusRevision);
    case 'invalid':
      return issue('SecretInvalid', reusableKey(desired, secret.keyPem, secret.keyAlgorithm), Math.max(secret.revision, statusRevision));
    case 'valid': {
      const current = secret.certificate;
      const revision = Math.max(current.revision, statusRevision);
      if (current.specHash !== desired.specHash) return issue('SpecChanged', reusableKey(desired, current.keyPem, current.keyAlgorithm), revision);
      const renewalTime = renewalTimeFor(current, desired);
      if (now.getTime() >= renewalTime.getTime()) return issue('Renewal', reusableKey(desired, current.keyPem, current.keyAlgorithm), revision);
      return { kind: 'current', certificate: current, renewalTime };
    }
  }
}

function issue(cause: IssueCause, reuseKeyPem: string | undefined, previousRevision: number): CertificatePlan {
  return { kind: 'issue', cause, reuseKeyPem, previousRevision };
}

/** rotationPolicy Never keeps the Secret's key when it is of the requested algorithm and size. */
function reusableKey(desired: DesiredCertificate, keyPem: string | undefined, algorithm: KeyAlgorithm | undefined): string | undefined {
  return desired.rotationPolicy === 'Never' && keyPem && algorithm === desired.keyAlgorithm ? keyPem : undefined;
}

/**
 * notAfter − renewBefore; without renewBefore, at 2/3 of the lifetime (cert-manager's rule). The
 * lifetime is the requested duration, not notAfter − notBefore: notBefore is backdated an hour.
 */
export function renewalTimeFor(certificate: Pick<SecretCertificate, 'notBefore' | 'notAfter'>, desired: Pick<DesiredCertificate, 'durationMs' | 'renewBeforeMs'>): Date {
  const lifetime = Math.min(desired.durationMs, certificate.notAfter.getTime() - certificate.notBefore.getTime());
  const before = desired.renewBeforeMs !== undefined && desired.renewBeforeMs < lifetime ? desired.renewBeforeMs : lifetime / 3;
  return new Date(Math.floor((certificate.notAfter.getTime() - before) / 1000) * 1000);
}

/** The notAfter to ask for: now + duration, or the signer's default (one year) at the maximum. */
export function requestedNotAfter(desired: Pick<DesiredCertificate, 'durationMs'>, now: Date, maxValidityMs: number, backdateMs: number): Date | undefined {
  if (desired.durationMs + backdateMs >= maxValidityMs) return undefined;
  return new Date(now.getTime() + desired.durationMs);
}
