import { describe, expect, it } from 'vitest';
import { InformerSet } from '../../../src/kube/informer-set.js';
import type { KubeObject } from '../../../src/kube/kube-object.js';
import { SECRETS } from '../../../src/kube/resource-types.js';
import { MemoryKubeApi } from './memory-kube-api.js';

/** The memory API lists by path prefix: the objects are stored where each kind of list finds them. */
function apiWithSecrets(scope: 'namespaced' | 'cluster'): MemoryKubeApi {
  const api = new MemoryKubeApi();
  for (const [namespace, name] of [['team-a', 'one'], ['team-b', 'two'], ['team-c', 'three']]) {
    const path = scope === 'namespaced' ? `/api/v1/namespaces/${namespace}/secrets/${name}` : `/api/v1/secrets/${name}`;
    api.put(path, { apiVersion: 'v1', kind: 'Secret', metadata: { name: name!, namespace: namespace! } });
  }
  return api;
}

const listedPaths = (api: MemoryKubeApi): string[] => api.requests.filter((request) => request.method === 'GET').map((request) => request.path).sort();

describe('InformerSet', () => {
  it('with namespaces: one list+watch per namespace, one cache view over them', async () => {
    const api = apiWithSecrets('namespaced');
    const set = new InformerSet<KubeObject>({ api, type: SECRETS, namespaces: ['team-a', 'team-b', 'team-a'] });
    const added: string[] = [];
    set.addHandlers({ onAdd: (obj) => added.push(`${obj.metadata?.namespace}/${obj.metadata?.name}`) });
    expect(set.hasSynced).toBe(false);
    await set.start();
    expect(set.hasSynced).toBe(true);
    expect(set.namespaces).toEqual(['team-a', 'team-b']);
    expect(listedPaths(api)).toEqual(['/api/v1/namespaces/team-a/secrets', '/api/v1/namespaces/team-b/secrets']);
    expect(api.watchCalls).toHaveLength(2);
    expect(set.keys().sort()).toEqual(['team-a/one', 'team-b/two']);
    expect(set.list().map((obj) => obj.metadata?.name).sort()).toEqual(['one', 'two']);
    expect(added.sort()).toEqual(['team-a/one', 'team-b/two']);
    expect([set.size, set.get('team-b/two')?.metadata?.name, set.get('team-c/three'), set.get('one')]).toEqual([2, 'two', undefined, undefined]);
    expect(set.stats).toMatchObject({ lists: 2, watchErrors: 0 });
    expect(set.resource).toBe('secrets');
    await set.stop();
  });

  it('without namespaces (or with an empty list): one cluster-wide list+watch, as a single informer', async () => {
    for (const namespaces of [undefined, []]) {
      const api = apiWithSecrets('cluster');
      const set = new InformerSet<KubeObject>({ api, type: SECRETS, ...(namespaces ? { namespaces } : {}) });
      await set.start();
      expect(set.namespaces).toBeUndefined();
      expect(listedPaths(api)).toEqual(['/api/v1/secrets']);
      expect(set.keys().sort()).toEqual(['team-a/one', 'team-b/two', 'team-c/three']);
      expect(set.get('team-c/three')?.metadata?.name).toBe('three');
      await set.stop();
    }
  });
});
