import { immutable, invalidValue, required } from '../../core/field-errors.js';
import type { FieldError } from '../../core/field-errors.js';
import { deepEqual, ensureObject, getPath, isJsonObject } from '../../core/json-value.js';
import type { JsonObject } from '../../core/json-value.js';
import { stringMapOf } from '../../core/object-meta.js';
import type { ResourceStrategy } from '../../core/resource-type.js';
import { defaultPodSpec } from './pod-defaults.js';

/**
 * apps/v1 workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet): a selector is required,
 * must match the pod template labels and is immutable. Deployments get their usual defaults.
 */
export function workloadStrategy(defaults: (spec: JsonObject) => void): ResourceStrategy {
  return {
    prepareForCreate(obj) {
      defaults(ensureObject(obj, 'spec'));
    },
    prepareForUpdate(obj) {
      defaults(ensureObject(obj, 'spec'));
    },
    validate(obj, old) {
      const errors: FieldError[] = [];
      const selector = getPath(obj, ['spec', 'selector']);
      if (!isJsonObject(selector)) return [required('spec.selector')];
      const matchLabels = stringMapOf(selector['matchLabels']);
      const templateLabels = stringMapOf(getPath(obj, ['spec', 'template', 'metadata', 'labels']));
      if (Object.entries(matchLabels).some(([k, v]) => templateLabels[k] !== v)) {
        errors.push(invalidValue('spec.template.metadata.labels', JSON.stringify(templateLabels), '`selector` does not match template `labels`'));
      }
      if (old !== undefined && !deepEqual(getPath(old, ['spec', 'selector']), selector)) {
        errors.push(immutable('spec.selector', JSON.stringify(selector)));
      }
      return errors;
    },
  };
}

function defaultTemplate(spec: JsonObject): void {
  const podSpec = getPath(spec, ['template', 'spec']);
  if (isJsonObject(podSpec)) defaultPodSpec(podSpec);
}

export function deploymentDefaults(spec: JsonObject): void {
  spec['replicas'] ??= 1;
  spec['revisionHistoryLimit'] ??= 10;
  spec['progressDeadlineSeconds'] ??= 600;
  const strategy = ensureObject(spec, 'strategy');
  strategy['type'] ??= 'RollingUpdate';
  if (strategy['type'] === 'RollingUpdate') strategy['rollingUpdate'] ??= { maxUnavailable: '25%', maxSurge: '25%' };
  defaultTemplate(spec);
}

export function statefulSetDefaults(spec: JsonObject): void {
  spec['replicas'] ??= 1;
  spec['podManagementPolicy'] ??= 'OrderedReady';
  spec['revisionHistoryLimit'] ??= 10;
  spec['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  defaultTemplate(spec);
}

export function daemonSetDefaults(spec: JsonObject): void {
  spec['revisionHistoryLimit'] ??= 10;
  spec['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
  defaultTemplate(spec);
}

export function replicaSetDefaults(spec: JsonObject): void {
  spec['replicas'] ??= 1;
  defaultTemplate(spec);
}
