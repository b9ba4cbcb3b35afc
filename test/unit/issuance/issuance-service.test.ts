import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CaError, type CaMaterial } from '../../../src/ca/index.js';
import { isRequestId } from '../../../src/issuance/request-id.js';
import { buildCsr, testKey } from '../../support/csr-factory.js';
import { serviceFixture, testMaterial, type ServiceFixture } from './test-ca.js';

let material: CaMaterial;
let fixture: ServiceFixture;

beforeAll(() => {
  material = testMaterial();
});

afterEach(() => fixture?.cleanup());

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await fixture.metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  const value = metric?.values.find((entry) => Object.entries(labels).every(([key, label]) => entry.labels[key] === label));
  return value?.value ?? 0;
}

describe('IssuanceService.submit (REST door)', () => {
  it('stores the request as pending with an opaque id and tells listeners', async () => {
    fixture = serviceFixture(material);
    const seen: string[] = [];
    fixture.service.onPending((request) => seen.push(request.id));
    const { record, created } = await fixture.service.submit({ csrPem: buildCsr().pem, type: 'webhook', metadata: { a: 'b' }, requester: '10.9.9.9' });
    expect(created).toBe(true);
    expect(isRequestId(record.id)).toBe(true);
    expect(record).toMatchObject({ status: 'pending', ips: ['192.168.1.10'], requester: '10.9.9.9', type: 'webhook' });
    expect(seen).toEqual([record.id]);
    expect(await fixture.store.list()).toMatchObject([{ event: 'submitted', requestId: record.id, door: 'rest' }]);
    expect(await metricValue('smsgate_ca_certificate_requests_total', { door: 'rest', outcome: 'accepted' })).toBe(1);
  });

  it('returns the pending request again for the same CSR, even re-wrapped with CRLF', async () => {
    fixture = serviceFixture(material);
    const csr = buildCsr().pem;
    const first = await fixture.service.submit({ csrPem: csr, type: 'webhook', metadata: {}, requester: 'a' });
    const second = await fixture.service.submit({ csrPem: csr.replaceAll('\n', '\r\n'), type: 'webhook', metadata: {}, requester: 'b' });
    expect(second.created).toBe(false);
    expect(second.record.id).toBe(first.record.id);
    expect(await metricValue('smsgate_ca_certificate_requests_total', { outcome: 'duplicate' })).toBe(1);
  });

  it('refuses a policy violation before storing anything, audits it and rethrows the CaError', async () => {
    fixture = serviceFixture(material);
    const submit = fixture.service.submit({ csrPem: buildCsr({ ips: ['8.8.8.8'] }).pem, type: 'webhook', metadata: {}, requester: '10.1.1.1' });
    await expect(submit).rejects.toBeInstanceOf(CaError);
    await expect(submit).rejects.toThrow(/8\.8\.8\.8/);
    expect(await fixture.store.listPending()).toEqual([]);
    const audit = await fixture.store.list();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ event: 'refused', requester: '10.1.1.1' });
    expect(audit[0]!.detail).toMatch(/identifier_not_allowed/);
    expect(await metricValue('smsgate_ca_certificate_requests_total', { outcome: 'refused' })).toBe(1);
  });

  it('requires exactly one IP at the REST door', async () => {
    fixture = serviceFixture(material);
    const csr = buildCsr({ ips: ['192.168.1.10', '192.168.1.11'] }).pem;
    await expect(fixture.service.submit({ csrPem: csr, type: 'webhook', metadata: {}, requester: 'x' })).rejects.toMatchObject({ reason: 'identifier_too_many' });
  });

  it('findRequest answers undefined for malformed ids without asking the store', async () => {
    fixture = serviceFixture(material);
    const asked = vi.spyOn(fixture.store, 'findRequest');
    expect(await fixture.service.findRequest('../../etc/passwd')).toBeUndefined();
    expect(asked).not.toHaveBeenCalled();
    expect(await fixture.service.findRequest('REQ_AAAAAAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(asked).toHaveBeenCalledWith('REQ_AAAAAAAAAAAAAAAAAAAAAAAAAA');
  });
});

describe('IssuanceService.processPending (the worker step)', () => {
  it('signs pending requests, stores leaf + intermediate, and counts them', async () => {
    fixture = serviceFixture(material);
    const key = testKey('p256');
    const { record } = await fixture.service.submit({ csrPem: buildCsr({ key }).pem, type: 'private_server', metadata: {}, requester: 'x' });
    await fixture.service.processPending([record.id]);
    const done = await fixture.service.findRequest(record.id);
    expect(done?.status).toBe('approved');
    const [leafPem, intermediatePem] = done!.certificatePem!.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)!;
    const leaf = new X509Certificate(leafPem);
    expect(leaf.subjectAltName).toBe('IP Address:192.168.1.10');
    expect(leaf.serialNumber.toLowerCase()).toBe(done!.serialNumber);
    expect(leaf.serialNumber.startsWith('02')).toBe(true);
    expect(leaf.checkIssued(new X509Certificate(intermediatePem!))).toBe(true);
    expect(Buffer.from(leaf.publicKey.export({ type: 'spki', format: 'der' }))).toEqual(Buffer.from(key.spki));
    expect(await fixture.store.findCertificate(done!.serialNumber!)).toMatchObject({ requestId: record.id, door: 'rest', type: 'private_server' });
    expect(await metricValue('smsgate_ca_certificates_issued_total', { door: 'rest', type: 'private_server' })).toBe(1);
    expect((await fixture.store.list({ requestId: record.id })).map((entry) => entry.event)).toEqual(['submitted', 'approved']);
  });

  it('skips ids that are unknown or already decided', async () => {
    fixture = serviceFixture(material);
    const { record } = await fixture.service.submit({ csrPem: buildCsr().pem, type: 'webhook', metadata: {}, requester: 'x' });
    await fixture.service.processPending([record.id]);
    const serial = (await fixture.service.findRequest(record.id))!.serialNumber;
    await fixture.service.processPending([record.id, 'REQ_UNKNOWN']);
    expect((await fixture.service.findRequest(record.id))!.serialNumber).toBe(serial);
  });

  it('denies with the reason when the allowed ranges no longer cover a stored request', async () => {
    fixture = serviceFixture(material);
    const { record } = await fixture.service.submit({ csrPem: buildCsr().pem, type: 'webhook', metadata: {}, requester: 'x' });
    // The same database, served later by a CA narrowed to 10/8.
    const { IssuanceService } = await import('../../../src/issuance/issuance-service.js');
    const { Ipv4RangeSet, LeafSigner, fixedClock } = await import('../../../src/ca/index.js');
    const { silentLogger } = await import('../../../src/telemetry/logger.js');
    const narrowed = new IssuanceService({
      store: fixture.store,
      signer: new LeafSigner(material, { clock: fixedClock('2026-06-01T12:00:00Z') }),
      allowedRanges: Ipv4RangeSet.parse('10.0.0.0/8'),
      clock: fixedClock('2026-06-01T12:00:00Z'),
      logger: silentLogger(),
    });
    await narrowed.processPending([record.id]);
    const denied = await fixture.store.findRequest(record.id);
    expect(denied?.status).toBe('denied');
    expect(denied?.denyReason).toMatch(/192\.168\.1\.10/);
  });

  it('denies without internals when the signer fails unexpectedly', async () => {
    fixture = serviceFixture(material);
    const { record } = await fixture.service.submit({ csrPem: buildCsr().pem, type: 'webhook', metadata: {}, requester: 'x' });
    const { IssuanceService } = await import('../../../src/issuance/issuance-service.js');
    const { fixedClock, ForbiddenKeys } = await import('../../../src/ca/index.js');
    const { silentLogger } = await import('../../../src/telemetry/logger.js');
    const broken = new IssuanceService({
      store: fixture.store,
      signer: { caKeys: ForbiddenKeys.of([]), issue: () => { throw new Error('HSM unplugged at /dev/secret'); } },
      allowedRanges: material.allowedRanges,
      clock: fixedClock('2026-06-01T12:00:00Z'),
      logger: silentLogger(),
    });
    await broken.processPending([record.id]);
    const denied = await fixture.store.findRequest(record.id);
    expect(denied?.status).toBe('denied');
    expect(denied?.denyReason).not.toMatch(/HSM|dev/);
  });
});

describe('IssuanceService.issue (ACME / controller door)', () => {
  it('signs a multi-IP CSR synchronously and records it in the ledger', async () => {
    fixture = serviceFixture(material);
    const issued = await fixture.service.issue({
      door: 'acme',
      requester: 'account-1',
      type: 'webhook',
      csr: { pem: buildCsr({ ips: ['10.0.0.1', '10.0.0.2'] }).pem },
      reference: 'order-7',
    });
    expect(issued.ips).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(await fixture.store.findCertificate(issued.serialNumber)).toMatchObject({ door: 'acme', requestId: 'order-7', requester: 'account-1' });
    expect(await fixture.store.list()).toMatchObject([{ event: 'issued', door: 'acme', serialNumber: issued.serialNumber, requestId: 'order-7' }]);
    expect(await metricValue('smsgate_ca_certificates_issued_total', { door: 'acme', type: 'webhook' })).toBe(1);
  });

  it('signs a key plus IPs for the controller', async () => {
    fixture = serviceFixture(material);
    const issued = await fixture.service.issue({ door: 'kubernetes', requester: 'ns/name', type: 'private_server', csr: { spki: testKey('p256').spki, ips: ['172.16.0.9'] } });
    expect(new X509Certificate(issued.pem).subjectAltName).toBe('IP Address:172.16.0.9');
  });

  it('refuses and audits an identifier outside the ranges', async () => {
    fixture = serviceFixture(material);
    await expect(fixture.service.issue({ door: 'kubernetes', requester: 'ns/name', type: 'webhook', csr: { spki: testKey('p256').spki, ips: ['127.0.0.1'] } })).rejects.toMatchObject({
      reason: 'identifier_not_allowed',
    });
    expect(await fixture.store.list()).toMatchObject([{ event: 'refused', door: 'kubernetes' }]);
  });
});
