import type { KubeObject } from '../../kube/kube-object.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import { jsonEqual } from './json-equal.js';
import { statusPatch } from './status-patch.js';

/** Where a status goes: the resource's client and the cache that must remember our own write. */
export interface StatusTarget<T extends KubeObject> {
  readonly client: Pick<ResourceClient<T>, 'mergePatch'>;
  readonly cache: { wrote(obj: T): void };
}

/**
 * Writes `status` when it differs from the object's, as a merge patch on the status subresource
 * conditional on the resourceVersion read (a stale object gets 409, and the queue retries with the
 * fresh one). True when written.
 */
export async function writeStatusIfChanged<T extends KubeObject & { status?: object }>(target: StatusTarget<T>, obj: T, status: object): Promise<boolean> {
  if (jsonEqual(obj.status ?? {}, status)) return false;
  const patch = statusPatch(obj.status, status, obj.metadata?.resourceVersion);
  target.cache.wrote(await target.client.mergePatch(obj.metadata?.namespace, obj.metadata?.name ?? '', patch, 'status'));
  return true;
}
