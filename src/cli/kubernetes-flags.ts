import { hostname } from 'node:os';
import { KUBERNETES_DEFAULTS, type KubernetesConfigSettings } from '../config/kubernetes-config.js';
import type { FlagSpec, FlagValues } from './command.js';
import { optionalString } from './flags.js';

/** The cluster-mode flags of `smsgate-ca serve`; the Helm chart passes these. */
export const KUBERNETES_SERVE_FLAGS: readonly FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', valueName: 'FILE', description: 'talk to the Kubernetes API with this kubeconfig and run the controller (in a pod: the service account)' },
  { name: 'controller', type: 'boolean', description: 'run the controller: CertificateRequests, IPIssuers, IPClusterIssuers (in-cluster config unless --kubeconfig)' },
  { name: 'store', type: 'string', valueName: 'TYPE', description: 'where REST requests and the ledger live: sqlite or kubernetes (CertificateRequest objects); default kubernetes in cluster mode' },
  { name: 'cert-manager', type: 'boolean', description: 'act as a cert-manager external issuer (cert-manager.io/v1 CertificateRequests for our issuers)' },
  { name: 'ca-secret', type: 'string', valueName: 'NAME', description: 'keep the CA in this Secret of --namespace (created on first start when absent)' },
  { name: 'namespace', type: 'string', valueName: 'NS', description: "the operator's namespace: request records, CA Secret, Lease", env: 'POD_NAMESPACE' },
  { name: 'pod-name', type: 'string', valueName: 'NAME', description: 'this replica, for the Lease and Events (default: the host name)', env: 'POD_NAME' },
  { name: 'cluster-resource-namespace', type: 'string', valueName: 'NS', description: 'namespace of the CA Secrets IPClusterIssuers name (default --namespace)' },
  { name: 'leader-elect', type: 'boolean', description: 'only the holder of a coordination.k8s.io Lease runs the controller' },
  { name: 'leader-election-namespace', type: 'string', valueName: 'NS', description: 'namespace of the Lease (default --namespace)' },
  { name: 'leader-election-id', type: 'string', valueName: 'NAME', description: 'name of the Lease', default: KUBERNETES_DEFAULTS.leaderElectionId },
  { name: 'leader-election-lease-duration', type: 'string', valueName: 'DURATION', description: 'how long a Lease holds without renewal', default: KUBERNETES_DEFAULTS.leaderElectionLeaseDuration },
  { name: 'leader-election-renew-deadline', type: 'string', valueName: 'DURATION', description: 'how long the leader tries to renew before stepping down', default: KUBERNETES_DEFAULTS.leaderElectionRenewDeadline },
  { name: 'leader-election-retry-period', type: 'string', valueName: 'DURATION', description: 'pause between leader election attempts', default: KUBERNETES_DEFAULTS.leaderElectionRetryPeriod },
  { name: 'trust-configmap', type: 'string', valueName: 'NS/NAME', description: 'publish the root certificate (key ca.crt) in this ConfigMap' },
  { name: 'controller-workers', type: 'string', valueName: 'N', description: 'CertificateRequests reconciled at once', default: KUBERNETES_DEFAULTS.controllerWorkers },
  { name: 'controller-resync-period', type: 'string', valueName: 'DURATION', description: 'reconcile every object again this often', default: KUBERNETES_DEFAULTS.resyncPeriod },
];

export function kubernetesSettingsFrom(flags: FlagValues): KubernetesConfigSettings {
  return {
    kubeconfig: optionalString(flags, 'kubeconfig'),
    controller: flags['controller'] === true,
    store: optionalString(flags, 'store'),
    certManager: flags['cert-manager'] === true,
    caSecret: optionalString(flags, 'ca-secret'),
    namespace: optionalString(flags, 'namespace'),
    podName: optionalString(flags, 'pod-name') ?? hostname(),
    clusterResourceNamespace: optionalString(flags, 'cluster-resource-namespace'),
    leaderElect: flags['leader-elect'] === true,
    leaderElectionNamespace: optionalString(flags, 'leader-election-namespace'),
    leaderElectionId: optionalString(flags, 'leader-election-id'),
    leaderElectionLeaseDuration: optionalString(flags, 'leader-election-lease-duration'),
    leaderElectionRenewDeadline: optionalString(flags, 'leader-election-renew-deadline'),
    leaderElectionRetryPeriod: optionalString(flags, 'leader-election-retry-period'),
    trustConfigMap: optionalString(flags, 'trust-configmap'),
    controllerWorkers: optionalString(flags, 'controller-workers'),
    resyncPeriod: optionalString(flags, 'controller-resync-period'),
  };
}
