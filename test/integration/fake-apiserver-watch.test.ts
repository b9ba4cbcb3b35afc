import { Agent } from 'node:https';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeRequest, openWatch, startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer, JsonObject, WatchEvent } from '../support/fake-apiserver/index.js';

let server: FakeApiServer;
const CM = '/api/v1/namespaces/default/configmaps';

function nameOf(event: WatchEvent): string {
  return String((event.object['metadata'] as JsonObject)['name']);
}

function rvOf(obj: JsonObject | undefined): string {
  return String((obj?.['metadata'] as JsonObject | undefined)?.['resourceVersion'] ?? '');
}

async function put(name: string, labels: JsonObject, data: JsonObject = {}): Promise<JsonObject> {
  const existing = server.objects.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name });
  const res = existing === undefined
    ? await kubeRequest(server, { method: 'POST', path: CM, body: { metadata: { name, labels }, data } })
    : await kubeRequest(server, { method: 'PUT', path: `${CM}/${name}`, body: { metadata: { name, labels }, data } });
  return res.json ?? {};
}

beforeAll(async () => {
  server = await startFakeApiServer({ bookmarkIntervalMs: 50 });
});

afterAll(async () => {
  await server?.close();
});

describe('watch', () => {
  it('starts with synthetic ADDED events and follows selector transitions', async () => {
    await put('w-in', { watched: 'yes' });
    const watch = await openWatch(server, `${CM}?watch=true&labelSelector=watched%3Dyes`);
    expect(watch.status).toBe(200);
    await watch.next((e) => e.type === 'ADDED' && nameOf(e) === 'w-in');
    await put('w-out', { watched: 'no' });
    await put('w-out', { watched: 'yes' });
    await watch.next((e) => e.type === 'ADDED' && nameOf(e) === 'w-out');
    await put('w-in', { watched: 'no' });
    await watch.next((e) => e.type === 'DELETED' && nameOf(e) === 'w-in');
    await put('w-out', { watched: 'yes' }, { changed: 'true' });
    await watch.next((e) => e.type === 'MODIFIED' && nameOf(e) === 'w-out');
    await kubeRequest(server, { method: 'DELETE', path: `${CM}/w-out` });
    const deleted = await watch.next((e) => e.type === 'DELETED' && nameOf(e) === 'w-out');
    watch.close();
    expect(watch.events.map((e) => `${e.type} ${nameOf(e)}`)).toEqual(['ADDED w-in', 'ADDED w-out', 'DELETED w-in', 'MODIFIED w-out', 'DELETED w-out']);
    expect(deleted.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(rvOf(deleted.object))).toBe(server.objects.revision());
  });

  it('replays from a resourceVersion and pins a single object through the legacy /watch/ path', async () => {
    const first = await put('replay', { r: '1' });
    await put('replay', { r: '2' });
    await put('other', { r: '2' });
    const watch = await openWatch(server, `/api/v1/watch/namespaces/default/configmaps/replay?resourceVersion=${rvOf(first)}`);
    await watch.next((e) => e.type === 'MODIFIED');
    await put('replay', { r: '3' });
    await watch.next((e) => ((e.object['metadata'] as JsonObject)['labels'] as JsonObject)['r'] === '3');
    watch.close();
    expect(watch.events.map((e) => `${e.type} ${nameOf(e)}`)).toEqual(['MODIFIED replay', 'MODIFIED replay']);
  });

  it('sends bookmarks when allowed and the initial-events-end bookmark for sendInitialEvents', async () => {
    await put('initial', {});
    const watch = await openWatch(server, `${CM}?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Dinitial`);
    const end = await watch.next((e) => e.type === 'BOOKMARK');
    expect(end.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' }, resourceVersion: String(server.objects.revision()) } });
    expect(watch.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'initial' } } });
    await watch.next((e) => e.type === 'BOOKMARK' && e !== end);
    watch.close();
    const refused = await kubeRequest(server, { path: `${CM}?watch=true&sendInitialEvents=true` });
    expect(refused.status).toBe(422);
  });

  it('ends on timeoutSeconds and when the test drops watches', async () => {
    const timed = await openWatch(server, `${CM}?watch=true&timeoutSeconds=1&resourceVersion=${server.objects.revision()}`);
    await timed.ended;
    expect(timed.events).toEqual([]);
    const dropped = await openWatch(server, `${CM}?watch=true&resourceVersion=${server.objects.revision()}`);
    await until(() => server.activeWatches() === 1);
    expect(server.dropWatches()).toBe(1);
    await dropped.ended;
    expect(server.activeWatches()).toBe(0);
  });

  it('answers a watch from before the history window with an ERROR 410 event', async () => {
    const before = await put('old', {});
    server.expireWatchHistory();
    const watch = await openWatch(server, `${CM}?watch=true&resourceVersion=${rvOf(before)}`);
    await watch.ended;
    expect(watch.events).toEqual([
      { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/), reason: 'Expired', code: 410 } },
    ]);
  });
});

async function until(probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`condition never held: ${probe.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('scale', () => {
  it('holds thousands of objects: concurrent creates, paged lists, selector lists, watch fan-out', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfigYaml);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'bulk' } } });
    const total = 2000;
    const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: server.caPem });
    const watch = await openWatch(server, `/api/v1/namespaces/bulk/configmaps?watch=true&resourceVersion=${server.objects.revision()}`);
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const i = next++;
        const body = { metadata: { name: `cm-${String(i).padStart(5, '0')}`, labels: { shard: String(i % 10) } }, data: { i: String(i) } };
        const res = await kubeRequest(server, { method: 'POST', path: '/api/v1/namespaces/bulk/configmaps', body, agent });
        if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${res.text}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const created = performance.now();
    agent.destroy();
    let pages = 0;
    let seen = 0;
    let token: string | undefined;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: 'bulk', limit: 500, ...(token === undefined ? {} : { _continue: token }) });
      pages += 1;
      seen += page.items.filter((i) => i.metadata?.name?.startsWith('cm-')).length;
      token = page.metadata?._continue;
    } while (token !== undefined && token !== '');
    const shard = await core.listNamespacedConfigMap({ namespace: 'bulk', labelSelector: 'shard=7' });
    const listed = performance.now();
    await until(() => watch.events.length >= total);
    watch.close();
    expect(seen).toBe(total);
    expect(pages).toBe(Math.ceil((total + 1) / 500));
    expect(shard.items).toHaveLength(total / 10);
    expect(watch.events.filter((e) => e.type === 'ADDED')).toHaveLength(total);
    console.log(`fake-apiserver scale: ${total} creates in ${(created - started).toFixed(0)} ms (${((total / (created - started)) * 1000).toFixed(0)}/s, 16 keep-alive connections), paged + selector lists in ${(listed - created).toFixed(0)} ms`);
  });
});
