import { describe, expect, it } from 'vitest';
import type { IssuanceStore, RevocationLedger, RevocationList, StoreHealth } from '../../src/store/interfaces.js';
import type { IssuedCertificateRecord, NewCsrRequest } from '../../src/store/records.js';

/** What every issuance store promises the issuance service, the CRL publisher and readiness checks. */
export type ContractStore = IssuanceStore & RevocationLedger & RevocationList & StoreHealth;

/** A fresh, empty store for one test. */
export type StoreFactory = () => Promise<ContractStore>;

const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
const ID_1 = 'REQ_AAAAAAAAAAAAAAAAAAAAAAAAAA';
const ID_2 = 'REQ_BBBBBBBBBBBBBBBBBBBBBBBBBB';
const ID_3 = 'REQ_CCCCCCCCCCCCCCCCCCCCCCCCCC';
const T0 = new Date('2026-05-01T10:00:00.123Z');

function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

/** Certificate validity and revocation times: whole seconds, all that X.509 and CRLs carry (and all a metav1.Time keeps). */
function second(seconds: number): Date {
  return new Date(Math.floor(T0.getTime() / 1000) * 1000 + seconds * 1000);
}

export function csrRequest(id: string, sha: string, createdAt: Date, ips: readonly string[] = ['192.168.1.2']): NewCsrRequest {
  return { id, type: 'webhook', csrPem: CSR, csrSha256: sha.repeat(64 / sha.length), subjectSpki: Uint8Array.of(1, 2, 3), ips, metadata: { device: 'phone-1' }, requester: '10.0.0.9', createdAt };
}

export function issuedCertificate(serialNumber: string, fields: Partial<IssuedCertificateRecord> = {}): IssuedCertificateRecord {
  return {
    serialNumber,
    door: 'rest',
    type: 'webhook',
    ips: ['192.168.1.2'],
    notBefore: second(-3600),
    notAfter: second(365 * 86_400),
    requester: '10.0.0.9',
    issuedAt: at(60),
    certificatePem: `-----BEGIN CERTIFICATE-----\nMII${serialNumber.slice(0, 4)}\n-----END CERTIFICATE-----\n`,
    ...fields,
  };
}

async function submit(store: ContractStore, id: string, sha: string, createdAt: Date): Promise<{ created: boolean; id: string }> {
  const result = await store.createPending(csrRequest(id, sha, createdAt), { at: createdAt, event: 'submitted', door: 'rest', requester: '10.0.0.9', requestId: id, ips: ['192.168.1.2'] });
  return { created: result.created, id: result.record.id };
}

/** The store contract: one suite, run against every store implementation. */
export function describeStoreContract(name: string, freshStore: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    it('stores a pending request and reads every field back', async () => {
      const store = await freshStore();
      expect(await submit(store, ID_1, 'a', T0)).toEqual({ created: true, id: ID_1 });
      const found = await store.findRequest(ID_1);
      expect(found).toMatchObject({ id: ID_1, type: 'webhook', status: 'pending', csrPem: CSR, csrSha256: 'a'.repeat(64), ips: ['192.168.1.2'], metadata: { device: 'phone-1' }, requester: '10.0.0.9' });
      expect(found?.createdAt.toISOString()).toBe(T0.toISOString());
      expect([...found!.subjectSpki]).toEqual([1, 2, 3]);
      expect(await store.findRequest(ID_2)).toBeUndefined();
    });

    it('returns the pending request for the same CSR and type, with no second audit entry', async () => {
      const store = await freshStore();
      await submit(store, ID_1, 'a', T0);
      expect(await submit(store, ID_2, 'a', at(5))).toEqual({ created: false, id: ID_1 });
      expect(await submit(store, ID_2, 'b', at(5))).toEqual({ created: true, id: ID_2 });
      const otherType = await store.createPending({ ...csrRequest(ID_3, 'a', at(6)), type: 'private_server' }, { at: at(6), event: 'submitted', door: 'rest', requester: '10.0.0.9', requestId: ID_3 });
      expect(otherType.created).toBe(true);
      expect((await store.list({ requestId: ID_1 })).map((entry) => entry.event)).toEqual(['submitted']);
      expect((await store.listPending()).map((item) => item.id)).toEqual([ID_1, ID_2, ID_3]);
    });

    it('lists pending requests oldest first', async () => {
      const store = await freshStore();
      await submit(store, ID_2, 'b', at(10));
      await submit(store, ID_1, 'a', at(0));
      await submit(store, ID_3, 'c', at(20));
      const pending = await store.listPending();
      expect(pending.map((item) => item.id)).toEqual([ID_1, ID_2, ID_3]);
      expect(pending[0]?.createdAt.toISOString()).toBe(T0.toISOString());
    });

    it('approves and denies in one batch, with the certificate and audit entries; a late decision changes nothing', async () => {
      const store = await freshStore();
      await submit(store, ID_1, 'a', T0);
      await submit(store, ID_2, 'b', T0);
      const certificate = issuedCertificate('01aabbccddeeff00112233445566778899', { requestId: ID_1 });
      await store.completePending([
        { kind: 'approved', requestId: ID_1, certificate, at: at(60) },
        { kind: 'denied', requestId: ID_2, reason: '8.8.8.8 is a public address', at: at(60) },
      ]);
      expect(await store.findRequest(ID_1)).toMatchObject({ status: 'approved', certificatePem: certificate.certificatePem, serialNumber: certificate.serialNumber });
      expect(await store.findRequest(ID_2)).toMatchObject({ status: 'denied', denyReason: '8.8.8.8 is a public address' });
      // The decision time, to the second (a condition's lastTransitionTime keeps no more).
      expect(Math.floor((await store.findRequest(ID_1))!.updatedAt.getTime() / 1000)).toBe(Math.floor(at(60).getTime() / 1000));
      expect(await store.listPending()).toEqual([]);
      expect(await store.findCertificate(certificate.serialNumber)).toMatchObject({ serialNumber: certificate.serialNumber, door: 'rest', requestId: ID_1, ips: ['192.168.1.2'], certificatePem: certificate.certificatePem });
      const audit = await store.list({ requestId: ID_1 });
      expect(audit.map((entry) => entry.event)).toEqual(['submitted', 'approved']);
      expect(audit[1]).toMatchObject({ serialNumber: certificate.serialNumber, door: 'rest' });
      expect((await store.list({ requestId: ID_2 })).map((entry) => entry.event)).toEqual(['submitted', 'denied']);
      expect((await store.list({ requestId: ID_2 })).at(-1)).toMatchObject({ detail: '8.8.8.8 is a public address', ips: ['192.168.1.2'] });
      await store.completePending([{ kind: 'denied', requestId: ID_1, reason: 'late', at: at(120) }]);
      expect((await store.findRequest(ID_1))?.status).toBe('approved');
    });

    it('ignores an approval for a request already denied: no certificate, no double issuance', async () => {
      const store = await freshStore();
      await submit(store, ID_1, 'a', T0);
      await store.completePending([{ kind: 'denied', requestId: ID_1, reason: 'first', at: at(1) }]);
      await store.completePending([{ kind: 'approved', requestId: ID_1, certificate: issuedCertificate('04cd00112233445566778899aabbccdd', { requestId: ID_1 }), at: at(2) }]);
      expect(await store.findRequest(ID_1)).toMatchObject({ status: 'denied', denyReason: 'first' });
      expect(await store.findCertificate('04cd00112233445566778899aabbccdd')).toBeUndefined();
    });

    it('a resubmission after a decision creates a new request', async () => {
      const store = await freshStore();
      await submit(store, ID_1, 'a', T0);
      await store.completePending([{ kind: 'denied', requestId: ID_1, reason: 'no', at: at(1) }]);
      expect(await submit(store, ID_2, 'a', at(2))).toEqual({ created: true, id: ID_2 });
    });

    it('records a synchronously issued certificate with its audit entry', async () => {
      const store = await freshStore();
      const certificate = issuedCertificate('02ffeeddccbbaa009988776655443322', { door: 'acme', ips: ['10.3.3.3'], requester: 'account-1', requestId: 'order-9', csrPem: CSR });
      await store.recordIssued(certificate, { at: certificate.issuedAt, event: 'issued', door: 'acme', requester: 'account-1', serialNumber: certificate.serialNumber, requestId: 'order-9', ips: ['10.3.3.3'] });
      const found = await store.findCertificate(certificate.serialNumber);
      expect(found).toMatchObject({ door: 'acme', requestId: 'order-9', ips: ['10.3.3.3'], certificatePem: certificate.certificatePem });
      expect(found?.notAfter.toISOString()).toBe(certificate.notAfter.toISOString());
      expect((await store.list({ requestId: 'order-9' })).map((entry) => entry.event)).toEqual(['issued']);
      expect(await store.findCertificate('0badbadbadbadbad')).toBeUndefined();
    });

    it('revokes once, lists the revocation for the CRL, and audits it', async () => {
      const store = await freshStore();
      const certificate = issuedCertificate('03aabbccddeeff00112233445566778899', { door: 'acme', requestId: 'order-1', csrPem: CSR });
      await store.recordIssued(certificate, { at: certificate.issuedAt, event: 'issued', door: 'acme', requester: 'a', serialNumber: certificate.serialNumber, requestId: 'order-1' });
      const revocation = { serialNumber: certificate.serialNumber, revokedAt: second(600), reason: 1 };
      const audit = { at: at(600), event: 'revoked' as const, door: 'acme' as const, requester: 'a', serialNumber: certificate.serialNumber, requestId: 'order-1', detail: 'reason keyCompromise (1)' };
      expect(await store.recordRevocation(revocation, audit)).toBe(true);
      expect(await store.recordRevocation({ ...revocation, revokedAt: second(700), reason: 4 }, { ...audit, at: at(700) })).toBe(false);
      expect(await store.recordRevocation({ ...revocation, serialNumber: '0badbadbadbadbad' }, { ...audit, serialNumber: '0badbadbadbadbad' })).toBe(false);
      const listed = await store.listRevoked(at(0));
      expect(listed.map((entry) => ({ ...entry, revokedAt: entry.revokedAt.toISOString() }))).toEqual([{ serialNumber: certificate.serialNumber, revokedAt: second(600).toISOString(), reason: 1 }]);
      expect(await store.listRevoked(new Date(certificate.notAfter.getTime() + 1000))).toEqual([]);
      expect((await store.list({ requestId: 'order-1' })).map((entry) => entry.event)).toEqual(['issued', 'revoked']);
    });

    it('keeps refusals in an ordered audit log and answers a ping', async () => {
      const store = await freshStore();
      await submit(store, ID_1, 'a', T0);
      await store.append({ at: at(1), event: 'refused', door: 'rest', requester: '10.0.0.10', detail: 'identifier_not_allowed: 8.8.4.4 is public' });
      const all = await store.list();
      expect(all.map((entry) => entry.event)).toEqual(['submitted', 'refused']);
      expect(all[1]).toMatchObject({ door: 'rest', requester: '10.0.0.10', detail: 'identifier_not_allowed: 8.8.4.4 is public' });
      expect(all.map((entry) => entry.sequence)).toEqual([1, 2]);
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
