import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import type { KubernetesListObject, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer, JsonObject } from '../support/fake-apiserver/index.js';

const GROUP = 'test.example.com';
const VERSION = 'v1';
const PLURAL = 'widgets';
const NAMESPACE = 'default';

const WIDGET_CRD: JsonObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

interface Widget extends KubernetesObject {
  spec?: { size?: number };
  status?: { phase?: string };
}

let server: FakeApiServer;
let kc: KubeConfig;

function widget(name: string, size: number): Widget {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', metadata: { name }, spec: { size } };
}

async function until<T>(probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition never held: ${probe.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function apiError(promise: Promise<unknown>): Promise<ApiException<string>> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error as ApiException<string>;
    throw error;
  }
  throw new Error('expected the API call to fail');
}

beforeAll(async () => {
  server = await startFakeApiServer();
  server.objects.create(WIDGET_CRD);
  await server.settle();
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfigYaml);
});

afterAll(async () => {
  await server?.close();
});

describe('@kubernetes/client-node against the fake API server', () => {
  it('keeps an informer on a custom resource in sync, across a 410 Gone and dropped watches', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const events: string[] = [];
    const errors: unknown[] = [];
    const list = async (): Promise<KubernetesListObject<Widget>> =>
      (await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL })) as KubernetesListObject<Widget>;
    const informer = makeInformer<Widget>(kc, `/apis/${GROUP}/${VERSION}/namespaces/${NAMESPACE}/${PLURAL}`, list);
    informer.on('add', (w) => events.push(`add ${w.metadata?.name}`));
    informer.on('update', (w) => events.push(`update ${w.metadata?.name} ${w.spec?.size}`));
    informer.on('delete', (w) => events.push(`delete ${w.metadata?.name}`));
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, body: widget('alpha', 1) });
      await until(() => events.includes('add alpha'));
      await api.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, name: 'alpha', body: { spec: { size: 2 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await until(() => events.includes('update alpha 2'));

      const listsBefore = server.requests.find((e) => e.method === 'GET' && e.path.endsWith(`/${PLURAL}`) && !e.query.includes('watch=')).length;
      server.expireWatchHistory();
      expect(server.dropWatches()).toBeGreaterThan(0);
      // Changed while no watch is open: only a relist can reveal it.
      server.objects.remove({ apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', namespace: NAMESPACE, name: 'alpha' });
      await until(() => events.includes('delete alpha'));
      const listsAfter = server.requests.find((e) => e.method === 'GET' && e.path.endsWith(`/${PLURAL}`) && !e.query.includes('watch=')).length;
      expect(listsAfter).toBe(listsBefore + 1);

      await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, body: widget('beta', 5) });
      await until(() => events.includes('add beta'));
      await api.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, name: 'beta' });
      await until(() => events.includes('delete beta'));
      expect(events).toEqual(['add alpha', 'update alpha 2', 'delete alpha', 'add beta', 'delete beta']);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it('answers a watch resumed from an expired resourceVersion with an ERROR 410 event', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const created = (await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, body: widget('gamma', 1) })) as Widget;
    server.expireWatchHistory();
    const seen: { phase: string; code?: number; reason?: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      void new Watch(kc)
        .watch(`/apis/${GROUP}/${VERSION}/namespaces/${NAMESPACE}/${PLURAL}`, { resourceVersion: created.metadata?.resourceVersion }, (phase, obj: { code?: number; reason?: string }) => {
          seen.push({ phase, code: obj.code, reason: obj.reason });
        }, (err) => (err ? reject(err as Error) : resolve()))
        .catch(reject);
    });
    expect(seen).toEqual([{ phase: 'ERROR', code: 410, reason: 'Expired' }]);
  });

  it('refuses an update carrying a stale resourceVersion with 409 Conflict', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const secret: V1Secret = await core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name: 'stale' }, stringData: { a: 'one' } } });
    expect(secret.data).toEqual({ a: Buffer.from('one').toString('base64') });
    await core.replaceNamespacedSecret({ namespace: NAMESPACE, name: 'stale', body: { ...secret, stringData: { a: 'two' } } });
    const error = await apiError(core.replaceNamespacedSecret({ namespace: NAMESPACE, name: 'stale', body: { ...secret, stringData: { a: 'three' } } }));
    expect(error.code).toBe(409);
    expect(JSON.parse(error.body)).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409, details: { name: 'stale', kind: 'secrets' } });
    const created = await apiError(core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name: 'stale' } } }));
    expect(created.code).toBe(409);
    expect(JSON.parse(created.body)).toMatchObject({ reason: 'AlreadyExists' });
  });

  it('requires a resourceVersion to replace a custom resource, as the real server does', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const error = await apiError(api.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, name: 'gamma', body: widget('gamma', 7) }));
    expect(error.code).toBe(422);
    expect(JSON.parse(error.body)).toMatchObject({ reason: 'Invalid', message: expect.stringContaining('metadata.resourceVersion') });
  });

  it('splits spec and status between the main resource and the status subresource', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const ref = { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, name: 'gamma' };
    const live = (await api.getNamespacedCustomObject(ref)) as Widget;
    const withStatus = (await api.replaceNamespacedCustomObjectStatus({ ...ref, body: { ...live, spec: { size: 99 }, status: { phase: 'Ready' } } })) as Widget;
    expect(withStatus.status).toEqual({ phase: 'Ready' });
    expect(withStatus.spec).toEqual({ size: 1 });
    expect(withStatus.metadata?.generation).toBe(live.metadata?.generation);
    const mainWrite = (await api.replaceNamespacedCustomObject({ ...ref, body: { ...withStatus, spec: { size: 3 }, status: { phase: 'Ignored' } } })) as Widget;
    expect(mainWrite.status).toEqual({ phase: 'Ready' });
    expect(mainWrite.spec).toEqual({ size: 3 });
    expect(mainWrite.metadata?.generation).toBe((live.metadata?.generation ?? 0) + 1);
    const patched = (await api.patchNamespacedCustomObjectStatus({ ...ref, body: { status: { phase: 'Done' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as Widget;
    expect(patched.status).toEqual({ phase: 'Done' });
    const statusPatch = server.requests.find((e) => e.method === 'PATCH' && e.path.endsWith('/widgets/gamma/status'));
    expect(statusPatch.map((e) => e.contentType)).toEqual(['application/merge-patch+json']);
  });

  it('sends JSON patch by default and applies it', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'patched' }, data: { a: '1' } } });
    const result = await core.patchNamespacedConfigMap({ namespace: NAMESPACE, name: 'patched', body: [{ op: 'add', path: '/data/b', value: '2' }] });
    expect(result.data).toEqual({ a: '1', b: '2' });
    expect(server.requests.find((e) => e.method === 'PATCH' && e.path.endsWith('/configmaps/patched')).map((e) => e.contentType)).toEqual(['application/json-patch+json']);
  });

  it('writes Leases and events.k8s.io Events, readable through core/v1 too', async () => {
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const lease = await coordination.createNamespacedLease({
      namespace: NAMESPACE,
      body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: new Date(), renewTime: new Date() } },
    });
    expect(lease.spec?.holderIdentity).toBe('pod-a');
    const renewed = await coordination.replaceNamespacedLease({ namespace: NAMESPACE, name: 'leader', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'pod-b' } } });
    expect(renewed.spec?.holderIdentity).toBe('pod-b');
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(Number(lease.metadata?.resourceVersion));

    const events = kc.makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'gamma.issued' },
        eventTime: new Date(),
        reportingController: 'ca.sms-gate.app/controller',
        reportingInstance: 'controller-0',
        action: 'Issue',
        reason: 'Issued',
        type: 'Normal',
        note: 'certificate issued',
        regarding: { apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', name: 'gamma', namespace: NAMESPACE },
      },
    });
    const core = await kc.makeApiClient(CoreV1Api).readNamespacedEvent({ namespace: NAMESPACE, name: 'gamma.issued' });
    expect(core).toMatchObject({ message: 'certificate issued', reason: 'Issued', involvedObject: { kind: 'Widget', name: 'gamma' }, reportingComponent: 'ca.sms-gate.app/controller' });
    const invalid = await apiError(events.createNamespacedEvent({ namespace: NAMESPACE, body: { metadata: { name: 'incomplete' }, eventTime: new Date() } }));
    expect(invalid.code).toBe(422);
    expect(JSON.parse(invalid.body)).toMatchObject({ reason: 'Invalid', message: expect.stringContaining('reportingController: Required value') });
  });
});
