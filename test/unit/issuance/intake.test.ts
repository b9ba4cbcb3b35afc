import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CSR_PROFILES, fixedClock, Ipv4RangeSet, keyOtherThan, LeafSigner, type Ipv4 } from '../../../src/ca/index.js';
import { IssuanceService } from '../../../src/issuance/issuance-service.js';
import type { CertificateSigner } from '../../../src/issuance/signer.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { buildCsr, seq } from '../../support/csr-factory.js';
import { NOW, RANGES, testMaterial } from './test-ca.js';

/**
 * The issuance service is the one CSR intake of every door: the door's profile from src/ca, the
 * issuer's ranges checked once, the request's own checks, and one audited refusal.
 */
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function service(options: { ranges?: Ipv4RangeSet; signer?: CertificateSigner } = {}): { service: IssuanceService; store: SqliteStore } {
  const dir = mkdtempSync(join(tmpdir(), 'smsgate-ca-intake-'));
  const store = SqliteStore.open(join(dir, 'test.db'));
  cleanups.push(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const clock = fixedClock(NOW);
  const signer = options.signer ?? new LeafSigner(testMaterial(clock), { clock });
  return { service: new IssuanceService({ store, signer, allowedRanges: options.ranges ?? RANGES, clock, logger: silentLogger() }), store };
}

const twoIps: Ipv4[] = ['192.168.1.10', '192.168.1.11'];

describe('the issuance service owns CSR intake for every door', () => {
  it('takes each door through its own profile: one IP for REST, several for ACME and Kubernetes', async () => {
    const { service: issuance } = service();
    const pem = buildCsr({ ips: twoIps, subject: seq() }).pem;
    await expect(issuance.submit({ csrPem: pem, type: 'webhook', metadata: {}, requester: 'x' })).rejects.toMatchObject({ reason: 'identifier_too_many' });
    expect((await issuance.issue({ door: 'acme', requester: 'a', type: 'private_server', csr: { pem, identifiers: twoIps } })).ips).toEqual(twoIps);
    expect((await issuance.issue({ door: 'kubernetes', requester: 'k', type: 'webhook', csr: { pem } })).ips).toEqual(twoIps);
  });

  it('the profiles are defined once in src/ca: SMSGate one IP, ACME and Kubernetes up to 100', () => {
    expect(Object.fromEntries(Object.entries(CSR_PROFILES).map(([name, profile]) => [name, profile.maxIps]))).toEqual({ smsgate: 1, acme: 100, kubernetes: 100 });
  });

  it("refuses a CSR that does not name exactly the order's IPs, audited once with the order and its IPs", async () => {
    const { service: issuance, store } = service();
    const pem = buildCsr({ ips: ['192.168.1.10'], subject: seq() }).pem;
    const refused = issuance.issue({ door: 'acme', requester: 'r', type: 'private_server', csr: { pem, identifiers: twoIps }, reference: 'order-1' });
    await expect(refused).rejects.toMatchObject({ reason: 'identifier_mismatch', message: expect.stringContaining('missing 192.168.1.11') as unknown });
    expect(await store.list()).toMatchObject([{ event: 'refused', door: 'acme', requestId: 'order-1', ips: twoIps, detail: expect.stringMatching(/^identifier_mismatch: /) as unknown }]);
  });

  it("runs the door's own checks after the profile's (ACME: not the account key)", async () => {
    const { service: issuance } = service();
    const pem = buildCsr({ ips: ['192.168.1.10'], subject: seq() }).pem;
    const seen: Uint8Array[] = [];
    const accountKey = (spki: Uint8Array): boolean => {
      seen.push(spki);
      return true;
    };
    const refused = issuance.issue({ door: 'acme', requester: 'r', type: 'private_server', csr: { pem, identifiers: ['192.168.1.10'], checks: [keyOtherThan(accountKey, 'the account key')] } });
    await expect(refused).rejects.toMatchObject({ reason: 'key_reused', message: 'the CSR uses the account key; the certificate needs a key of its own' });
    expect(seen).toHaveLength(1);
  });

  it("checks the issuer's ranges once per request: once per IP, whatever the door", async () => {
    const ranges = Ipv4RangeSet.parse(RANGES.toStrings().join(','));
    const asked = vi.spyOn(ranges, 'contains');
    const leafSigner = new LeafSigner(testMaterial(), { clock: fixedClock(NOW) });
    const signer: CertificateSigner = { caKeys: leafSigner.caKeys, issue: (request) => leafSigner.issue(request) };
    const { service: issuance } = service({ ranges, signer });
    await issuance.issue({ door: 'acme', requester: 'a', type: 'private_server', csr: { pem: buildCsr({ ips: twoIps, subject: seq() }).pem, identifiers: twoIps } });
    expect(asked).toHaveBeenCalledTimes(2);
    asked.mockClear();
    await issuance.submit({ csrPem: buildCsr().pem, type: 'webhook', metadata: {}, requester: 'x' });
    expect(asked).toHaveBeenCalledTimes(1);
  });
});
