import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeRequest, startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer, JsonObject, RawRequest, RawResponse } from '../support/fake-apiserver/index.js';

let server: FakeApiServer;

function call(req: RawRequest): Promise<RawResponse> {
  return kubeRequest(server, req);
}

function meta(obj: JsonObject | undefined): JsonObject {
  return (obj?.['metadata'] ?? {}) as JsonObject;
}

function names(list: RawResponse): string[] {
  return ((list.json?.['items'] ?? []) as JsonObject[]).map((i) => String(meta(i)['name']));
}

async function create(path: string, body: JsonObject, query = ''): Promise<RawResponse> {
  return call({ method: 'POST', path: `${path}${query}`, body });
}

function configMap(name: string): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { key: name } };
}

const CM = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  server = await startFakeApiServer();
});

afterAll(async () => {
  await server?.close();
});

describe('errors look like the real API server', () => {
  it('rejects a missing or wrong bearer token with a 401 Status', async () => {
    for (const token of [null, 'wrong']) {
      const res = await call({ path: '/api/v1/namespaces', token });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
  });

  it('answers 404 NotFound with details for a missing object, namespace or resource', async () => {
    const missing = await call({ path: `${CM}/nope` });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'configmaps "nope" not found', details: { name: 'nope', kind: 'configmaps' }, code: 404 });
    const lease = await call({ path: '/apis/coordination.k8s.io/v1/namespaces/default/leases/nope' });
    expect(lease.json).toMatchObject({ message: 'leases.coordination.k8s.io "nope" not found', details: { group: 'coordination.k8s.io', kind: 'leases' } });
    const noNamespace = await create('/api/v1/namespaces/ghost/configmaps', configMap('x'));
    expect(noNamespace.status).toBe(404);
    expect(noNamespace.json).toMatchObject({ message: 'namespaces "ghost" not found', details: { name: 'ghost', kind: 'namespaces' } });
    expect((await call({ path: '/api/v1/namespaces/default/gadgets' })).status).toBe(404);
    expect((await call({ method: 'POST', path: `${CM}/x`, body: configMap('x') })).status).toBe(405);
  });

  it('answers 422 Invalid with causes for a missing or malformed name, 409 AlreadyExists for a duplicate', async () => {
    const unnamed = await create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    expect(unnamed.status).toBe(422);
    expect(unnamed.json).toMatchObject({
      reason: 'Invalid',
      message: 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required',
      details: { kind: 'ConfigMap', causes: [{ reason: 'FieldValueRequired', field: 'metadata.name' }] },
    });
    const malformed = await create(CM, configMap('Not_Valid'));
    expect(malformed.status).toBe(422);
    expect(malformed.json?.['message']).toContain('a lowercase RFC 1123 subdomain');
    expect((await create(CM, configMap('dup'))).status).toBe(201);
    const dup = await create(CM, configMap('dup'));
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "dup" already exists' });
  });

  it('validates well-known types: TLS secrets, base64 data, workload selectors', async () => {
    const tls = await create('/api/v1/namespaces/default/secrets', { metadata: { name: 'tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'AA==' } });
    expect(tls.status).toBe(422);
    expect(tls.json?.['message']).toContain('data[tls.key]: Required value');
    const base64 = await create('/api/v1/namespaces/default/secrets', { metadata: { name: 'b64' }, data: { x: 'not base64!' } });
    expect(base64.status).toBe(400);
    const deployment = await create('/apis/apps/v1/namespaces/default/deployments', {
      metadata: { name: 'mismatch' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    expect(deployment.status).toBe(422);
    expect(deployment.json?.['message']).toContain('`selector` does not match template `labels`');
  });
});

describe('object metadata and writes', () => {
  it('stamps uid, creationTimestamp and a growing resourceVersion; generateName adds a suffix', async () => {
    const a = await create(CM, { metadata: { generateName: 'gen-' }, data: {} });
    const b = await create(CM, { metadata: { generateName: 'gen-' }, data: {} });
    expect(meta(a.json)['name']).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(meta(a.json)['name']).not.toBe(meta(b.json)['name']);
    expect(meta(a.json)['uid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta(a.json)['creationTimestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(meta(b.json)['resourceVersion'])).toBeGreaterThan(Number(meta(a.json)['resourceVersion']));
  });

  it('updates unconditionally without a resourceVersion, refuses a stale one, and skips no-op writes', async () => {
    const created = (await create(CM, configMap('upd'))).json ?? {};
    const unconditional = await call({ method: 'PUT', path: `${CM}/upd`, body: { metadata: { name: 'upd' }, data: { v: '1' } } });
    expect(unconditional.status).toBe(200);
    const stale = await call({ method: 'PUT', path: `${CM}/upd`, body: { ...created, data: { v: '2' } } });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on configmaps "upd": the object has been modified; please apply your changes to the latest version and try again' });
    const current = unconditional.json ?? {};
    const revision = server.objects.revision();
    const noop = await call({ method: 'PUT', path: `${CM}/upd`, body: current });
    expect(meta(noop.json)['resourceVersion']).toBe(meta(current)['resourceVersion']);
    expect(server.objects.revision()).toBe(revision);
    const renamed = await call({ method: 'PUT', path: `${CM}/upd`, body: { ...current, metadata: { ...meta(current), name: 'other' } } });
    expect(renamed.status).toBe(400);
  });

  it('does not persist dry-run writes', async () => {
    const revision = server.objects.revision();
    const created = await create(CM, configMap('dry'), '?dryRun=All');
    expect(created.status).toBe(201);
    expect(created.json?.['data']).toEqual({ key: 'dry' });
    expect(server.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'dry' })).toBeUndefined();
    await create(CM, configMap('dry2'));
    const afterCreate = server.objects.revision();
    await call({ method: 'PATCH', path: `${CM}/dry2?dryRun=All`, body: { data: { key: 'changed' } }, contentType: 'application/merge-patch+json' });
    await call({ method: 'DELETE', path: `${CM}/dry2?dryRun=All` });
    expect(server.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'dry2' })?.['data']).toEqual({ key: 'dry2' });
    expect(server.objects.revision()).toBe(afterCreate);
    expect(afterCreate).toBe(revision + 1);
  });

  it('merges strategic patches by key, replaces JSON-merged lists, and applies JSON patches atomically', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    await create(path, {
      metadata: { name: 'smp' },
      spec: { selector: { matchLabels: { app: 'smp' } }, template: { metadata: { labels: { app: 'smp' } }, spec: { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] } } },
    });
    const smp = await call({
      method: 'PATCH',
      path: `${path}/smp`,
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { template: { spec: { containers: [{ name: 'b', image: 'b:2' }, { name: 'a', $patch: 'delete' }, { name: 'c', image: 'c:1' }] } } } },
    });
    expect(smp.status).toBe(200);
    const containers = ((((smp.json?.['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[]).map((c) => `${String(c['name'])}=${String(c['image'])}`);
    expect(containers).toEqual(['b=b:2', 'c=c:1']);
    const failing = await call({ method: 'PATCH', path: `${path}/smp`, contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/replicas', value: 5 }, { op: 'test', path: '/spec/paused', value: true }] });
    expect(failing.status).toBe(422);
    expect((server.objects.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'smp' })?.['spec'] as JsonObject)['replicas']).toBe(1);
    const force = await call({ method: 'PATCH', path: `${path}/smp?force=true`, contentType: 'application/merge-patch+json', body: {} });
    expect(force.status).toBe(422);
  });
});

describe('server-side apply', () => {
  const path = `${CM}/ssa`;
  const apply = (manager: string, data: JsonObject, force = false): Promise<RawResponse> =>
    call({
      method: 'PATCH',
      path: `${path}?fieldManager=${manager}${force ? '&force=true' : ''}`,
      contentType: 'application/apply-patch+yaml',
      body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${String(v)}"`).join('\n')}\n`,
    });

  it('creates when absent, tracks owners, detects conflicts, forces, and removes fields no longer applied', async () => {
    const created = await apply('alice', { shared: 'a', mine: 'x' });
    expect(created.status).toBe(201);
    expect(meta(created.json)['managedFields']).toEqual([
      expect.objectContaining({ manager: 'alice', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:mine': {}, 'f:shared': {} } } }),
    ]);
    expect((await apply('bob', { shared: 'a', bobs: 'y' })).status).toBe(200);
    const conflict = await apply('bob', { shared: 'b', bobs: 'y' });
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({ reason: 'Conflict', message: 'Apply failed with 1 conflict: conflict with "alice" using v1: .data.shared', details: { causes: [{ reason: 'FieldManagerConflict', field: '.data.shared' }] } });
    expect((await apply('bob', { shared: 'b', bobs: 'y' }, true)).status).toBe(200);
    const after = await apply('alice', { mine: 'x2' });
    expect(after.status).toBe(200);
    expect(after.json?.['data']).toEqual({ shared: 'b', bobs: 'y', mine: 'x2' });
    const dropped = await apply('alice', {});
    expect(dropped.json?.['data']).toEqual({ shared: 'b', bobs: 'y' });
  });

  it('requires a fieldManager', async () => {
    const res = await call({ method: 'PATCH', path, contentType: 'application/apply-patch+yaml', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n' });
    expect(res.status).toBe(422);
    expect(res.json?.['message']).toContain('fieldManager: Required value');
  });
});

describe('lists', () => {
  beforeAll(async () => {
    await call({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'lists' } } });
    const labels: Record<string, JsonObject> = { l1: { tier: 'web', env: 'prod' }, l2: { tier: 'db', env: 'prod' }, l3: { tier: 'web', env: 'dev' }, l4: { env: 'dev' }, l5: {} };
    for (const [name, l] of Object.entries(labels)) await create('/api/v1/namespaces/lists/configmaps', { metadata: { name, labels: l } });
  });

  const list = (query: string): Promise<RawResponse> => call({ path: `/api/v1/namespaces/lists/configmaps?${query}` });
  const selected = async (selector: string): Promise<string[]> => names(await list(`labelSelector=${encodeURIComponent(selector)}`)).filter((n) => n.startsWith('l'));

  it('filters by label selectors: =, !=, in, notin, exists, !exists', async () => {
    expect(await selected('tier=web')).toEqual(['l1', 'l3']);
    expect(await selected('env!=prod')).toEqual(['l3', 'l4', 'l5']);
    expect(await selected('tier in (web,db),env=prod')).toEqual(['l1', 'l2']);
    expect(await selected('tier notin (web)')).toEqual(['l2', 'l4', 'l5']);
    expect(await selected('tier')).toEqual(['l1', 'l2', 'l3']);
    expect(await selected('!tier')).toEqual(['l4', 'l5']);
    expect((await list('labelSelector=a%20in%20b')).status).toBe(400);
  });

  it('filters by field selectors and refuses unsupported fields', async () => {
    expect(names(await list('fieldSelector=metadata.name%3Dl2'))).toEqual(['l2']);
    expect(names(await list('fieldSelector=metadata.name!%3Dl2')).filter((n) => n.startsWith('l'))).toEqual(['l1', 'l3', 'l4', 'l5']);
    const bad = await list('fieldSelector=data.key%3Dx');
    expect(bad.status).toBe(400);
    expect(bad.json?.['message']).toBe('field label not supported: data.key');
  });

  it('pages with limit and continue, and lists across namespaces', async () => {
    const first = await list('limit=2');
    expect(names(first)).toEqual(['kube-root-ca.crt', 'l1']);
    const listMeta = first.json?.['metadata'] as JsonObject;
    expect(listMeta['remainingItemCount']).toBe(4);
    const second = await list(`limit=2&continue=${encodeURIComponent(String(listMeta['continue']))}`);
    expect(names(second)).toEqual(['l2', 'l3']);
    expect((second.json?.['metadata'] as JsonObject)['resourceVersion']).toBe(listMeta['resourceVersion']);
    const third = await list(`limit=2&continue=${encodeURIComponent(String((second.json?.['metadata'] as JsonObject)['continue']))}`);
    expect(names(third)).toEqual(['l4', 'l5']);
    expect((third.json?.['metadata'] as JsonObject)['continue']).toBeUndefined();
    const all = await call({ path: '/api/v1/configmaps?labelSelector=env%3Dprod' });
    expect(all.json).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' });
    expect(((all.json?.['items'] ?? []) as JsonObject[]).map((i) => `${String(meta(i)['namespace'])}/${String(meta(i)['name'])}`)).toEqual(['lists/l1', 'lists/l2']);
    expect(((all.json?.['items'] ?? []) as JsonObject[])[0]?.['kind']).toBeUndefined();
  });

  it('expires continue tokens older than the watch-cache window with 410', async () => {
    const first = await list('limit=1');
    server.expireWatchHistory();
    const res = await list(`limit=1&continue=${encodeURIComponent(String((first.json?.['metadata'] as JsonObject)['continue']))}`);
    expect(res.status).toBe(410);
    expect(res.json).toMatchObject({ reason: 'Expired', code: 410 });
  });

  it('serves Table and PartialObjectMetadataList when asked', async () => {
    const table = await call({ path: '/api/v1/namespaces/lists/configmaps?labelSelector=env%3Dprod', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(table.headers['content-type']).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    expect(table.json).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', columnDefinitions: [{ name: 'Name' }, { name: 'Data' }, { name: 'Age' }] });
    expect((table.json?.['rows'] as JsonObject[]).map((r) => (r['cells'] as unknown[]).slice(0, 2))).toEqual([['l1', 0], ['l2', 0]]);
    const partial = await call({ path: '/api/v1/namespaces/lists/configmaps?labelSelector=env%3Ddev', accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    expect(partial.json).toMatchObject({ kind: 'PartialObjectMetadataList', items: [{ kind: 'PartialObjectMetadata', metadata: { name: 'l3' } }, { metadata: { name: 'l4' } }] });
    expect((partial.json?.['items'] as JsonObject[])[0]?.['data']).toBeUndefined();
  });

  it('deletes a collection by label selector', async () => {
    const res = await call({ method: 'DELETE', path: '/api/v1/namespaces/lists/configmaps?labelSelector=env%3Ddev' });
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(['l3', 'l4']);
    expect(names(await list('')).filter((n) => n.startsWith('l'))).toEqual(['l1', 'l2', 'l5']);
  });
});

describe('deletion: finalizers, garbage collection, namespaces', () => {
  const cm = (name: string): JsonObject | undefined => server.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name });

  it('keeps an object with finalizers until the last one is removed', async () => {
    await create(CM, { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const deleted = await call({ method: 'DELETE', path: `${CM}/held` });
    expect(deleted.status).toBe(200);
    expect(meta(deleted.json)['deletionTimestamp']).toEqual(expect.any(String));
    expect(cm('held')).toBeDefined();
    const more = await call({ method: 'PATCH', path: `${CM}/held`, contentType: 'application/merge-patch+json', body: { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } } });
    expect(more.status).toBe(422);
    const released = await call({ method: 'PATCH', path: `${CM}/held`, contentType: 'application/json-patch+json', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    expect(released.status).toBe(200);
    expect(cm('held')).toBeUndefined();
  });

  it('collects dependents in background, foreground and orphan modes', async () => {
    const owner = async (name: string): Promise<JsonObject> => (await create(CM, { metadata: { name } })).json ?? {};
    const dependent = (name: string, ownerObj: JsonObject): Promise<RawResponse> =>
      create(CM, { metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: String(meta(ownerObj)['name']), uid: String(meta(ownerObj)['uid']) }] } });
    const bg = await owner('owner-bg');
    await dependent('dep-bg', bg);
    await call({ method: 'DELETE', path: `${CM}/owner-bg` });
    await server.settle();
    expect(cm('dep-bg')).toBeUndefined();

    const fg = await owner('owner-fg');
    await dependent('dep-fg', fg);
    await create(CM, { metadata: { name: 'dep-fg-held', finalizers: ['example.com/hold'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner-fg', uid: String(meta(fg)['uid']) }] } });
    const fgDelete = await call({ method: 'DELETE', path: `${CM}/owner-fg?propagationPolicy=Foreground` });
    expect(meta(fgDelete.json)['finalizers']).toEqual(['foregroundDeletion']);
    await server.settle();
    expect(cm('dep-fg')).toBeUndefined();
    expect(cm('owner-fg')).toBeDefined();
    await call({ method: 'PATCH', path: `${CM}/dep-fg-held`, contentType: 'application/merge-patch+json', body: { metadata: { finalizers: null } } });
    await server.settle();
    expect(cm('owner-fg')).toBeUndefined();

    const orphan = await owner('owner-orphan');
    await dependent('dep-orphan', orphan);
    await call({ method: 'DELETE', path: `${CM}/owner-orphan`, body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' } });
    await server.settle();
    expect(cm('owner-orphan')).toBeUndefined();
    expect(meta(cm('dep-orphan'))['ownerReferences']).toBeUndefined();
  });

  it('terminates a namespace: content is deleted, new content refused, the namespace disappears last', async () => {
    await call({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'doomed' } } });
    await create('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'plain' } });
    await create('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const deleted = await call({ method: 'DELETE', path: '/api/v1/namespaces/doomed' });
    expect(deleted.json).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } });
    await server.settle();
    const ns = (): JsonObject | undefined => server.objects.get({ apiVersion: 'v1', kind: 'Namespace', name: 'doomed' });
    expect(ns()).toBeDefined();
    expect(server.objects.list('v1', 'ConfigMap', 'doomed').map((o) => meta(o)['name'])).toEqual(['held']);
    const refused = await create('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'late' } });
    expect(refused.status).toBe(403);
    expect(refused.json?.['message']).toContain('because it is being terminated');
    await call({ method: 'PATCH', path: '/api/v1/namespaces/doomed/configmaps/held', contentType: 'application/merge-patch+json', body: { metadata: { finalizers: null } } });
    await server.settle();
    expect(ns()).toBeUndefined();
  });
});

describe('custom resources follow their structural schema', () => {
  const BASE = '/apis/schema.example.com/v1/namespaces/default/things';

  beforeAll(async () => {
    server.objects.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.schema.example.com' },
      spec: {
        group: 'schema.example.com',
        scope: 'Namespaced',
        names: { plural: 'things', kind: 'Thing' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    required: ['mode'],
                    properties: {
                      mode: { type: 'string', enum: ['fast', 'slow'] },
                      replicas: { type: 'integer', default: 1, maximum: 10 },
                      extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    });
    await server.settle();
  });

  it('prunes undeclared fields (silently, with a warning, or refusing under Strict) and applies defaults', async () => {
    const body = { apiVersion: 'schema.example.com/v1', kind: 'Thing', metadata: { name: 't1' }, spec: { mode: 'fast', bogus: 1, extra: { anything: true } } };
    const strict = await create(BASE, body, '?fieldValidation=Strict');
    expect(strict.status).toBe(400);
    expect(strict.json?.['message']).toContain('unknown field "spec.bogus"');
    const warned = await create(BASE, body);
    expect(warned.status).toBe(201);
    expect(warned.headers['warning']).toBe('299 - "unknown field \\"spec.bogus\\""');
    expect(warned.json?.['spec']).toEqual({ mode: 'fast', replicas: 1, extra: { anything: true } });
  });

  it('prunes on patches too', async () => {
    const res = await call({ method: 'PATCH', path: `${BASE}/t1`, contentType: 'application/merge-patch+json', body: { spec: { replicas: 2, sneaky: true } } });
    expect(res.status).toBe(200);
    expect(res.json?.['spec']).toEqual({ mode: 'fast', replicas: 2, extra: { anything: true } });
    expect(res.headers['warning']).toBe('299 - "unknown field \\"spec.sneaky\\""');
    const strict = await call({ method: 'PATCH', path: `${BASE}/t1?fieldValidation=Strict`, contentType: 'application/merge-patch+json', body: { spec: { sneaky: true } } });
    expect(strict.status).toBe(400);
  });

  it('refuses values that break the schema with 422 Invalid', async () => {
    const res = await create(BASE, { apiVersion: 'schema.example.com/v1', kind: 'Thing', metadata: { name: 't2' }, spec: { mode: 'medium', replicas: 'two' } });
    expect(res.status).toBe(422);
    expect(res.json?.['message']).toContain('Thing.schema.example.com "t2" is invalid');
    expect(res.json?.['message']).toContain('spec.mode: Unsupported value: "medium": supported values: "fast", "slow"');
    expect(res.json?.['message']).toContain('spec.replicas: Invalid value: "two": spec.replicas in body must be of type integer');
    const missing = await create(BASE, { apiVersion: 'schema.example.com/v1', kind: 'Thing', metadata: { name: 't3' }, spec: {} });
    expect(missing.json?.['message']).toContain('spec.mode: Required value');
  });

  it('publishes the CRD in OpenAPI v3 with a new hash', async () => {
    const index = await call({ path: '/openapi/v3' });
    const entry = (index.json?.['paths'] as JsonObject)['apis/schema.example.com/v1'] as JsonObject;
    expect(entry['serverRelativeURL']).toMatch(/^\/openapi\/v3\/apis\/schema\.example\.com\/v1\?hash=[0-9A-F]+$/);
    const doc = await call({ path: String(entry['serverRelativeURL']) });
    const schema = ((doc.json?.['components'] as JsonObject)['schemas'] as JsonObject)['com.example.schema.v1.Thing'] as JsonObject;
    expect(schema['x-kubernetes-group-version-kind']).toEqual([{ group: 'schema.example.com', version: 'v1', kind: 'Thing' }]);
    const patch = ((doc.json?.['paths'] as JsonObject)['/apis/schema.example.com/v1/namespaces/{namespace}/things/{name}'] as JsonObject)['patch'] as JsonObject;
    expect(Object.keys((patch['requestBody'] as JsonObject)['content'] as JsonObject)).toEqual(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
  });
});

describe('cluster-scoped, multi-version custom resources', () => {
  beforeAll(async () => {
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { ip: { type: 'string' }, replicas: { type: 'integer' } } } } } };
    const created = await create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      metadata: { name: 'pools.multi.example.com' },
      spec: {
        group: 'multi.example.com',
        scope: 'Cluster',
        names: { plural: 'pools', kind: 'Pool', shortNames: ['pl'] },
        versions: [
          { name: 'v1alpha1', served: true, storage: false, schema },
          { name: 'v1', served: true, storage: true, schema, subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(meta(created.json)['finalizers']).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    await server.settle();
  });

  it('serves every version from one storage, rewriting apiVersion', async () => {
    const viaAlpha = await create('/apis/multi.example.com/v1alpha1/pools', { apiVersion: 'multi.example.com/v1alpha1', kind: 'Pool', metadata: { name: 'p1' }, spec: { ip: '10.0.0.0/8' } });
    expect(viaAlpha.status).toBe(201);
    const viaV1 = await call({ path: '/apis/multi.example.com/v1/pools/p1' });
    expect(viaV1.json).toMatchObject({ apiVersion: 'multi.example.com/v1', kind: 'Pool', metadata: { uid: meta(viaAlpha.json)['uid'] }, spec: { ip: '10.0.0.0/8' } });
    expect(meta(viaV1.json)['namespace']).toBeUndefined();
    expect((await call({ path: '/apis/multi.example.com/v1/namespaces/default/pools/p1' })).status).toBe(404);
    const groups = await call({ path: '/apis/multi.example.com' });
    expect(groups.json).toMatchObject({ kind: 'APIGroup', preferredVersion: { version: 'v1' }, versions: [{ version: 'v1' }, { version: 'v1alpha1' }] });
  });

  it('exposes the CRD scale subresource only on the version that declares it', async () => {
    const scale = await call({ method: 'PATCH', path: '/apis/multi.example.com/v1/pools/p1/scale', contentType: 'application/merge-patch+json', body: { spec: { replicas: 4 } } });
    expect(scale.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 4 }, status: { replicas: 0 } });
    expect((await call({ path: '/apis/multi.example.com/v1/pools/p1' })).json).toMatchObject({ spec: { replicas: 4 }, metadata: { generation: 2 } });
    expect((await call({ path: '/apis/multi.example.com/v1alpha1/pools/p1/scale' })).status).toBe(404);
  });
});

// What the controller relies on: a resourceVersion in a merge patch is a precondition, and the
// status subresource is written apart from the main resource (and vice versa).
describe('merge patch preconditions and the status subresource', () => {
  const BASE = '/apis/status.example.com/v1/namespaces/default/gizmos';
  const mergePatch = (path: string, body: JsonObject): Promise<RawResponse> => call({ method: 'PATCH', path, contentType: 'application/merge-patch+json', body });
  const stored = (): JsonObject | undefined => server.objects.get({ apiVersion: 'status.example.com/v1', kind: 'Gizmo', namespace: 'default', name: 'g1' });

  beforeAll(async () => {
    const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    server.objects.create({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.status.example.com' },
      spec: {
        group: 'status.example.com',
        scope: 'Namespaced',
        names: { plural: 'gizmos', kind: 'Gizmo' },
        versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', properties: { spec: open, status: open } } } }],
      },
    });
    await server.settle();
    expect((await create(BASE, { apiVersion: 'status.example.com/v1', kind: 'Gizmo', metadata: { name: 'g1' }, spec: { size: 1 } })).status).toBe(201);
  });

  it('refuses a merge patch carrying a stale resourceVersion with 409, on the object and on /status', async () => {
    const before = stored()!;
    const rv = String(meta(before)['resourceVersion']);
    const moved = await mergePatch(`${BASE}/g1`, { spec: { size: 2 } });
    expect(moved.status).toBe(200);
    for (const path of [`${BASE}/g1`, `${BASE}/g1/status`]) {
      const stale = await mergePatch(path, { metadata: { resourceVersion: rv }, spec: { size: 3 }, status: { phase: 'stale' } });
      expect(stale.status, path).toBe(409);
      expect(stale.json).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    }
    expect(stored()?.['spec']).toEqual({ size: 2 });
    expect(stored()?.['status']).toBeUndefined();
    const current = String(meta(moved.json)['resourceVersion']);
    const fresh = await mergePatch(`${BASE}/g1/status`, { metadata: { resourceVersion: current }, status: { phase: 'fresh' } });
    expect(fresh.status).toBe(200);
    expect(fresh.json?.['status']).toEqual({ phase: 'fresh' });
    expect(Number(meta(fresh.json)['resourceVersion'])).toBeGreaterThan(Number(current));
  });

  it('ignores spec in a status patch and status in a main-resource patch; only spec moves generation', async () => {
    const before = stored()!;
    const generation = Number(meta(before)['generation']);
    const statusWrite = await mergePatch(`${BASE}/g1/status`, { spec: { size: 99 }, status: { phase: 'Ready' } });
    expect(statusWrite.status).toBe(200);
    expect(statusWrite.json?.['spec']).toEqual({ size: 2 });
    expect(statusWrite.json?.['status']).toEqual({ phase: 'Ready' });
    expect(meta(statusWrite.json)['generation']).toBe(generation);
    const mainWrite = await mergePatch(`${BASE}/g1`, { spec: { size: 5 }, status: { phase: 'Ignored' } });
    expect(mainWrite.status).toBe(200);
    expect(mainWrite.json?.['spec']).toEqual({ size: 5 });
    expect(mainWrite.json?.['status']).toEqual({ phase: 'Ready' });
    expect(meta(mainWrite.json)['generation']).toBe(generation + 1);
    expect(stored()).toMatchObject({ spec: { size: 5 }, status: { phase: 'Ready' } });
  });
});
