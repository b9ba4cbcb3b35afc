import { ensureObject, getPath, isJsonObject } from '../../core/json-value.js';
import type { JsonObject } from '../../core/json-value.js';
import type { ResourceStrategy } from '../../core/resource-type.js';

/** The defaults SetDefaults_PodSpec/Container give every pod spec (what `kubectl get -o yaml` shows). */
export function defaultPodSpec(spec: JsonObject): void {
  spec['restartPolicy'] ??= 'Always';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['securityContext'] ??= {};
  spec['terminationGracePeriodSeconds'] ??= 30;
  for (const key of ['containers', 'initContainers']) {
    const containers = spec[key];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) if (isJsonObject(container)) defaultContainer(container);
  }
}

function defaultContainer(container: JsonObject): void {
  const image = typeof container['image'] === 'string' ? container['image'] : '';
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
  container['imagePullPolicy'] ??= tag === 'latest' ? 'Always' : 'IfNotPresent';
  container['terminationMessagePath'] ??= '/dev/termination-log';
  container['terminationMessagePolicy'] ??= 'File';
  container['resources'] ??= {};
  const ports = container['ports'];
  if (Array.isArray(ports)) for (const port of ports) if (isJsonObject(port)) port['protocol'] ??= 'TCP';
}

/** Defaults the pod template found at `path` (e.g. spec.template.spec), if there is one. */
export function defaultTemplateAt(obj: JsonObject, path: readonly string[]): void {
  const spec = getPath(obj, path);
  if (isJsonObject(spec)) defaultPodSpec(spec);
}

export const podStrategy: ResourceStrategy = {
  prepareForCreate(obj) {
    defaultPodSpec(ensureObject(obj, 'spec'));
    obj['status'] = { phase: 'Pending', qosClass: 'BestEffort' };
  },
};

export const jobStrategy: ResourceStrategy = {
  prepareForCreate(obj) {
    const spec = ensureObject(obj, 'spec');
    spec['backoffLimit'] ??= 6;
    spec['completions'] ??= 1;
    spec['parallelism'] ??= 1;
    spec['completionMode'] ??= 'NonIndexed';
    spec['suspend'] ??= false;
    defaultTemplateAt(obj, ['spec', 'template', 'spec']);
  },
};

export const cronJobStrategy: ResourceStrategy = {
  prepareForCreate(obj) {
    const spec = ensureObject(obj, 'spec');
    spec['concurrencyPolicy'] ??= 'Allow';
    spec['suspend'] ??= false;
    spec['successfulJobsHistoryLimit'] ??= 3;
    spec['failedJobsHistoryLimit'] ??= 1;
    defaultTemplateAt(obj, ['spec', 'jobTemplate', 'spec', 'template', 'spec']);
  },
};
