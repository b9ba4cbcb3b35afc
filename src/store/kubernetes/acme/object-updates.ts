import { isConflict } from '../../../kube/kube-errors.js';
import type { KubeObject } from '../../../kube/kube-object.js';
import type { ResourceClient } from '../../../kube/resource-client.js';

/** What `change` decided: the object to write, or undefined to leave it (its precondition does not hold). */
export type ObjectChange<T> = (current: T) => T | undefined;

export interface UpdateOutcome<T> {
  readonly object: T;
  readonly changed: boolean;
}

const ATTEMPTS = 20;

/**
 * Read-modify-write of one object, conditional on the resourceVersion it was read at: when another
 * replica wrote in between (409), the object is read again and `change` decides again on what is
 * there now. Starts from `known` when the caller already holds the object (one request fewer).
 * Undefined when the object does not exist.
 */
export async function updateObject<T extends KubeObject>(
  client: ResourceClient<T>,
  namespace: string,
  name: string,
  change: ObjectChange<T>,
  known?: T,
): Promise<UpdateOutcome<T> | undefined> {
  let current = known ?? (await client.get(namespace, name));
  for (let attempt = 1; current; attempt++) {
    const next = change(structuredClone(current));
    if (next === undefined) return { object: current, changed: false };
    try {
      const written = await client.replace({ ...next, metadata: { ...next.metadata, resourceVersion: current.metadata?.resourceVersion } });
      return { object: written, changed: true };
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
      current = await client.get(namespace, name);
    }
  }
  return undefined;
}
