import type { ResourceType } from './resource-type.js';
import { compareVersionPriority } from './version-priority.js';

export interface ApiGroupInfo {
  readonly name: string;
  /** Served versions, preferred first. */
  readonly versions: readonly string[];
}

/**
 * Built-in groups in the order a real 1.35 server lists them (each has its own GroupPriorityMinimum,
 * all above the 1000 that kube-apiserver gives every CRD group); CRD groups follow.
 */
const BUILTIN_GROUP_ORDER = [
  '',
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
];

function gvrKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

function groupRank(group: string): number {
  const index = BUILTIN_GROUP_ORDER.indexOf(group);
  return index < 0 ? BUILTIN_GROUP_ORDER.length : index;
}

/** Go's `a < b` on strings: by bytes, not by locale (for ASCII names, UTF-16 units order the same). */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * How a real server breaks ties between groups of equal priority (every CRD group has 1000):
 * - `aggregated` (apidiscovery.k8s.io/v2, what kubectl 1.35 reads): by group name
 *   (apiserver `discovery/aggregated/handler.go`, calculateAPIGroupsLocked);
 * - `legacy` (`/apis` APIGroupList): by APIService name, `<version>.<group>`, a group placed where its
 *   first APIService sorts (kube-aggregator `apiregistration/v1/helper`, SortedByGroupAndVersion).
 */
export type DiscoveryOrder = 'aggregated' | 'legacy';

function tieBreakKey(group: ApiGroupInfo, order: DiscoveryOrder): string {
  if (order === 'aggregated') return group.name;
  return group.versions.map((version) => `${version}.${group.name}`).sort(compareBytes)[0] ?? group.name;
}

/** Every resource the server currently serves; CRDs add and remove entries at run time. */
export class ResourceRegistry {
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly byGvk = new Map<string, ResourceType>();
  private readonly listeners = new Set<() => void>();
  private revision = 0;

  /** Bumped on every change so that discovery and OpenAPI caches know when to rebuild. */
  get generation(): number {
    return this.revision;
  }

  replaceOrigin(origin: string, types: readonly ResourceType[]): void {
    for (const [key, type] of this.byGvr) {
      if (type.origin === origin) this.byGvr.delete(key);
    }
    for (const [key, type] of this.byGvk) {
      if (type.origin === origin) this.byGvk.delete(key);
    }
    for (const type of types) {
      this.byGvr.set(gvrKey(type.group, type.version, type.resource), type);
      this.byGvk.set(gvrKey(type.group, type.version, type.kind), type);
    }
    this.revision += 1;
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGvr.get(gvrKey(group, version, resource));
  }

  lookupKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.byGvk.get(gvrKey(group, version, kind));
  }

  /** Any served view of a storage bucket (used to label watch bookmarks and GC work). */
  typesForStorage(storageKey: string): ResourceType[] {
    return [...this.byGvr.values()].filter((t) => t.storageKey === storageKey);
  }

  all(): ResourceType[] {
    return [...this.byGvr.values()];
  }

  typesIn(group: string, version: string): ResourceType[] {
    return this.all()
      .filter((t) => t.group === group && t.version === version)
      .sort((a, b) => a.resource.localeCompare(b.resource));
  }

  /** Served groups in discovery order: group priority first, then the real server's tie-break. */
  groups(order: DiscoveryOrder = 'aggregated'): ApiGroupInfo[] {
    const versions = new Map<string, Set<string>>();
    for (const type of this.byGvr.values()) {
      const set = versions.get(type.group) ?? new Set<string>();
      set.add(type.version);
      versions.set(type.group, set);
    }
    return [...versions.entries()]
      .map(([name, set]) => ({ name, versions: [...set].sort(compareVersionPriority) }))
      .sort((a, b) => groupRank(a.name) - groupRank(b.name) || compareBytes(tieBreakKey(a, order), tieBreakKey(b, order)));
  }
}
