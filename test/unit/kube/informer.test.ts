import { describe, expect, it } from 'vitest';
import { Informer } from '../../../src/kube/informer.js';
import { KubeApiError } from '../../../src/kube/kube-errors.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { SECRETS } from '../../../src/kube/resource-types.js';
import { MemoryKubeApi } from './memory-kube-api.js';
import { eventually } from '../../support/eventually.js';

function secret(name: string, rv: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', resourceVersion: rv, managedFields: [{ manager: 'x' }] } as never };
}

function recorder(informer: Informer<KubeObject>) {
  const seen: string[] = [];
  informer.addHandlers({
    onAdd: (obj) => seen.push(`add ${obj.metadata?.name}@${obj.metadata?.resourceVersion}`),
    onUpdate: (obj) => seen.push(`update ${obj.metadata?.name}@${obj.metadata?.resourceVersion}`),
    onDelete: (obj) => seen.push(`delete ${obj.metadata?.name}`),
  });
  return seen;
}

async function until(condition: () => boolean): Promise<void> {
  await eventually(condition, String(condition), 5000, 2);
}

describe('Informer', () => {
  it('start() resolves with the first list in the cache, and on stop() when the list never succeeds', async () => {
    const api = new MemoryKubeApi();
    api.put('/api/v1/secrets/a', secret('a', '') as never);
    api.watchScript.push({ events: [], end: 'hang' });
    const informer = new Informer<KubeObject>({ api, type: SECRETS, backoff: { initialMs: 1, maxMs: 5 } });
    expect(informer.hasSynced).toBe(false);
    await informer.start();
    expect(informer.hasSynced).toBe(true);
    expect(informer.keys()).toEqual(['default/a']);
    await informer.stop();

    const failing = new MemoryKubeApi();
    failing.request = () => Promise.reject(new KubeApiError(503, 'ServiceUnavailable', 'down', 'GET', '/api/v1/secrets'));
    const unsynced = new Informer<KubeObject>({ api: failing, type: SECRETS, backoff: { initialMs: 1, maxMs: 5 } });
    const started = unsynced.start();
    await until(() => unsynced.stats.watchErrors >= 2);
    await unsynced.stop();
    await started;
    expect(unsynced.hasSynced).toBe(false);
  });

  it('lists, then watches from the list resourceVersion, and keeps the cache current', async () => {
    const api = new MemoryKubeApi();
    api.put('/api/v1/secrets/a', secret('a', '') as never);
    api.watchScript.push({ events: [{ type: 'ADDED', object: secret('b', '150') }, { type: 'MODIFIED', object: secret('a', '151') }, { type: 'DELETED', object: secret('b', '152') }, { type: 'BOOKMARK', object: { metadata: { resourceVersion: '160' } } }], end: 'close' });
    const informer = new Informer<KubeObject>({ api, type: SECRETS, backoff: { initialMs: 1, maxMs: 5 } });
    const seen = recorder(informer);
    await informer.start();
    await until(() => api.watchCalls.length >= 2);
    await informer.stop();
    expect(seen).toEqual(['add a@101', 'add b@150', 'update a@151', 'delete b']);
    expect(api.watchCalls[0]).toMatchObject({ resourceVersion: '101', allowWatchBookmarks: true });
    expect(api.watchCalls[1]).toMatchObject({ resourceVersion: '160' });
    expect(informer.keys()).toEqual(['default/a']);
    expect((informer.get('default/a')?.metadata as Record<string, unknown>)['managedFields']).toBeUndefined();
  });

  it('resumes from the last resourceVersion after a broken watch, with backoff', async () => {
    const api = new MemoryKubeApi();
    api.watchScript.push({ events: [{ type: 'ADDED', object: secret('x', '120') }], end: new Error('ECONNRESET') });
    const informer = new Informer<KubeObject>({ api, type: SECRETS, backoff: { initialMs: 1, maxMs: 5 } });
    await informer.start();
    await until(() => api.watchCalls.length >= 2);
    await informer.stop();
    expect(api.watchCalls[1]).toMatchObject({ resourceVersion: '120' });
    expect(informer.stats).toMatchObject({ lists: 1, watchErrors: 1 });
  });

  it('relists on 410 Gone and turns the difference into add, update and delete', async () => {
    const api = new MemoryKubeApi();
    api.put('/api/v1/secrets/keep', secret('keep', '') as never);
    api.put('/api/v1/secrets/change', secret('change', '') as never);
    api.put('/api/v1/secrets/vanish', secret('vanish', '') as never);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    api.watchScript.push({ gate, events: [{ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } }], end: 'close' });
    const informer = new Informer<KubeObject>({ api, type: SECRETS, backoff: { initialMs: 1, maxMs: 5 } });
    const seen = recorder(informer);
    await informer.start();
    // What changed while the watch history was gone:
    api.objects.delete('/api/v1/secrets/vanish');
    api.put('/api/v1/secrets/change', secret('change', '') as never);
    api.put('/api/v1/secrets/new', secret('new', '') as never);
    open();
    await until(() => informer.stats.lists >= 2);
    await informer.stop();
    expect(informer.stats.relistsAfterGone).toBe(1);
    expect(seen.slice(3).sort()).toEqual(['add new@105', 'delete vanish', 'update change@104']);
    expect(informer.keys().sort()).toEqual(['default/change', 'default/keep', 'default/new']);
  });

  it('retries a failing list until it succeeds', async () => {
    const api = new MemoryKubeApi();
    api.failNext = new KubeApiError(503, 'ServiceUnavailable', 'etcd', 'GET', '/api/v1/secrets');
    const informer = new Informer<KubeObject>({ api, type: SECRETS, backoff: { initialMs: 1, maxMs: 5 } });
    await informer.start();
    expect(informer.hasSynced).toBe(true);
    expect(informer.stats.lists).toBe(2);
    await informer.stop();
  });
});
