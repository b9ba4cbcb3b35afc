import { immutable, required } from '../../core/field-errors.js';
import type { FieldError } from '../../core/field-errors.js';
import { ensureObject, getPath, isJsonObject } from '../../core/json-value.js';
import type { JsonObject } from '../../core/json-value.js';
import type { ResourceStrategy } from '../../core/resource-type.js';

/**
 * ClusterIP defaulting and allocation. Addresses come from 10.96.0.0/12 as data only: nothing in
 * the double ever dials them.
 */
export function createServiceStrategy(): ResourceStrategy {
  let next = 10;
  const allocate = (): string => {
    next += 1;
    return `10.96.${Math.floor(next / 256) % 256}.${next % 256}`;
  };
  return {
    prepareForCreate(obj) {
      const spec = ensureObject(obj, 'spec');
      defaultSpec(spec);
      const type = spec['type'];
      if (type !== 'ExternalName' && (spec['clusterIP'] === undefined || spec['clusterIP'] === '')) {
        spec['clusterIP'] = allocate();
      }
      if (typeof spec['clusterIP'] === 'string') spec['clusterIPs'] = [spec['clusterIP']];
      obj['status'] = { loadBalancer: {} };
    },
    prepareForUpdate(obj, old) {
      const spec = ensureObject(obj, 'spec');
      defaultSpec(spec);
      const oldIp = getPath(old, ['spec', 'clusterIP']);
      if ((spec['clusterIP'] === undefined || spec['clusterIP'] === '') && typeof oldIp === 'string') {
        spec['clusterIP'] = oldIp;
        spec['clusterIPs'] = [oldIp];
      }
    },
    validate(obj, old) {
      const errors: FieldError[] = [];
      const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
      const headless = spec['clusterIP'] === 'None' || spec['type'] === 'ExternalName';
      if (!headless && (!Array.isArray(spec['ports']) || spec['ports'].length === 0)) errors.push(required('spec.ports'));
      const oldIp = old === undefined ? undefined : getPath(old, ['spec', 'clusterIP']);
      if (oldIp !== undefined && spec['type'] !== 'ExternalName' && spec['clusterIP'] !== oldIp) {
        errors.push(immutable('spec.clusterIPs[0]', spec['clusterIP']));
      }
      return errors;
    },
  };
}

function defaultSpec(spec: JsonObject): void {
  spec['type'] ??= 'ClusterIP';
  spec['sessionAffinity'] ??= 'None';
  if (spec['type'] !== 'ExternalName') {
    spec['ipFamilies'] ??= ['IPv4'];
    spec['ipFamilyPolicy'] ??= 'SingleStack';
    spec['internalTrafficPolicy'] ??= 'Cluster';
  }
  const ports = spec['ports'];
  if (!Array.isArray(ports)) return;
  for (const port of ports) {
    if (!isJsonObject(port)) continue;
    port['protocol'] ??= 'TCP';
    port['targetPort'] ??= port['port'] ?? null;
  }
}
