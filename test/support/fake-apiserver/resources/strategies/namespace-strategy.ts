import { ensureObject } from '../../core/json-value.js';
import type { JsonObject } from '../../core/json-value.js';
import { mutableMetadata, nameOf } from '../../core/object-meta.js';
import type { ResourceStrategy } from '../../core/resource-type.js';

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function stampNameLabel(obj: JsonObject): void {
  const labels = ensureObject(mutableMetadata(obj), 'labels');
  labels[NAMESPACE_NAME_LABEL] = nameOf(obj);
}

/** The `kubernetes` spec finalizer and phase Active, plus the immutable name label (1.21+). */
export const namespaceStrategy: ResourceStrategy = {
  prepareForCreate(obj) {
    obj['spec'] = { finalizers: ['kubernetes'] };
    obj['status'] = { phase: 'Active' };
    stampNameLabel(obj);
  },
  prepareForUpdate(obj, old) {
    obj['spec'] = old['spec'] ?? { finalizers: ['kubernetes'] };
    stampNameLabel(obj);
  },
};
