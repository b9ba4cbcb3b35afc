import type { Manifest } from '../../support/helm.js';

export const NAMESPACE = 'smsgate-ca';

/** Values that switch every optional feature of the chart on. */
export const ALL_FEATURES = {
  replicaCount: 2,
  image: { digest: `sha256:${'ab'.repeat(32)}` },
  imagePullSecrets: [{ name: 'regcred' }],
  serviceAccount: { annotations: { 'example.com/role': 'ca' }, labels: { team: 'platform' } },
  leaderElection: { namespace: 'kube-system', id: 'smsgate-ca-lock' },
  controller: { clusterResourceNamespace: 'smsgate-ca-issuers' },
  ca: { existingSecret: 'lab-ca' },
  trust: { configMap: { enabled: true, namespace: 'cert-manager' } },
  trustManager: { enabled: true, namespaceSelector: { matchLabels: { 'trust.example.com/inject': 'true' } } },
  config: {
    trustedProxies: ['10.0.0.0/8', '192.168.0.1'],
    tls: { mode: 'certManager', certManager: { issuerRef: { name: 'cluster-ca' }, extraDnsNames: ['ca.example.internal'] } },
  },
  extraArgs: ['--acme-eab-required'],
  extraEnv: [{ name: 'SMSGATE_CA_SIGN_DELAY', value: '1s' }],
  extraVolumes: [{ name: 'extra', configMap: { name: 'extra' } }],
  extraVolumeMounts: [{ name: 'extra', mountPath: '/etc/extra', readOnly: true }],
  persistence: { enabled: true, storageClass: 'fast' },
  ingress: {
    enabled: true,
    className: 'nginx',
    annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' },
    hosts: [{ host: 'ca.example.internal', paths: [{ path: '/', pathType: 'Prefix' }] }],
    tls: [{ secretName: 'ca-ingress-tls', hosts: ['ca.example.internal'] }],
  },
  podDisruptionBudget: { minAvailable: 1 },
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'prometheus' } } },
  prometheus: { rules: { enabled: true, labels: { release: 'prometheus' } } },
  networkPolicy: { enabled: true },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }],
  affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }],
  priorityClassName: 'system-cluster-critical',
  podAnnotations: { 'example.com/scrape': 'false' },
  podLabels: { tier: 'security' },
  deploymentAnnotations: { 'example.com/owner': 'platform' },
};

export function byKind(manifests: readonly Manifest[], kind: string): Manifest[] {
  return manifests.filter((manifest) => manifest.kind === kind);
}

export function only(manifests: readonly Manifest[], kind: string, name?: string): Manifest {
  const found = byKind(manifests, kind).filter((manifest) => name === undefined || manifest.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0]!;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}
export type RbacRole = Manifest & { rules: PolicyRule[] };
export type RbacBinding = Manifest & {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects: { kind: string; name: string; namespace?: string }[];
};

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
export interface Probe {
  httpGet?: { path: string; port: string | number; scheme?: string };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Volume {
  name: string;
  emptyDir?: object;
  secret?: { secretName: string };
  persistentVolumeClaim?: { claimName: string };
}
export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  volumes?: Volume[];
  topologySpreadConstraints?: { labelSelector?: { matchLabels?: Record<string, string> } }[];
}
export type Deployment = Manifest & {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
};
export type Pod = Manifest & { spec: PodSpec };

export function deploymentOf(manifests: readonly Manifest[]): Deployment {
  return only(manifests, 'Deployment') as Deployment;
}

export function containerOf(manifests: readonly Manifest[]): Container {
  const [container] = deploymentOf(manifests).spec.template.spec.containers;
  if (!container) throw new Error('the Deployment has no container');
  return container;
}

export function rolesOf(manifests: readonly Manifest[]): RbacRole[] {
  return manifests.filter((manifest) => manifest.kind === 'Role' || manifest.kind === 'ClusterRole') as RbacRole[];
}

export function bindingsOf(manifests: readonly Manifest[]): RbacBinding[] {
  return manifests.filter((manifest) => manifest.kind === 'RoleBinding' || manifest.kind === 'ClusterRoleBinding') as RbacBinding[];
}
