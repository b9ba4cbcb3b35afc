import { createHash } from 'node:crypto';
import { routeNotFound } from '../core/api-errors.js';
import type { JsonResponse } from './http-io.js';
import type { JsonObject } from '../core/json-value.js';
import type { ApiGroupInfo, ResourceRegistry } from '../core/resource-registry.js';
import type { ResourceType } from '../core/resource-type.js';
import { SCALE_KIND } from '../resources/scale-subresource.js';

export const AGGREGATED_DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export const SERVER_VERSION = {
  major: '1',
  minor: '35',
  emulationMajor: '1',
  emulationMinor: '35',
  minCompatibilityMajor: '1',
  minCompatibilityMinor: '34',
  gitVersion: 'v1.35.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-12-17T00:00:00Z',
  goVersion: 'go1.25.5',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

const STATUS_VERBS = ['get', 'patch', 'update'];

function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

function storageVersionHash(type: ResourceType): string {
  return createHash('sha256').update(`${type.group}/${type.version}/${type.kind}`).digest().subarray(0, 8).toString('base64');
}

function subresourcesOf(type: ResourceType): string[] {
  const subs = type.statusSubresource ? ['status'] : [];
  if (type.scale !== undefined) subs.push('scale');
  if (type.storageKey === 'core/namespaces') subs.push('finalize');
  return subs;
}

function subresourceVerbs(sub: string): string[] {
  return sub === 'finalize' ? ['update'] : STATUS_VERBS;
}

/** Wants the aggregated (apidiscovery.k8s.io/v2) form, as kubectl 1.35 asks first. */
export function wantsAggregated(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(',').some((range) => {
    const params = range.split(';').map((p) => p.trim());
    return params.includes('g=apidiscovery.k8s.io') && params.includes('v=v2') && params.includes('as=APIGroupDiscoveryList');
  });
}

export class Discovery {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly serverAddress: () => string,
  ) {}

  version(): JsonResponse {
    return { status: 200, body: { ...SERVER_VERSION } };
  }

  coreVersions(aggregated: boolean): JsonResponse {
    if (aggregated) return this.aggregated(this.registry.groups().filter((g) => g.name === ''));
    return {
      status: 200,
      body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }] },
    };
  }

  groupList(aggregated: boolean): JsonResponse {
    const groups = this.registry.groups(aggregated ? 'aggregated' : 'legacy').filter((g) => g.name !== '');
    if (aggregated) return this.aggregated(groups);
    return { status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => this.groupJson(g)) } };
  }

  group(name: string): JsonResponse {
    const group = this.registry.groups().find((g) => g.name === name && name !== '');
    if (group === undefined) throw routeNotFound();
    return { status: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...this.groupJson(group) } };
  }

  resourceList(group: string, version: string): JsonResponse {
    const types = this.registry.typesIn(group, version);
    if (types.length === 0) throw routeNotFound();
    const resources: JsonObject[] = [];
    for (const type of types) {
      resources.push({
        name: type.resource,
        singularName: type.singular,
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: [...type.verbs],
        ...(type.shortNames.length > 0 ? { shortNames: [...type.shortNames] } : {}),
        ...(type.categories.length > 0 ? { categories: [...type.categories] } : {}),
        storageVersionHash: storageVersionHash(type),
      });
      for (const sub of subresourcesOf(type)) {
        const scale: JsonObject = sub === 'scale' ? { ...SCALE_KIND } : { kind: type.kind };
        resources.push({ name: `${type.resource}/${sub}`, singularName: '', namespaced: type.namespaced, ...scale, verbs: subresourceVerbs(sub) });
      }
    }
    return { status: 200, body: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources } };
  }

  private groupJson(group: ApiGroupInfo): JsonObject {
    const versions = group.versions.map((v) => ({ groupVersion: groupVersion(group.name, v), version: v }));
    return { name: group.name, versions, preferredVersion: versions[0] ?? null };
  }

  private aggregated(groups: readonly ApiGroupInfo[]): JsonResponse {
    const items = groups.map((group) => ({
      metadata: { name: group.name, creationTimestamp: null },
      versions: group.versions.map((version) => ({
        version,
        resources: this.registry.typesIn(group.name, version).map((type) => this.aggregatedResource(type)),
        freshness: 'Current',
      })),
    }));
    return {
      status: 200,
      body: { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items },
      contentType: AGGREGATED_DISCOVERY_TYPE,
      headers: { Vary: 'Accept' },
    };
  }

  private aggregatedResource(type: ResourceType): JsonObject {
    const responseKind = { group: type.group, version: type.version, kind: type.kind };
    const out: JsonObject = {
      resource: type.resource,
      responseKind,
      scope: type.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: type.singular,
      verbs: [...type.verbs],
    };
    if (type.shortNames.length > 0) out['shortNames'] = [...type.shortNames];
    if (type.categories.length > 0) out['categories'] = [...type.categories];
    const subs = subresourcesOf(type);
    if (subs.length > 0) {
      out['subresources'] = subs.map((sub) => ({ subresource: sub, responseKind: sub === 'scale' ? { ...SCALE_KIND } : responseKind, verbs: subresourceVerbs(sub) }));
    }
    return out;
  }
}
