import { afterEach, describe, expect, it } from 'vitest';
import type { Operator } from '../../src/controller/operator.js';
import type { Lease, Secret } from '../../src/kube/core-types.js';
import type { KubeRequest } from '../../src/kube/kube-api.js';
import type { CertificateRequest } from '../../src/custom-resources/crd-types.js';
import { ResourceClient } from '../../src/kube/resource-client.js';
import { LEASES, SECRETS } from '../../src/kube/resource-types.js';
import { CERTIFICATE_REQUESTS } from '../../src/custom-resources/resource-types.js';
import { eventually, startHarness, type ControllerHarness } from '../support/controller-harness.js';
import { FaultyKubeApi } from '../support/faulty-kube-api.js';

/**
 * Faults against the API-server double: watches dropped and expired (410), a 409 on the status
 * write, a controller dying mid-issuance, a restart, two replicas with a Lease. Every time: exactly
 * one certificate per request.
 */
let h: ControllerHarness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CR = { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest' } as const;

function requests(harness: ControllerHarness): ResourceClient<CertificateRequest> {
  return new ResourceClient<CertificateRequest>(harness.api, CERTIFICATE_REQUESTS);
}

async function createRequests(harness: ControllerHarness, prefix: string, count: number, octet = 1): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = `${prefix}-${i}`;
    names.push(name);
    await requests(harness).create({ ...CR, metadata: { name, namespace: 'default' }, spec: { ipAddresses: [`10.${octet}.${Math.floor(i / 250)}.${(i % 250) + 1}`], secretName: `${name}-tls` } });
  }
  return names;
}

/** A status write that records an issued certificate (not the Initializing or Pending ones). */
function carriesRevision(request: KubeRequest): boolean {
  return (request.body as { status?: { revision?: number } } | undefined)?.status?.revision !== undefined;
}

function isReady(cr: CertificateRequest | undefined): boolean {
  return cr?.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}

async function allReady(harness: ControllerHarness, names: readonly string[]): Promise<CertificateRequest[]> {
  return eventually(async () => {
    const { items } = await requests(harness).list('default');
    const byName = new Map(items.map((cr) => [cr.metadata.name, cr]));
    const ready = names.map((name) => byName.get(name)).filter((cr): cr is CertificateRequest => isReady(cr));
    return ready.length === names.length ? ready : undefined;
  }, `${names.length} CertificateRequests Ready`);
}

function expectOneCertificateEach(harness: ControllerHarness, names: readonly string[], ready: readonly CertificateRequest[]): void {
  for (const name of names) expect(harness.issuer.count(`default/${name}`), name).toBe(1);
  for (const cr of ready) expect(cr.status?.revision, cr.metadata.name).toBe(1);
}

async function started(operator: Operator): Promise<Operator> {
  await operator.start();
  await operator.synced();
  return operator;
}

describe('controller under faults', () => {
  it('keeps reconciling after its watch streams are cut', async () => {
    h = await startHarness();
    const operator = await started(h.operator());
    const first = await createRequests(h, 'before', 3);
    await allReady(h, first);
    expect(h.fake.dropWatches({ abrupt: true })).toBeGreaterThan(0);
    const second = await createRequests(h, 'after', 3, 2);
    expectOneCertificateEach(h, [...first, ...second], await allReady(h, [...first, ...second]));
    const stats = operator.informerStats()['certificaterequests.smsgate-ca.sms-gate.app']!;
    expect(stats.watches).toBeGreaterThan(1);
  });

  it('relists after 410 Gone and catches up with what it missed', async () => {
    h = await startHarness();
    const operator = await started(h.operator());
    const names = await createRequests(h, 'gone', 3);
    await allReady(h, names);
    // Cut every watch and compact the history at once: resuming from the old resourceVersion is a 410.
    h.fake.dropWatches({ abrupt: true });
    h.fake.expireWatchHistory();
    // Behind the controller's back: a Secret disappears (raw storage removal) and a new request arrives.
    expect(h.fake.objects.remove({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'gone-0-tls' })).toBe(true);
    const late = await createRequests(h, 'late', 1, 3);
    await allReady(h, late);
    const secret = await eventually(() => new ResourceClient<Secret>(h!.api, SECRETS).get('default', 'gone-0-tls'), 'gone-0-tls re-created');
    expect(secret.metadata.annotations?.['ca.sms-gate.app/revision']).toBe('2');
    const stats = operator.informerStats();
    expect(Object.values(stats).some((informer) => informer.relistsAfterGone > 0)).toBe(true);
    expect(h.issuer.count('default/late-0')).toBe(1);
  });

  it('retries a status update that hits 409 Conflict without signing again', async () => {
    h = await startHarness();
    const harness = h;
    const api = new FaultyKubeApi(harness.api);
    let conflicts = 0;
    api.hooks.push(async (request) => {
      if (request.method === 'PATCH' && request.path.endsWith('/certificaterequests/contested/status') && carriesRevision(request) && conflicts === 0) {
        conflicts += 1;
        // Another writer changes the object between the controller's read and its write.
        const live = harness.fake.objects.get({ ...CR, namespace: 'default', name: 'contested' })!;
        harness.fake.objects.put({ ...live, metadata: { ...(live['metadata'] as object), labels: { touched: 'yes' } } });
      }
    });
    const operator = await started(harness.operator({ api }));
    await requests(harness).create({ ...CR, metadata: { name: 'contested', namespace: 'default' }, spec: { ipAddresses: ['10.5.5.5'], secretName: 'contested-tls' } });
    const [ready] = await allReady(harness, ['contested']);
    expect(conflicts).toBe(1);
    expect(operator.counters.conflicts).toBeGreaterThanOrEqual(1);
    expectOneCertificateEach(harness, ['contested'], [ready!]);
    expect(api.writes(/\/secrets/).length).toBe(1);
  });

  it('a controller killed after writing the Secret but before the status: its successor re-signs nothing', async () => {
    h = await startHarness();
    const harness = h;
    const doomed = new FaultyKubeApi(harness.api);
    let release: (() => void) | undefined;
    const reached = new Promise<void>((resolve) => {
      doomed.hooks.push(async (request) => {
        if (request.method === 'PATCH' && request.path.endsWith('/certificaterequests/victim/status') && carriesRevision(request)) {
          resolve();
          await new Promise<void>((unblock) => (release = unblock));
        }
      });
    });
    await started(harness.operator({ api: doomed, identity: 'doomed' }));
    await requests(harness).create({ ...CR, metadata: { name: 'victim', namespace: 'default' }, spec: { ipAddresses: ['172.16.0.9'], secretName: 'victim-tls' } });
    await reached;
    doomed.kill();
    release?.();
    expect(harness.issuer.count('default/victim')).toBe(1);
    // It died after its Secret write and before any status write landed.
    expect(doomed.writes(/\/secrets\/?/).map((request) => request.method)).toEqual(['POST']);
    // Its only status write was Ready=Unknown/Initializing, before signing.
    expect(doomed.writes(/\/certificaterequests\//).filter(carriesRevision)).toEqual([]);
    expect((await requests(harness).get('default', 'victim'))?.status?.revision).toBeUndefined();
    const successor = new FaultyKubeApi(harness.api);
    await started(harness.operator({ api: successor, identity: 'successor' }));
    const ready = await allReady(harness, ['victim']);
    expectOneCertificateEach(harness, ['victim'], ready);
    expect(successor.writes(/\/secrets/)).toEqual([]);
  });

  it('a restarted controller re-signs nothing and writes nothing', async () => {
    h = await startHarness();
    const first = await started(h.operator({ identity: 'first' }));
    const names = await createRequests(h, 'steady', 10);
    const before = await allReady(h, names);
    await first.stop();
    const api = new FaultyKubeApi(h.api);
    const second = await started(h.operator({ api, identity: 'second' }));
    second.resync();
    await second.idle();
    await eventually(() => (second.counters.reconciles >= 2 * names.length ? true : undefined), 'the restarted controller reconciled everything');
    await second.idle();
    expect(api.writes()).toEqual([]);
    const after = await allReady(h, names);
    expect(after.map((cr) => cr.metadata.resourceVersion)).toEqual(before.map((cr) => cr.metadata.resourceVersion));
    expectOneCertificateEach(h, names, after);
  });

  it('two replicas with a Lease: one reconciles, the other takes over when it stops, one certificate per request', async () => {
    h = await startHarness();
    const leaderElection = { namespace: 'default', name: 'smsgate-ca-leader', timing: { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 } };
    const apis = { a: new FaultyKubeApi(h.api), b: new FaultyKubeApi(h.api) };
    const a = h.operator({ api: apis.a, identity: 'replica-a', leaderElection });
    const b = h.operator({ api: apis.b, identity: 'replica-b', leaderElection });
    await a.start();
    await b.start();
    const leader = await eventually(() => (a.isLeader ? a : b.isLeader ? b : undefined), 'a leader');
    const follower = leader === a ? b : a;
    const [leaderApi, followerApi] = leader === a ? [apis.a, apis.b] : [apis.b, apis.a];
    await leader.synced();
    // The follower keeps campaigning against the held Lease all along; it must never take it.
    const followerLeaseReads = () => followerApi.sent.filter((request) => request.method === 'GET' && request.path.endsWith('/leases/smsgate-ca-leader')).length;
    await eventually(() => (followerLeaseReads() >= 3 ? true : undefined), 'the follower campaigning');
    const names = await createRequests(h, 'elected', 15);
    expectOneCertificateEach(h, names, await allReady(h, names));
    const readsBefore = followerLeaseReads();
    await eventually(() => (followerLeaseReads() >= readsBefore + 3 ? true : undefined), 'the follower campaigning on');
    expect(a.isLeader && b.isLeader).toBe(false);
    expect(follower.isLeader).toBe(false);
    // At most a create that lost the race; never a write that takes the Lease, never any other write.
    expect(followerApi.writes().filter((request) => !(request.method === 'POST' && request.path.endsWith('/leases')))).toEqual([]);
    expect(leaderApi.writes(/\/secrets/).length).toBe(names.length);
    const lease = await new ResourceClient<Lease>(h.api, LEASES).get('default', 'smsgate-ca-leader');
    expect(lease?.spec?.holderIdentity).toBe(leader === a ? 'replica-a' : 'replica-b');

    await leader.stop();
    await eventually(() => (follower.isLeader ? true : undefined), 'failover to the other replica');
    await follower.synced();
    const more = await createRequests(h, 'failover', 5, 4);
    const all = [...names, ...more];
    expectOneCertificateEach(h, all, await allReady(h, all));
    expect(h.issuer.total).toBe(all.length);
  });

  it('takes over from a leader that died without releasing the Lease, once it expires', async () => {
    h = await startHarness();
    const leaderElection = { namespace: 'default', name: 'crash-leader', timing: { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 150 } };
    const dying = new FaultyKubeApi(h.api);
    const first = h.operator({ api: dying, identity: 'first', leaderElection });
    await first.start();
    await eventually(() => (first.isLeader ? true : undefined), 'first leads');
    const second = h.operator({ identity: 'second', leaderElection });
    await second.start();
    dying.kill();
    await eventually(() => (second.isLeader ? true : undefined), 'second leads after the lease expired', 20_000);
    await eventually(() => (first.isLeader ? undefined : true), 'the dead leader stepped down');
    await second.synced();
    const names = await createRequests(h, 'orphan', 4);
    expectOneCertificateEach(h, names, await allReady(h, names));
  });
});
