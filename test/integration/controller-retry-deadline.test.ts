import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedCertificate } from '../../src/ca/index.js';
import type { Operator } from '../../src/controller/operator.js';
import { fixedOperatorCa } from '../../src/controller/issuers/signing-ca.js';
import type { CertManagerCertificateRequest } from '../../src/custom-resources/cert-manager-types.js';
import type { CertificateRequest } from '../../src/custom-resources/crd-types.js';
import { CERT_MANAGER_CERTIFICATE_REQUESTS, CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import type { IssueRequest } from '../../src/issuance/issuance-types.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { SECRETS } from '../../src/kube/resource-types.js';
import { buildCsr, freshKey, seq } from '../support/csr-factory.js';
import { eventually, ManualClock, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import { FaultyKubeApi } from '../support/faulty-kube-api.js';
import { startWithReadyIssuer } from '../support/ready-issuer.js';

/**
 * issuer-lib's retry contract with an injected signing failure: Ready=Unknown/Initializing first,
 * then Ready=False/Pending naming the failure (with a Warning Event) while it is retried with
 * backoff, then Failed once the maximum retry duration has passed (the controller's clock is moved
 * on by hand, so nothing here waits an hour). A failure that heals in time ends Issued.
 */
const MAX_RETRY_MS = 10 * 60_000;

/** The harness's issuer, broken on demand: every signing fails as an unreachable backend would. */
class BreakableIssuer {
  broken = true;
  attempts = 0;

  constructor(private readonly inner: { issue(request: IssueRequest): Promise<IssuedCertificate> }) {}

  issue(request: IssueRequest): Promise<IssuedCertificate> {
    this.attempts += 1;
    if (this.broken) return Promise.reject(new Error('signing backend unreachable'));
    return this.inner.issue(request);
  }
}

let h: ControllerHarness;
let clock: ManualClock;
let issuer: BreakableIssuer;
let api: FaultyKubeApi;
let operator: Operator;

beforeAll(async () => {
  clock = new ManualClock();
  h = await startHarness({ certManager: true, clock });
  issuer = new BreakableIssuer(h.issuer);
  api = new FaultyKubeApi(h.api);
  operator = h.operator({ api, defaultCa: fixedOperatorCa(h.material, issuer), maxRetryDurationMs: MAX_RETRY_MS, backoff: { initialMs: 20, maxMs: 200 } });
  await startWithReadyIssuer(h, operator);
});

afterAll(async () => {
  await h?.close();
});

const cmClient = (): ResourceClient<CertManagerCertificateRequest> => new ResourceClient<CertManagerCertificateRequest>(h.api, CERT_MANAGER_CERTIFICATE_REQUESTS);
const ourClient = (): ResourceClient<CertificateRequest> => new ResourceClient<CertificateRequest>(h.api, CERTIFICATE_REQUESTS);

async function approvedCertManagerRequest(name: string, ip: string): Promise<void> {
  const csr = buildCsr({ key: freshKey('p256'), subject: seq(), ips: [ip] }).pem;
  await cmClient().create({
    metadata: { name, namespace: 'default' },
    spec: { request: Buffer.from(csr).toString('base64'), issuerRef: { name: 'ip-issuer', kind: 'IPIssuer', group: 'smsgate-ca.sms-gate.app' }, usages: ['digital signature', 'server auth'] },
  });
  const approved = { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'approved by test', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } };
  await h.kubectlOk('patch', 'certificaterequests.cert-manager.io', name, '--subresource=status', '--type=merge', '-p', JSON.stringify(approved));
}

type Condition = { type: string; status: string; reason?: string; message?: string };
const readyOf = (cr: { status?: { conditions?: Condition[] } } | undefined): Condition | undefined => cr?.status?.conditions?.find((item) => item.type === 'Ready');

async function readyReason<T extends { status?: { conditions?: Condition[] } }>(get: () => Promise<T | undefined>, reason: string, what: string): Promise<T> {
  return eventually(async () => {
    const cr = await get();
    return readyOf(cr)?.reason === reason ? cr : undefined;
  }, `${what} Ready reason ${reason}`);
}

/** The Ready reasons this operator wrote to an object's status, in order. */
function readyReasonsWritten(name: string): string[] {
  return api.sent
    .filter((request) => request.method === 'PATCH' && request.path.endsWith(`/${name}/status`))
    .map((request) => readyOf(request.body as { status?: { conditions?: Condition[] } })?.reason ?? '');
}

async function eventsOf(name: string): Promise<{ type: string; reason: string; message: string }[]> {
  const list = JSON.parse(await h.kubectlOk('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json')) as { items: { type: string; reason: string; message: string }[] };
  return list.items.map(({ type, reason, message }) => ({ type, reason, message }));
}

describe('a signing failure: Pending, retried, then Failed after --max-retry-duration', () => {
  // First: the next test moves the clock past every cert-manager request's deadline.
  it('cert-manager CertificateRequest: a failure that heals before the deadline ends Issued', async () => {
    issuer.broken = true;
    await approvedCertManagerRequest('recovers', '10.9.0.2');
    const get = () => cmClient().get('default', 'recovers');
    await readyReason(get, 'Pending', 'recovers');
    issuer.broken = false;
    const issued = await readyReason(get, 'Issued', 'recovers');
    expect(issued.status?.certificate).toBeDefined();
    expect(h.issuer.count('cert-manager.io/default/recovers')).toBe(1);
  });

  it('cert-manager CertificateRequest: Initializing → Pending (retried) → Failed with failureTime; final', async () => {
    issuer.broken = true;
    await approvedCertManagerRequest('flaky', '10.9.0.1');
    const get = () => cmClient().get('default', 'flaky');
    const pending = await readyReason(get, 'Pending', 'flaky');
    expect(readyOf(pending)).toMatchObject({ status: 'False', message: 'Failed to sign the certificate, will retry: signing backend unreachable' });
    expect(pending.status?.failureTime).toBeUndefined();
    expect(readyReasonsWritten('flaky')[0]).toBe('Initializing');
    // Retried with backoff while Pending.
    const before = issuer.attempts;
    await eventually(() => (issuer.attempts >= before + 2 ? true : undefined), 'two more signing attempts');
    expect(readyOf(await get())?.reason).toBe('Pending');
    expect((await eventsOf('flaky')).some((event) => event.type === 'Warning' && event.reason === 'RetryableError' && event.message.includes('signing backend unreachable'))).toBe(true);

    // The deadline counts from creationTimestamp, stamped by the double on the wall clock, which ran
    // ahead of the hand-moved clock while the harness started: a minute covers that.
    clock.advance(MAX_RETRY_MS + 60_000);
    const failed = await readyReason(get, 'Failed', 'flaky');
    expect(readyOf(failed)?.message).toBe('Failed permanently to sign the certificate (the maximum retry duration has passed): signing backend unreachable');
    expect(failed.status?.failureTime).toBeDefined();
    expect(failed.status?.conditions?.find((item) => item.type === 'InvalidRequest')).toBeUndefined();
    expect(failed.status?.certificate).toBeUndefined();
    await eventually(async () => ((await eventsOf('flaky')).some((event) => event.type === 'Warning' && event.reason === 'PermanentError') ? true : undefined), 'the PermanentError Event');
    // Final: healing the signer afterwards issues nothing.
    issuer.broken = false;
    operator.resync();
    await operator.idle();
    expect(readyOf(await get())?.reason).toBe('Failed');
    expect(h.issuer.count('cert-manager.io/default/flaky')).toBe(0);
    expect(readyReasonsWritten('flaky')).toEqual(expect.arrayContaining(['Initializing', 'Pending', 'Failed']));
  });

  it('our CertificateRequest: Initializing → Pending → Failed, counted from when Ready turned False', async () => {
    issuer.broken = true;
    await ourClient().create({
      apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1',
      kind: 'CertificateRequest',
      metadata: { name: 'flaky-own', namespace: 'default' },
      spec: { ipAddresses: ['10.9.0.3'], secretName: 'flaky-own-tls' },
    });
    const get = () => ourClient().get('default', 'flaky-own');
    const pending = await readyReason(get, 'Pending', 'flaky-own');
    expect(readyOf(pending)?.message).toBe('Failed to sign the certificate, will retry: signing backend unreachable');
    expect(readyReasonsWritten('flaky-own')[0]).toBe('Initializing');
    // Not yet: half the retry duration.
    clock.advance(MAX_RETRY_MS / 2);
    const before = issuer.attempts;
    await eventually(() => (issuer.attempts >= before + 2 ? true : undefined), 'two more signing attempts');
    expect(readyOf(await get())?.reason).toBe('Pending');
    clock.advance(MAX_RETRY_MS / 2 + 1000);
    const failed = await readyReason(get, 'Failed', 'flaky-own');
    expect(readyOf(failed)?.message).toContain('Failed permanently to sign the certificate');
    expect(await new ResourceClient(h.api, SECRETS).get('default', 'flaky-own-tls')).toBeUndefined();
    await eventually(async () => ((await eventsOf('flaky-own')).some((event) => event.type === 'Warning' && event.reason === 'Failed') ? true : undefined), 'the Failed Event');
  });
});
