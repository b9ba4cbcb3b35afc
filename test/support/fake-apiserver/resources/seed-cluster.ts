import type { ObjectService } from '../objects/object-service.js';
import type { ResourceRegistry } from '../core/resource-registry.js';
import { SYSTEM_WRITE } from '../core/write-options.js';

const SEED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** What a fresh cluster has: the four system namespaces and the `kubernetes` Service. */
export function seedCluster(registry: ResourceRegistry, service: ObjectService): void {
  const write = { ...SYSTEM_WRITE, fieldManager: 'kube-apiserver' };
  const namespaces = registry.lookup('', 'v1', 'namespaces');
  const services = registry.lookup('', 'v1', 'services');
  if (namespaces === undefined || services === undefined) throw new Error('core resources missing');
  for (const name of SEED_NAMESPACES) service.create(namespaces, '', { metadata: { name } }, write);
  service.create(
    services,
    'default',
    {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] },
    },
    write,
  );
}
