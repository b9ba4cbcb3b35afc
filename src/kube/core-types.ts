import type { CoreV1Event, V1ConfigMap, V1Lease, V1LeaseSpec, V1ObjectMeta, V1OwnerReference, V1Secret } from '@kubernetes/client-node';

/*
 * Core objects as client-node's generated models describe them (type-only imports: nothing of
 * client-node loads). Those models describe objects client-node has decoded, with Date for times;
 * this client does not decode, so times stay the RFC 3339 strings the wire carries.
 */

/** `T` with the members `K` as wire strings (RFC 3339; MicroTime with microseconds). */
type WireTimes<T, K extends keyof T> = Omit<T, K> & { [P in K]?: string | null };

export type ObjectMeta = WireTimes<Omit<V1ObjectMeta, 'managedFields'>, 'creationTimestamp' | 'deletionTimestamp'>;
export type OwnerReference = V1OwnerReference;

/** A kubernetes.io Secret; `data` values are base64. Metadata is always present on what we read or write. */
export type Secret = Omit<V1Secret, 'metadata'> & { metadata: ObjectMeta };
export type ConfigMap = Omit<V1ConfigMap, 'metadata'> & { metadata: ObjectMeta };
export type LeaseSpec = WireTimes<V1LeaseSpec, 'acquireTime' | 'renewTime'>;
export type Lease = Omit<V1Lease, 'metadata' | 'spec'> & { metadata: ObjectMeta; spec?: LeaseSpec };
export type CoreEvent = WireTimes<Omit<CoreV1Event, 'metadata'>, 'firstTimestamp' | 'lastTimestamp' | 'eventTime'> & { metadata: ObjectMeta };

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** `metav1.Condition` as the wire carries it; reason and message may be absent on conditions others write. */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
  /** RFC 3339. */
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export function secretValue(secret: Secret | undefined, key: string): string | undefined {
  const value = secret?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

export function encodeSecretData(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]));
}
