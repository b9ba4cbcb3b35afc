import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LEAF_BACKDATE_MS } from '../../src/ca/index.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { SECRETS } from '../../src/kube/resource-types.js';
import { CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import type { Secret } from '../../src/kube/core-types.js';
import type { CertificateRequest } from '../../src/custom-resources/crd-types.js';
import { eventually, ManualClock, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import { certificateRequest, withDuration, withIps, withRotation } from '../support/builders.js';

/** Renewal at status.renewalTime: with an injected clock, and with a real timer on a short duration. */
let h: ControllerHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

function secretsOf(harness: ControllerHarness): ResourceClient<Secret> {
  return new ResourceClient<Secret>(harness.api, SECRETS);
}

function requestsOf(harness: ControllerHarness): ResourceClient<CertificateRequest> {
  return new ResourceClient<CertificateRequest>(harness.api, CERTIFICATE_REQUESTS);
}

function keyOf(secret: Secret): string {
  return Buffer.from(secret.data?.['tls.key'] ?? '', 'base64').toString('utf8');
}

function serialOf(secret: Secret): string {
  return new X509Certificate(Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64').toString('utf8')).serialNumber.toLowerCase();
}

async function create(harness: ControllerHarness, request: CertificateRequest): Promise<void> {
  await requestsOf(harness).create(request);
}

async function revisionOf(harness: ControllerHarness, name: string, revision: number): Promise<CertificateRequest> {
  return eventually(async () => {
    const cr = await requestsOf(harness).get('default', name);
    return cr?.status?.revision === revision && cr.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? cr : undefined;
  }, `${name} at revision ${revision}`);
}

describe('renewal at renewalTime', () => {
  it('re-issues with a new serial once the injected clock passes renewalTime; rotationPolicy Always gives a new key, Never keeps it', async () => {
    const clock = new ManualClock(Date.now());
    h = await startHarness({ clock });
    const operator = h.operator({ clock });
    await operator.start();
    await operator.synced();
    await create(h, certificateRequest('always', withIps('10.0.0.1'), withRotation('Always')));
    await create(h, certificateRequest('never', withIps('10.0.0.2'), withRotation('Never'), withDuration('720h', '240h')));
    const first = { always: await revisionOf(h, 'always', 1), never: await revisionOf(h, 'never', 1) };
    const before = { always: (await secretsOf(h).get('default', 'always-tls'))!, never: (await secretsOf(h).get('default', 'never-tls'))! };
    const renewalNever = Date.parse(first.never.status!.renewalTime!);
    // 720h - 240h: renewal 20 days after issuance.
    expect(Date.parse(first.never.status!.notAfter!) - renewalNever).toBe(240 * 3_600_000);

    // Just before renewalTime nothing happens, even on a resync.
    clock.advance(renewalNever - clock.now().getTime() - 60_000);
    operator.resync();
    await operator.idle();
    expect((await requestsOf(h).get('default', 'never'))!.status!.revision).toBe(1);
    expect(h.issuer.count('default/never')).toBe(1);

    // Past it (and past the 1-year certificate's 2/3 point), both are renewed.
    clock.advance(250 * 86_400_000);
    operator.resync();
    const second = { always: await revisionOf(h, 'always', 2), never: await revisionOf(h, 'never', 2) };
    const after = { always: (await secretsOf(h).get('default', 'always-tls'))!, never: (await secretsOf(h).get('default', 'never-tls'))! };
    expect(second.never.status!.serialNumber).not.toBe(first.never.status!.serialNumber);
    expect(serialOf(after.never)).toBe(second.never.status!.serialNumber);
    expect(serialOf(after.always)).not.toBe(serialOf(before.always));
    expect(keyOf(after.always)).not.toBe(keyOf(before.always));
    expect(keyOf(after.never)).toBe(keyOf(before.never));
    expect(Date.parse(second.never.status!.renewalTime!)).toBeGreaterThan(clock.now().getTime());
    expect(h.issuer.count('default/always')).toBe(2);
    expect(h.issuer.count('default/never')).toBe(2);
  });

  it('renews on its own timer when renewalTime comes (short duration, real clock)', async () => {
    h = await startHarness();
    const operator = h.operator();
    await operator.start();
    await operator.synced();
    // 2 s after issuance the certificate is due: 1h lifetime, renewBefore 59m58s.
    await create(h, certificateRequest('short', withIps('192.168.9.9'), withDuration('1h', '59m58s')));
    const first = await revisionOf(h, 'short', 1);
    const second = await revisionOf(h, 'short', 2);
    expect(second.status!.serialNumber).not.toBe(first.status!.serialNumber);
    // Re-issued at renewalTime, not before: the new certificate was signed (notBefore + backdate) then or later.
    expect(Date.parse(second.status!.notBefore!) + LEAF_BACKDATE_MS).toBeGreaterThanOrEqual(Date.parse(first.status!.renewalTime!));
    expect(h.issuer.count('default/short')).toBeGreaterThanOrEqual(2);
    await requestsOf(h).delete('default', 'short');
  });
});
