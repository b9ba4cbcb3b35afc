import { describe, expect, it } from 'vitest';
import { planCertificate, renewalTimeFor, requestedNotAfter, type PlanInput } from '../../../src/controller/certificate-request/certificate-plan.js';
import { checkCertificateSpec, type DesiredCertificate } from '../../../src/controller/certificate-request/certificate-spec.js';
import type { SecretCertificate, SecretInspection } from '../../../src/controller/certificate-request/secret-inspection.js';
import type { IssuerResolution } from '../../../src/controller/issuers/signing-ca.js';
import { Ipv4RangeSet } from '../../../src/ca/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const issuedAt = new Date('2026-01-01T00:00:00Z');

function spec(extra: Record<string, unknown> = {}) {
  return checkCertificateSpec({ ipAddresses: ['10.0.0.1'], secretName: 's', ...extra });
}

function desiredOf(check: ReturnType<typeof spec>): DesiredCertificate {
  if (!check.ok) throw new Error(check.message);
  return check.desired;
}

const issuer: IssuerResolution = { ok: true, ca: { id: 'operator', issuer: { issue: () => Promise.reject(new Error('unused')) }, material: {} as never, allowedRanges: Ipv4RangeSet.defaults } };

function certificate(desired: DesiredCertificate, overrides: Partial<SecretCertificate> = {}): SecretCertificate {
  return {
    serialNumber: '01ab',
    notBefore: new Date(issuedAt.getTime() - HOUR),
    notAfter: new Date(issuedAt.getTime() + desired.durationMs),
    ips: desired.ips,
    specHash: desired.specHash,
    revision: 1,
    keyPem: 'KEY',
    keyAlgorithm: desired.keyAlgorithm,
    ...overrides,
  };
}

function plan(input: Partial<PlanInput> & { secret: SecretInspection }, check = spec()) {
  return planCertificate({ spec: check, issuer, statusRevision: 1, now: issuedAt, ...input });
}

describe('planCertificate (pure, fake clock)', () => {
  it('issues the first certificate when there is no Secret', () => {
    expect(plan({ secret: { kind: 'absent' }, statusRevision: 0 })).toMatchObject({ kind: 'issue', cause: 'Initial', previousRevision: 0 });
    expect(plan({ secret: { kind: 'absent' }, statusRevision: 3 })).toMatchObject({ kind: 'issue', cause: 'SecretMissing', previousRevision: 3 });
  });

  it('keeps a current certificate until renewalTime, then renews', () => {
    const check = spec();
    const current = certificate(desiredOf(check));
    const renewal = renewalTimeFor(current, desiredOf(check));
    expect(plan({ secret: { kind: 'valid', certificate: current }, now: new Date(renewal.getTime() - 1000) }, check)).toMatchObject({ kind: 'current', renewalTime: renewal });
    expect(plan({ secret: { kind: 'valid', certificate: current }, now: renewal }, check)).toMatchObject({ kind: 'issue', cause: 'Renewal', previousRevision: 1 });
  });

  it('re-issues on a spec change, reusing the key only with rotationPolicy Never and the same algorithm', () => {
    const never = spec({ privateKey: { rotationPolicy: 'Never' } });
    const old = certificate(desiredOf(never), { specHash: 'old' });
    expect(plan({ secret: { kind: 'valid', certificate: old } }, never)).toMatchObject({ kind: 'issue', cause: 'SpecChanged', reuseKeyPem: 'KEY' });
    const always = spec();
    expect(plan({ secret: { kind: 'valid', certificate: certificate(desiredOf(always), { specHash: 'old' }) } }, always)).toMatchObject({ reuseKeyPem: undefined });
    const rsa = spec({ privateKey: { rotationPolicy: 'Never', algorithm: 'RSA' } });
    expect(plan({ secret: { kind: 'valid', certificate: certificate(desiredOf(never), { specHash: 'old' }) } }, rsa)).toMatchObject({ kind: 'issue', reuseKeyPem: undefined });
  });

  it('re-issues a tampered Secret and refuses a foreign one', () => {
    expect(plan({ secret: { kind: 'invalid', message: 'tls.key does not belong to tls.crt', revision: 4 } })).toMatchObject({ kind: 'issue', cause: 'SecretInvalid', previousRevision: 4 });
    expect(plan({ secret: { kind: 'foreign', message: 'Secret s exists and is not owned' } })).toMatchObject({ kind: 'fail', reason: 'SecretConflict', retry: true });
  });

  it('fails a bad spec for good and an unresolved issuer with retries', () => {
    expect(plan({ secret: { kind: 'absent' } }, spec({ duration: '9000h' }))).toMatchObject({ kind: 'fail', reason: 'InvalidSpec', retry: false });
    expect(plan({ secret: { kind: 'absent' }, issuer: { ok: false, reason: 'IssuerNotFound', message: 'IPIssuer default/x not found' } })).toMatchObject({ kind: 'fail', reason: 'Pending', retry: true, message: 'IPIssuer default/x not found' });
  });
});

describe('renewal time', () => {
  it('is at 2/3 of the requested lifetime by default, notAfter − renewBefore otherwise', () => {
    const year = desiredOf(spec());
    const issued = certificate(year);
    expect(renewalTimeFor(issued, year).getTime()).toBe(issued.notAfter.getTime() - Math.floor(year.durationMs / 3 / 1000) * 1000);
    const month = desiredOf(spec({ duration: '720h', renewBefore: '240h' }));
    const monthly = certificate(month);
    expect(renewalTimeFor(monthly, month).getTime()).toBe(monthly.notAfter.getTime() - 240 * HOUR);
    // The 1-hour backdate of notBefore does not count as lifetime.
    const short = desiredOf(spec({ duration: '3h' }));
    expect(renewalTimeFor(certificate(short), short).getTime()).toBe(issuedAt.getTime() + 2 * HOUR);
  });

  it('asks for now + duration, or the signer default at the one-year maximum', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    expect(requestedNotAfter({ durationMs: 720 * HOUR }, now, 365 * DAY, HOUR)?.toISOString()).toBe('2026-03-31T00:00:00.000Z');
    expect(requestedNotAfter({ durationMs: 365 * DAY }, now, 365 * DAY, HOUR)).toBeUndefined();
  });
});
