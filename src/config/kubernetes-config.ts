import { ConfigError } from './config-error.js';
import { formatDuration, parseDuration } from './duration.js';

/** Cluster mode: the Kubernetes API, the controller, the Kubernetes store, the CA in a Secret. */
export interface KubernetesConfig {
  /** Anything below needs the API server. */
  readonly enabled: boolean;
  /** Undefined: the in-cluster service account. */
  readonly kubeconfigPath: string | undefined;
  /** The operator's namespace (records, CA Secret, Lease defaults); undefined: the kubeconfig context's, else `default`. */
  readonly namespace: string | undefined;
  /** This pod (Lease holder identity, Events). */
  readonly podName: string;
  /** Where REST requests and the issuance ledger live. */
  readonly store: 'sqlite' | 'kubernetes';
  readonly controller: boolean;
  readonly certManager: boolean;
  /** The CA lives in this Secret (created on first start when absent); undefined: the data directory. */
  readonly caSecret: string | undefined;
  readonly clusterResourceNamespace: string | undefined;
  readonly leaderElection: {
    readonly enabled: boolean;
    readonly namespace: string | undefined;
    readonly id: string;
    readonly leaseDurationMs: number;
    readonly renewDeadlineMs: number;
    readonly retryPeriodMs: number;
  };
  readonly trustConfigMap: { readonly namespace: string; readonly name: string } | undefined;
  readonly controllerWorkers: number;
  readonly resyncPeriodMs: number;
}

export interface KubernetesConfigSettings {
  readonly kubeconfig?: string | undefined;
  readonly namespace?: string | undefined;
  readonly podName?: string | undefined;
  readonly store?: string | undefined;
  readonly controller?: boolean | undefined;
  readonly certManager?: boolean | undefined;
  readonly caSecret?: string | undefined;
  readonly clusterResourceNamespace?: string | undefined;
  readonly leaderElect?: boolean | undefined;
  readonly leaderElectionNamespace?: string | undefined;
  readonly leaderElectionId?: string | undefined;
  readonly leaderElectionLeaseDuration?: string | undefined;
  readonly leaderElectionRenewDeadline?: string | undefined;
  readonly leaderElectionRetryPeriod?: string | undefined;
  readonly trustConfigMap?: string | undefined;
  readonly controllerWorkers?: string | undefined;
  readonly resyncPeriod?: string | undefined;
}

export const KUBERNETES_DEFAULTS = {
  leaderElectionId: 'smsgate-ca-leader',
  leaderElectionLeaseDuration: '15s',
  leaderElectionRenewDeadline: '10s',
  leaderElectionRetryPeriod: '2s',
  controllerWorkers: '16',
  resyncPeriod: '10m',
} as const;

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * `--kubeconfig FILE` (or `--controller`, `--store kubernetes`, `--ca-secret` in a pod) turns
 * cluster mode on; `--kubeconfig` alone also runs the controller and the Kubernetes store.
 */
export function buildKubernetesConfig(settings: KubernetesConfigSettings = {}, hostname = 'smsgate-ca'): KubernetesConfig {
  const kubeconfigPath = settings.kubeconfig || undefined;
  const controller = settings.controller === true || kubeconfigPath !== undefined;
  const enabled = isEnabled(settings, controller);
  checkNeedsController(settings, controller);
  checkNames(settings);
  const text = <K extends keyof typeof KUBERNETES_DEFAULTS>(key: K): string => settings[key] || KUBERNETES_DEFAULTS[key];
  return Object.freeze({
    enabled,
    kubeconfigPath,
    namespace: settings.namespace || undefined,
    podName: settings.podName ?? hostname,
    store: parseStore(settings.store, enabled),
    controller,
    certManager: settings.certManager === true,
    caSecret: settings.caSecret || undefined,
    clusterResourceNamespace: settings.clusterResourceNamespace || undefined,
    leaderElection: leaderElectionFrom(settings, text),
    trustConfigMap: parseTrustConfigMap(settings.trustConfigMap),
    controllerWorkers: parseWorkers(text('controllerWorkers')),
    resyncPeriodMs: parseResyncPeriod(text('resyncPeriod')),
  });
}

function isEnabled(settings: KubernetesConfigSettings, controller: boolean): boolean {
  return controller || settings.store === 'kubernetes' || Boolean(settings.caSecret) || settings.leaderElect === true || settings.certManager === true;
}

function parseStore(text: string | undefined, enabled: boolean): 'sqlite' | 'kubernetes' {
  if (!text) return enabled ? 'kubernetes' : 'sqlite';
  if (text !== 'sqlite' && text !== 'kubernetes') throw new ConfigError(`store must be sqlite or kubernetes; got "${text}"`);
  return text;
}

function checkNeedsController(settings: KubernetesConfigSettings, controller: boolean): void {
  for (const [flag, on] of [['cert-manager', settings.certManager], ['leader-elect', settings.leaderElect], ['trust-configmap', Boolean(settings.trustConfigMap)]] as const) {
    if (on && !controller) throw new ConfigError(`${flag} needs the controller (--controller or --kubeconfig)`);
  }
}

function checkNames(settings: KubernetesConfigSettings): void {
  const named = [['namespace', settings.namespace], ['ca-secret', settings.caSecret], ['cluster-resource-namespace', settings.clusterResourceNamespace], ['leader-election-namespace', settings.leaderElectionNamespace], ['leader-election-id', settings.leaderElectionId]] as const;
  for (const [flag, value] of named) {
    if (value && (value.length > 253 || !DNS_NAME.test(value))) throw new ConfigError(`${flag} "${value}" is not a valid Kubernetes name`);
  }
}

function leaderElectionFrom(settings: KubernetesConfigSettings, text: (key: keyof typeof KUBERNETES_DEFAULTS) => string): KubernetesConfig['leaderElection'] {
  const leaseDurationMs = parseDuration(text('leaderElectionLeaseDuration'), 'leader-election-lease-duration');
  const renewDeadlineMs = parseDuration(text('leaderElectionRenewDeadline'), 'leader-election-renew-deadline');
  const retryPeriodMs = parseDuration(text('leaderElectionRetryPeriod'), 'leader-election-retry-period');
  if (!(retryPeriodMs > 0 && retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new ConfigError('leader election needs 0 < retry-period < renew-deadline < lease-duration');
  }
  return Object.freeze({ enabled: settings.leaderElect === true, namespace: settings.leaderElectionNamespace || undefined, id: text('leaderElectionId'), leaseDurationMs, renewDeadlineMs, retryPeriodMs });
}

function parseWorkers(text: string): number {
  const workers = Number(text);
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new ConfigError(`controller-workers must be an integer from 1 to 256; got "${text}"`);
  return workers;
}

function parseResyncPeriod(text: string): number {
  const ms = parseDuration(text, 'controller-resync-period');
  if (ms < 1000) throw new ConfigError('controller-resync-period must be at least 1s');
  return ms;
}

function parseTrustConfigMap(text: string | undefined): KubernetesConfig['trustConfigMap'] {
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
    leaderElection: config.leaderElection.enabled ? `${config.leaderElection.namespace ?? '(namespace)'}/${config.leaderElection.id}` : 'off',
    trustConfigMap: config.trustConfigMap ? `${config.trustConfigMap.namespace}/${config.trustConfigMap.name}` : undefined,
    controllerWorkers: config.controllerWorkers,
    resyncPeriod: formatDuration(config.resyncPeriodMs),
  };
}
