import { hostname } from 'node:os';
import { DEFAULT_KUBE_API_BURST, DEFAULT_KUBE_API_QPS } from '../shared/rate-limit.js';
import { ConfigError } from './config-error.js';
import { formatDuration, parseDuration } from './duration.js';
import { duration, optionalText, wholeNumber } from './setting-parsers.js';
import { readSettings, switchKnob, valueKnob, type SettingsOf, type ValuesOf } from './settings-table.js';

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes object or namespace name, or undefined when not given. */
function kubeName(text: string | undefined, flag: string): string | undefined {
  if (!text) return undefined;
  if (text.length > 253 || !DNS_NAME.test(text)) throw new ConfigError(`${flag} "${text}" is not a valid Kubernetes name`);
  return text;
}

/** Cluster mode's knobs, each declared once; the Helm chart passes these. */
export const KUBERNETES_SETTINGS = {
  /** Undefined: the in-cluster service account. */
  kubeconfigPath: valueKnob({ flag: 'kubeconfig', valueName: 'FILE', help: 'talk to the Kubernetes API with this kubeconfig and run the controller (in a pod: the service account)', parse: optionalText }),
  controller: switchKnob({ flag: 'controller', help: 'run the controller: CertificateRequests, IPIssuers, IPClusterIssuers (in-cluster config unless --kubeconfig)' }),
  /** Undefined here: decided with the other knobs (kubernetes in cluster mode). */
  store: valueKnob({ flag: 'store', valueName: 'TYPE', help: 'where REST requests and the ledger live: sqlite or kubernetes (CertificateRequest objects); default kubernetes in cluster mode', parse: parseStore }),
  certManager: switchKnob({ flag: 'cert-manager', help: 'act as a cert-manager external issuer (cert-manager.io/v1 CertificateRequests for our issuers)' }),
  /** The CA lives in this Secret (created on first start when absent); undefined: the data directory. */
  caSecret: valueKnob({ flag: 'ca-secret', valueName: 'NAME', help: 'keep the CA in this Secret of --namespace (created on first start when absent)', parse: kubeName }),
  /** The operator's namespace (records, CA Secret, Lease defaults); undefined: the kubeconfig context's, else `default`. */
  namespace: valueKnob({ flag: 'namespace', valueName: 'NS', help: "the operator's namespace: request records, CA Secret, Lease", env: 'POD_NAMESPACE', parse: kubeName }),
  /** This pod (Lease holder identity, Events). */
  podName: valueKnob({ flag: 'pod-name', valueName: 'NAME', help: 'this replica, for the Lease and Events (default: the host name)', env: 'POD_NAME', parse: (text) => text || hostname() }),
  /** Empty: every namespace. */
  watchNamespaces: valueKnob({
    flag: 'watch-namespace',
    valueName: 'NS',
    multiple: true,
    help: 'reconcile CertificateRequests, IPIssuers, their Secrets and cert-manager requests only in this namespace (and in --namespace, where the records live); IPClusterIssuers stay cluster-wide; default every namespace',
    parse: parseNamespaceList,
  }),
  clusterResourceNamespace: valueKnob({ flag: 'cluster-resource-namespace', valueName: 'NS', help: 'namespace of the CA Secrets IPClusterIssuers name (default --namespace)', parse: kubeName }),
  leaderElect: switchKnob({ flag: 'leader-elect', help: 'only the holder of a coordination.k8s.io Lease runs the controller' }),
  leaderElectionNamespace: valueKnob({ flag: 'leader-election-namespace', valueName: 'NS', help: 'namespace of the Lease (default --namespace)', parse: kubeName }),
  leaderElectionId: valueKnob({ flag: 'leader-election-id', valueName: 'NAME', help: 'name of the Lease', default: 'smsgate-ca-leader', parse: (text, flag) => kubeName(text, flag)! }),
  leaseDurationMs: valueKnob({ flag: 'leader-election-lease-duration', valueName: 'DURATION', help: 'how long a Lease holds without renewal', default: '15s', parse: duration() }),
  renewDeadlineMs: valueKnob({ flag: 'leader-election-renew-deadline', valueName: 'DURATION', help: 'how long the leader tries to renew before stepping down', default: '10s', parse: duration() }),
  retryPeriodMs: valueKnob({ flag: 'leader-election-retry-period', valueName: 'DURATION', help: 'pause between leader election attempts', default: '2s', parse: duration() }),
  trustConfigMap: valueKnob({ flag: 'trust-configmap', valueName: 'NS/NAME', help: 'publish the root certificate (key ca.crt) in this ConfigMap', parse: parseTrustConfigMap }),
  controllerWorkers: valueKnob({ flag: 'controller-workers', valueName: 'N', help: 'CertificateRequests reconciled at once', default: '16', parse: parseWorkers }),
  resyncPeriodMs: valueKnob({ flag: 'controller-resync-period', valueName: 'DURATION', help: 'reconcile every object again this often', default: '10m', parse: parseResyncPeriod }),
  /** Client-side limit on every Kubernetes API request of this process (client-go's QPS/Burst). */
  kubeApiQps: valueKnob({ flag: 'kube-api-qps', valueName: 'N', help: 'Kubernetes API requests per second this process sends at most, on average', default: String(DEFAULT_KUBE_API_QPS), parse: parseQps }),
  kubeApiBurst: valueKnob({ flag: 'kube-api-burst', valueName: 'N', help: 'Kubernetes API requests sent at once after a quiet spell, above --kube-api-qps', default: String(DEFAULT_KUBE_API_BURST), parse: wholeNumber(1, 100_000) }),
  /** 0: keep records forever. */
  recordRetentionMs: valueKnob({
    flag: 'record-retention',
    valueName: 'DURATION',
    help: 'delete REST and ACME records (CertificateRequests in --namespace) this long after their certificate expired or their request was denied; 0 keeps them',
    default: '720h',
    parse: duration(),
  }),
  acmeNonceSecret: valueKnob({
    flag: 'acme-nonce-secret',
    valueName: 'NAME',
    help: 'Secret of --namespace holding the ACME nonce key every replica shares (created on first start when absent)',
    default: 'smsgate-ca-acme-nonce',
    parse: (text, flag) => kubeName(text, flag)!,
  }),
  maxRetryDurationMs: valueKnob({
    flag: 'max-retry-duration',
    valueName: 'DURATION',
    help: 'a request whose issuance keeps failing in passing (Ready=False, Pending) turns Failed after this long',
    default: '1h',
    parse: parseMaxRetryDuration,
  }),
  secretOwnerReferences: switchKnob({ flag: 'secret-owner-references', help: 'make each CertificateRequest the owner of its Secret, so deleting the request deletes the Secret (default: Secrets outlive their requests)' }),
};

type KubernetesKnobs = SettingsOf<typeof KUBERNETES_SETTINGS>;
type LeaderElectionKnob = 'leaderElect' | 'leaderElectionNamespace' | 'leaderElectionId' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs';

/** Cluster mode: the Kubernetes API, the controller, the Kubernetes store, the CA in a Secret. */
export type KubernetesConfig = Omit<KubernetesKnobs, 'store' | 'controller' | LeaderElectionKnob> & {
  /** Anything of cluster mode is on: it needs the API server. */
  readonly enabled: boolean;
  /** Where REST requests and the issuance ledger live. */
  readonly store: 'sqlite' | 'kubernetes';
  readonly controller: boolean;
  readonly leaderElection: {
    readonly enabled: boolean;
    readonly namespace: string | undefined;
    readonly id: string;
    readonly leaseDurationMs: number;
    readonly renewDeadlineMs: number;
    readonly retryPeriodMs: number;
  };
};

/**
 * `--kubeconfig FILE` (or `--controller`, `--store kubernetes`, `--ca-secret` in a pod) turns
 * cluster mode on; `--kubeconfig` alone also runs the controller and the Kubernetes store.
 */
export function buildKubernetesConfig(values: ValuesOf<typeof KUBERNETES_SETTINGS> = {}): KubernetesConfig {
  const knobs = readSettings(KUBERNETES_SETTINGS, values);
  const controller = knobs.controller || knobs.kubeconfigPath !== undefined;
  const enabled = controller || knobs.store === 'kubernetes' || knobs.caSecret !== undefined || knobs.leaderElect || knobs.certManager;
  checkNeedsController(knobs, controller);
  const { leaderElect, leaderElectionNamespace, leaderElectionId, leaseDurationMs, renewDeadlineMs, retryPeriodMs, ...plain } = knobs;
  if (!(retryPeriodMs > 0 && retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new ConfigError('leader election needs 0 < retry-period < renew-deadline < lease-duration');
  }
  return Object.freeze({
    ...plain,
    enabled,
    store: knobs.store ?? (enabled ? 'kubernetes' : 'sqlite'),
    controller,
    leaderElection: Object.freeze({ enabled: leaderElect, namespace: leaderElectionNamespace, id: leaderElectionId, leaseDurationMs, renewDeadlineMs, retryPeriodMs }),
  });
}

function parseStore(text: string | undefined): 'sqlite' | 'kubernetes' | undefined {
  if (!text) return undefined;
  if (text !== 'sqlite' && text !== 'kubernetes') throw new ConfigError(`store must be sqlite or kubernetes; got "${text}"`);
  return text;
}

function checkNeedsController(knobs: KubernetesKnobs, controller: boolean): void {
  const needing = [['cert-manager', knobs.certManager], ['leader-elect', knobs.leaderElect], ['trust-configmap', knobs.trustConfigMap !== undefined], ['watch-namespace', knobs.watchNamespaces.length > 0]] as const;
  for (const [flag, on] of needing) {
    if (on && !controller) throw new ConfigError(`${flag} needs the controller (--controller or --kubeconfig)`);
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Namespace names (RFC 1123 labels) from a comma list, each once, in the order given. */
function parseNamespaceList(text: string | undefined, flag: string): readonly string[] {
  const names = (text ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (name.length > 63 || !DNS_LABEL.test(name)) throw new ConfigError(`${flag} "${name}" is not a namespace name (an RFC 1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)`);
  }
  return Object.freeze([...new Set(names)]);
}

function parseWorkers(text = ''): number {
  const workers = Number(text);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new ConfigError(`controller-workers must be an integer from 1 to 256; got "${text}"`);
  return workers;
}

function parseQps(text = '', flag: string): number {
  const qps = Number(text.trim());
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(qps > 0) || qps > 100_000) throw new ConfigError(`${flag} must be a number above 0 and at most 100000; got "${text}"`);
  return qps;
}

function parseResyncPeriod(text = '', flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms < 1000) throw new ConfigError(`${flag} must be at least 1s`);
  return ms;
}

function parseMaxRetryDuration(text = '', flag: string): number {
  const ms = parseDuration(text, flag);
  if (ms < 1000) throw new ConfigError(`${flag} must be at least 1s`);
  return ms;
}

function parseTrustConfigMap(text: string | undefined): { readonly namespace: string; readonly name: string } | undefined {
  if (!text) return undefined;
  const [namespace, name, extra] = text.split('/');
  if (!namespace || !name || extra !== undefined || !DNS_NAME.test(namespace) || !DNS_NAME.test(name)) {
    throw new ConfigError(`trust-configmap must be NAMESPACE/NAME; got "${text}"`);
  }
  return Object.freeze({ namespace, name });
}

export function describeKubernetesConfig(config: KubernetesConfig): Record<string, unknown> {
  if (!config.enabled) return { enabled: false };
  return {
    enabled: true,
    kubeconfig: config.kubeconfigPath ?? 'in-cluster',
    namespace: config.namespace,
    store: config.store,
    controller: config.controller,
    certManager: config.certManager,
    caSecret: config.caSecret,
    watchNamespaces: config.watchNamespaces.length > 0 ? config.watchNamespaces.join(', ') : 'all',
    leaderElection: config.leaderElection.enabled ? `${config.leaderElection.namespace ?? '(namespace)'}/${config.leaderElection.id}` : 'off',
    trustConfigMap: config.trustConfigMap ? `${config.trustConfigMap.namespace}/${config.trustConfigMap.name}` : undefined,
    controllerWorkers: config.controllerWorkers,
    resyncPeriod: formatDuration(config.resyncPeriodMs),
    kubeApi: `${config.kubeApiQps} qps, burst ${config.kubeApiBurst}`,
    recordRetention: config.recordRetentionMs > 0 ? formatDuration(config.recordRetentionMs) : 'forever',
    acmeNonceSecret: config.acmeNonceSecret,
    maxRetryDuration: formatDuration(config.maxRetryDurationMs),
    secretOwnerReferences: config.secretOwnerReferences,
  };
}
