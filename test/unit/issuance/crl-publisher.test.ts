import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList, CRLReason, id_ce_cRLReasons } from '@peculiar/asn1-x509';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrlSigner, generateKeyPair, type Clock, type SignedCrl } from '../../../src/ca/index.js';
import { CrlPublisher } from '../../../src/issuance/crl-publisher.js';
import type { CertificateRevocation } from '../../../src/store/records.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { NOW, serviceFixture, testMaterial, type ServiceFixture } from './test-ca.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const VALIDITY = 24 * HOUR;

class SteppingClock implements Clock {
  private at = NOW.getTime();
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

let clock: SteppingClock;
let fixture: ServiceFixture;
let publisher: CrlPublisher;
let numbersTaken: number;

beforeEach(() => {
  clock = new SteppingClock();
  fixture = serviceFixture(testMaterial(clock), clock);
  numbersTaken = 0;
  publisher = new CrlPublisher({
    signer: new CrlSigner(fixture.material, { clock, validityMs: VALIDITY }),
    revocations: fixture.store,
    numbers: { nextCrlNumber: () => (numbersTaken++, fixture.store.nextCrlNumber()) },
    clock,
    logger: silentLogger(),
  });
  fixture.service.onRevoked(() => publisher.invalidate());
});

afterEach(() => fixture.cleanup());

async function issue(notAfter?: Date): Promise<string> {
  const issued = await fixture.service.issue({
    door: 'acme',
    requester: 'test',
    type: 'private_server',
    csr: { spki: generateKeyPair('ecdsa-p256').spki, ips: ['10.0.0.9'] },
    ...(notAfter ? { notAfter } : {}),
  });
  return issued.serialNumber;
}

function revoke(serialNumber: string, reason = 1): Promise<boolean> {
  return fixture.service.recordRevocation({ door: 'acme', requester: 'test', serialNumber, reason });
}

function listed(crl: SignedCrl): Array<{ serial: string; reason: number | undefined }> {
  const entries = AsnConvert.parse(crl.der, CertificateList).tbsCertList.revokedCertificates ?? [];
  return entries.map((entry) => {
    const reason = entry.crlEntryExtensions?.find((extension) => extension.extnID === id_ce_cRLReasons);
    return { serial: Buffer.from(entry.userCertificate).toString('hex'), reason: reason ? AsnConvert.parse(reason.extnValue.buffer, CRLReason).reason : undefined };
  });
}

describe('CrlPublisher', () => {
  it('signs on first use and serves the cached CRL until something changes', async () => {
    const first = await publisher.current();
    expect(first).toMatchObject({ crlNumber: 1, revokedCount: 0 });
    clock.advance(HOUR);
    expect(await publisher.current()).toBe(first);
    expect(numbersTaken).toBe(1);
  });

  it('signs a new CRL, with a higher number, after a revocation is recorded', async () => {
    const revoked = await issue();
    const kept = await issue();
    const before = await publisher.current();
    expect(listed(before)).toEqual([]);
    expect(await revoke(revoked, 4)).toBe(true);
    const after = await publisher.current();
    expect(after.crlNumber).toBe(before.crlNumber + 1);
    expect(listed(after)).toEqual([{ serial: revoked, reason: 4 }]);
    expect(listed(after).map((entry) => entry.serial)).not.toContain(kept);
    // A revocation the ledger refuses (already revoked) changes nothing.
    expect(await revoke(revoked, 1)).toBe(false);
    expect(await publisher.current()).toBe(after);
  });

  it('signs again once half of the validity has passed', async () => {
    const first = await publisher.current();
    clock.advance(VALIDITY / 2 - 1000);
    expect(await publisher.current()).toBe(first);
    clock.advance(1000);
    const second = await publisher.current();
    expect(second.crlNumber).toBe(first.crlNumber + 1);
    expect(second.thisUpdate.getTime() - first.thisUpdate.getTime()).toBe(VALIDITY / 2);
  });

  it('lets concurrent requests share one signing', async () => {
    const results = await Promise.all([publisher.current(), publisher.current(), publisher.current()]);
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    expect(numbersTaken).toBe(1);
  });

  it('keeps an expired certificate listed until one CRL validity after its notAfter (RFC 5280 §3.3)', async () => {
    const notAfter = new Date(NOW.getTime() + 2 * DAY);
    const serial = await issue(notAfter);
    await revoke(serial, 1);
    expect(listed(await publisher.current()).map((entry) => entry.serial)).toEqual([serial]);
    clock.advance(2 * DAY + VALIDITY - 1000);
    expect(listed(await publisher.current()).map((entry) => entry.serial)).toEqual([serial]);
    clock.advance(VALIDITY);
    expect(listed(await publisher.current())).toEqual([]);
  });

  it('does not keep a CRL whose ledger read raced with a revocation', async () => {
    const reads: Array<(value: CertificateRevocation[]) => void> = [];
    const racing = new CrlPublisher({
      signer: new CrlSigner(fixture.material, { clock, validityMs: VALIDITY }),
      revocations: { listRevoked: () => new Promise((resolve) => reads.push(resolve)) },
      numbers: fixture.store,
      clock,
      logger: silentLogger(),
    });
    const stale = racing.current();
    await Promise.resolve();
    racing.invalidate();
    reads.shift()!([]);
    const staleCrl = await stale;
    const fresh = racing.current();
    await new Promise((resolve) => setImmediate(resolve));
    reads.shift()!([{ serialNumber: '02aa', revokedAt: clock.now(), reason: 1 }]);
    const freshCrl = await fresh;
    expect(freshCrl.crlNumber).toBeGreaterThan(staleCrl.crlNumber);
    expect(listed(freshCrl)).toEqual([{ serial: '02aa', reason: 1 }]);
    expect(await racing.current()).toBe(freshCrl);
  });
});
