import { describe, expect, it } from 'vitest';
import { authorizationMayBeDeactivated, authorizationStatus, challengeMayStart, orderMayBeFinalized, orderStatus } from '../../../src/acme/state.js';
import type { AuthorizationStatus } from '../../../src/acme/wire-types.js';

const now = new Date('2025-06-01T12:00:00Z');
const later = new Date('2025-06-08T12:00:00Z');
const earlier = new Date('2025-05-01T12:00:00Z');

describe('authorizationStatus (RFC 8555 §7.1.6)', () => {
  it.each([
    ['pending', later, 'pending'],
    ['valid', later, 'valid'],
    ['pending', earlier, 'expired'],
    ['valid', earlier, 'expired'],
    ['invalid', earlier, 'invalid'],
    ['deactivated', earlier, 'deactivated'],
    ['revoked', later, 'revoked'],
  ] as const)('%s expiring %s → %s', (status, expires, expected) => {
    expect(authorizationStatus({ status, expires }, now)).toBe(expected);
  });

  it('expires exactly at the expiry instant', () => {
    expect(authorizationStatus({ status: 'pending', expires: now }, now)).toBe('expired');
  });
});

describe('orderStatus (RFC 8555 §7.1.6)', () => {
  const pending = { status: 'pending', expires: later } as const;
  it.each<[string, readonly AuthorizationStatus[], string]>([
    ['all valid → ready', ['valid', 'valid'], 'ready'],
    ['some pending → pending', ['valid', 'pending'], 'pending'],
    ['one invalid → invalid', ['valid', 'invalid'], 'invalid'],
    ['one expired → invalid', ['pending', 'expired'], 'invalid'],
    ['one deactivated → invalid', ['valid', 'deactivated'], 'invalid'],
    ['one revoked → invalid', ['revoked'], 'invalid'],
    ['no authorizations → pending', [], 'pending'],
  ])('%s', (_name, authorizations, expected) => {
    expect(orderStatus(pending, authorizations, now)).toBe(expected);
  });

  it('an expired pending order is invalid even with valid authorizations', () => {
    expect(orderStatus({ status: 'pending', expires: earlier }, ['valid'], now)).toBe('invalid');
  });

  it('recorded processing/valid/invalid are kept whatever the authorizations say', () => {
    expect(orderStatus({ status: 'processing', expires: earlier }, ['expired'], now)).toBe('processing');
    expect(orderStatus({ status: 'valid', expires: earlier }, ['expired'], now)).toBe('valid');
    expect(orderStatus({ status: 'invalid', expires: later }, ['valid'], now)).toBe('invalid');
  });
});

describe('transition guards', () => {
  it('a challenge starts only when it and its authorization are pending', () => {
    expect(challengeMayStart('pending', 'pending')).toBe(true);
    expect(challengeMayStart('pending', 'processing')).toBe(false);
    expect(challengeMayStart('valid', 'pending')).toBe(false);
    expect(challengeMayStart('expired', 'pending')).toBe(false);
  });

  it('deactivation from pending or valid only', () => {
    expect(['pending', 'valid', 'invalid', 'deactivated', 'expired', 'revoked'].filter((s) => authorizationMayBeDeactivated(s as AuthorizationStatus))).toEqual([
      'pending',
      'valid',
    ]);
  });

  it('finalize only when ready', () => {
    expect(['pending', 'ready', 'processing', 'valid', 'invalid'].filter((s) => orderMayBeFinalized(s as never))).toEqual(['ready']);
  });
});
