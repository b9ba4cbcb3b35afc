import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, LeafSigner, type CaMaterial } from '../../../src/ca/index.js';
import { IssuanceService } from '../../../src/issuance/issuance-service.js';
import { crlReasonName } from '../../../src/issuance/revocation-reasons.js';
import type { IssuanceStore } from '../../../src/store/interfaces.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics, type CaMetrics } from '../../../src/telemetry/metrics.js';
import { testKey } from '../../support/csr-factory.js';
import { NOW, serviceFixture, testMaterial, type ServiceFixture } from './test-ca.js';

let material: CaMaterial;
let fixture: ServiceFixture | undefined;

beforeAll(() => {
  material = testMaterial();
});

afterEach(() => {
  fixture?.cleanup();
  fixture = undefined;
});

async function revokedCount(metrics: CaMetrics, labels: Record<string, string>): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === 'smsgate_ca_certificates_revoked_total');
  const value = metric?.values.find((entry) => Object.entries(labels).every(([key, label]) => entry.labels[key] === label));
  return value?.value ?? 0;
}

async function issued(current: ServiceFixture): Promise<string> {
  const certificate = await current.service.issue({ door: 'acme', requester: 'acct-A', type: 'private_server', csr: { spki: testKey('p256').spki, ips: ['10.0.0.1', '10.0.0.2'] }, reference: 'order-1' });
  return certificate.serialNumber;
}

describe('IssuanceService.recordRevocation (every door, docs/ARCHITECTURE.md §1)', () => {
  it('marks the ledger row revoked, appends a `revoked` audit entry and counts it by door and reason', async () => {
    fixture = serviceFixture(material);
    const serialNumber = await issued(fixture);
    const recorded = await fixture.service.recordRevocation({
      door: 'acme',
      requester: '127.0.0.1 acme-account:B',
      serialNumber,
      reason: 1,
      ips: ['10.0.0.1', '10.0.0.2'],
      reference: 'order-1',
      authority: 'the certificate key',
    });
    expect(recorded).toBe(true);
    expect(await fixture.store.findCertificate(serialNumber)).toMatchObject({ serialNumber, revokedAt: NOW, revocationReason: 1 });
    const audit = await fixture.store.list();
    expect(audit.map((entry) => entry.event)).toEqual(['issued', 'revoked']);
    expect(audit[1]).toMatchObject({ event: 'revoked', door: 'acme', requester: '127.0.0.1 acme-account:B', serialNumber, requestId: 'order-1', ips: ['10.0.0.1', '10.0.0.2'], at: NOW });
    expect(audit[1]!.detail).toBe('reason keyCompromise (1); authorised as the certificate key');
    expect(await revokedCount(fixture.metrics, { door: 'acme', reason: 'keyCompromise' })).toBe(1);
  });

  it('a second revocation changes nothing: false, no audit entry, not counted, first reason kept', async () => {
    fixture = serviceFixture(material);
    const serialNumber = await issued(fixture);
    expect(await fixture.service.recordRevocation({ door: 'acme', requester: 'x', serialNumber, reason: 4 })).toBe(true);
    expect(await fixture.service.recordRevocation({ door: 'kubernetes', requester: 'y', serialNumber, reason: 1 })).toBe(false);
    expect((await fixture.store.findCertificate(serialNumber))?.revocationReason).toBe(4);
    expect((await fixture.store.list()).filter((entry) => entry.event === 'revoked')).toHaveLength(1);
    expect(await revokedCount(fixture.metrics, { door: 'acme', reason: 'superseded' })).toBe(1);
    expect(await revokedCount(fixture.metrics, { door: 'kubernetes' })).toBe(0);
  });

  it('answers false for a serial the ledger does not hold', async () => {
    fixture = serviceFixture(material);
    expect(await fixture.service.recordRevocation({ door: 'rest', requester: 'x', serialNumber: '01ab', reason: 0 })).toBe(false);
    expect(await fixture.store.list()).toEqual([]);
  });

  it('refuses a reason code RFC 5280 does not define, before writing anything', async () => {
    fixture = serviceFixture(material);
    const serialNumber = await issued(fixture);
    await expect(fixture.service.recordRevocation({ door: 'acme', requester: 'x', serialNumber, reason: 7 })).rejects.toThrow(RangeError);
    expect((await fixture.store.findCertificate(serialNumber))?.revokedAt).toBeUndefined();
  });

  it('with a store that keeps no revocation ledger, it still counts and reports success', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const appended: unknown[] = [];
    const store = { append: async (entry: unknown) => void appended.push(entry) } as unknown as IssuanceStore;
    const service = new IssuanceService({ store, signer: new LeafSigner(material, { clock: fixedClock(NOW) }), allowedRanges: material.allowedRanges, clock: fixedClock(NOW), logger: silentLogger(), metrics });
    expect(await service.recordRevocation({ door: 'kubernetes', requester: 'x', serialNumber: '01ab', reason: 5 })).toBe(true);
    expect(appended).toEqual([]);
    expect(await revokedCount(metrics, { door: 'kubernetes', reason: 'cessationOfOperation' })).toBe(1);
  });
});

describe('crlReasonName', () => {
  it.each([
    [0, 'unspecified'],
    [1, 'keyCompromise'],
    [4, 'superseded'],
    [10, 'aACompromise'],
  ])('%i is %s', (code, name) => expect(crlReasonName(code)).toBe(name));

  it.each([7, 11, -1, 1.5])('%d is not a CRLReason', (code) => expect(() => crlReasonName(code)).toThrow(RangeError));
});
