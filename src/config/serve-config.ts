import { DEFAULT_ALLOWED_CIDRS, formatCidr, Ipv4RangeSet, KEY_ALGORITHMS, parseCidr, type Ipv4Cidr, type KeyAlgorithm } from '../ca/index.js';
import { ACME_SETTINGS, buildAcmeConfig, describeAcmeConfig, type AcmeConfig } from './acme-config.js';
import { buildCaConfig, CA_SETTINGS, describeCaConfig, type CaConfig } from './ca-config.js';
import { ConfigError } from './config-error.js';
import { buildCrlConfig, CRL_SETTINGS, describeCrlConfig, type CrlConfig } from './crl-config.js';
import { formatDuration } from './duration.js';
import { buildKubernetesConfig, describeKubernetesConfig, KUBERNETES_SETTINGS, type KubernetesConfig } from './kubernetes-config.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';
import { parseRateLimit } from './rate-limit-setting.js';
import { duration, fromCore, oneOf, optionalText } from './setting-parsers.js';
import { readSettings, switchKnob, valueKnob, type SettingsOf, type SettingsTable, type ValuesOf } from './settings-table.js';

/** Who approves a REST request (README "Approval of REST requests"). */
export const REST_APPROVAL_POLICIES = ['auto', 'requester', 'manual'] as const;
export type RestApprovalPolicy = (typeof REST_APPROVAL_POLICIES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** SQLite's quick_check, its full integrity_check, or none. */
export const INTEGRITY_CHECK_MODES = ['quick', 'full', 'off'] as const;
export type IntegrityCheckMode = (typeof INTEGRITY_CHECK_MODES)[number];

export type TlsSetting =
  /** A certificate for the listen address, `localhost` and `127.0.0.1`, signed by the CA root on every start. */
  | { readonly mode: 'generated' }
  | { readonly mode: 'files'; readonly certificateFile: string; readonly keyFile: string }
  /** Plain HTTP, for a TLS-terminating proxy in front. */
  | { readonly mode: 'insecure-http' };

/** The REST door's and the server's own knobs (`--listen`, `--rate-limit`…), each declared once. */
export const SERVE_SETTINGS = {
  dataDir: valueKnob({ flag: 'data-dir', valueName: 'DIR', help: 'directory holding the CA (DIR/ca/) and the store; a CA is created there on first start', default: './data', parse: (text = './data') => text }),
  listen: valueKnob({ flag: 'listen', valueName: 'HOST:PORT', help: 'address to listen on (port 0 picks a free port)', default: '0.0.0.0:8443', parse: (text = '') => Object.freeze(parseListenAddress(text)) }),
  /** Undefined: the ranges the CA was created for (a new CA: the three private ranges). */
  allowedRanges: valueKnob({
    flag: 'allowed-cidrs',
    valueName: 'LIST',
    help: `comma list of IPv4 CIDRs certificates may carry (also the intermediate name constraints); default: what the CA was created for (init: ${DEFAULT_ALLOWED_CIDRS.join(',')})`,
    parse: (text, flag) => (text ? fromCore((given) => Ipv4RangeSet.parse(given))(text, flag) : undefined),
  }),
  /** Key type of the CA created on first start. */
  keyAlgorithm: valueKnob({ flag: 'key-algorithm', valueName: 'ALG', help: `key type of a CA created on first start: ${KEY_ALGORITHMS.join(', ')}`, default: 'ecdsa-p256', parse: oneOf<KeyAlgorithm>(KEY_ALGORITHMS) }),
  /** Limit on POST /api/v1/csr per client address; undefined when disabled. */
  rateLimit: valueKnob({ flag: 'rate-limit', valueName: 'N/PERIOD', help: 'CSR submissions per client address, e.g. 1/1m; 0 disables', default: '1/1m', parse: (text = '0') => parseRateLimit(text) }),
  trustedProxies: valueKnob({ flag: 'trusted-proxies', valueName: 'CIDRS', help: 'proxies whose X-Forwarded-For names the client (comma list)', parse: (text = '') => Object.freeze(parseTrustedProxies(text)) }),
  /** Who approves a REST request: the policy at once (auto), the policy for a device asking for itself (requester), or an administrator. */
  restApproval: valueKnob({
    flag: 'rest-approval',
    valueName: 'POLICY',
    help: `who approves REST requests: ${REST_APPROVAL_POLICIES.join(', ')} (requester: a client asking for its own address, or one in --rest-trusted-requesters; the rest wait for an administrator)`,
    default: 'auto',
    parse: oneOf<RestApprovalPolicy>(REST_APPROVAL_POLICIES),
  }),
  restTrustedRequesters: valueKnob({
    flag: 'rest-trusted-requesters',
    valueName: 'CIDRS',
    help: 'with --rest-approval requester: client addresses whose requests are approved for any IP (comma list)',
    parse: (text = '') => Object.freeze(parseCidrList(text, 'rest-trusted-requesters')),
  }),
  tlsCertificateFile: valueKnob({ flag: 'tls-cert', valueName: 'FILE', help: 'serve this certificate chain (PEM) instead of one generated from the CA root', parse: optionalText }),
  tlsKeyFile: valueKnob({ flag: 'tls-key', valueName: 'FILE', help: 'private key of --tls-cert (mode 0600)', parse: optionalText }),
  insecureHttp: switchKnob({ flag: 'insecure-http', help: 'serve plain HTTP, for use behind a TLS-terminating proxy' }),
  /** PEM bundle of the CAs whose client certificates (clientAuth) authenticate administrators; undefined: bearer tokens only. */
  adminClientCaFile: valueKnob({
    flag: 'admin-client-ca',
    valueName: 'FILE',
    help: "CA certificates (PEM bundle, root included) whose client certificates with clientAuth authenticate to the admin API, besides bearer tokens; never this CA's own",
    parse: optionalText,
  }),
  /** How long a REST request stays pending before the worker signs it (the SMSGate CA queues too). */
  signDelayMs: valueKnob({ flag: 'sign-delay', valueName: 'DURATION', help: 'keep each REST request pending at least this long before signing', default: '0s', parse: duration() }),
  /** How the database is checked at start; a damaged one refuses to start. */
  integrityCheck: valueKnob({
    flag: 'integrity-check',
    valueName: 'MODE',
    help: 'check the database file at start: quick (every page), full (also every index entry) or off; a damaged database refuses to start',
    default: 'quick',
    parse: oneOf<IntegrityCheckMode>(INTEGRITY_CHECK_MODES),
  }),
  logLevel: valueKnob({ flag: 'log-level', valueName: 'LEVEL', help: `log level: ${LOG_LEVELS.join(', ')}`, default: 'info', parse: oneOf<LogLevel>(LOG_LEVELS) }),
  /** A plain-HTTP listener serving only GET /metrics. Undefined: no metrics listener. The REST/ACME port never serves /metrics. */
  metricsListen: valueKnob({
    flag: 'metrics-listen',
    valueName: 'HOST:PORT',
    help: 'serve GET /metrics over plain HTTP here (off by default; the REST/ACME port never serves it)',
    parse: (text): ListenAddress | undefined => (text ? Object.freeze(parseListenAddress(text)) : undefined),
  }),
};

/** Every table `serve` reads, in the order `serve --help` lists their flags. */
export const SERVE_TABLES: readonly SettingsTable[] = [SERVE_SETTINGS, CA_SETTINGS, CRL_SETTINGS, ACME_SETTINGS, KUBERNETES_SETTINGS];

type ServeKnobs = SettingsOf<typeof SERVE_SETTINGS>;

/** Everything `smsgate-ca serve` runs with, validated once and frozen. */
export type ServeConfig = Omit<ServeKnobs, 'tlsCertificateFile' | 'tlsKeyFile' | 'insecureHttp'> & {
  readonly tls: TlsSetting;
  /** The ACME door (`--acme-*`). */
  readonly acme: AcmeConfig;
  /** Cluster mode: controller, Kubernetes store, CA Secret. */
  readonly kubernetes: KubernetesConfig;
  /** CRL publication (`--crl-*`). */
  readonly crl: CrlConfig;
  /** The CA's life: rollover, its last year, bootstrap (`--ca-*`). */
  readonly ca: CaConfig;
};

/** What `serve` reads: values by flag name, as flags, the environment, the config file and defaults deliver them. */
export type ServeValues = ValuesOf<typeof SERVE_SETTINGS> & ValuesOf<typeof CA_SETTINGS> & ValuesOf<typeof CRL_SETTINGS> & ValuesOf<typeof ACME_SETTINGS> & ValuesOf<typeof KUBERNETES_SETTINGS>;

export function buildServeConfig(values: ServeValues = {}): ServeConfig {
  const { tlsCertificateFile, tlsKeyFile, insecureHttp, ...plain } = readSettings(SERVE_SETTINGS, values);
  const kubernetes = buildKubernetesConfig(values);
  checkApprovalSigner(plain.restApproval, kubernetes);
  checkAdminClientCa(plain.adminClientCaFile, insecureHttp);
  return Object.freeze({
    ...plain,
    tls: Object.freeze(tlsOf(tlsCertificateFile, tlsKeyFile, insecureHttp)),
    acme: buildAcmeConfig(values),
    kubernetes,
    crl: buildCrlConfig(values),
    ca: buildCaConfig(values),
  });
}

/** With the ledger in the cluster, an approver's decision is a condition on the record that only the controller notices. */
function checkApprovalSigner(approval: ServeKnobs['restApproval'], kubernetes: KubernetesConfig): void {
  if (approval !== 'auto' && kubernetes.store === 'kubernetes' && !kubernetes.controller) {
    throw new ConfigError(`--rest-approval ${approval} with --store kubernetes needs the controller (--controller or --kubeconfig): it signs what an Approved condition approves`);
  }
}

/** A client certificate is part of the TLS handshake: behind a TLS-terminating proxy this server would never see one. */
function checkAdminClientCa(file: string | undefined, insecureHttp: boolean): void {
  if (file !== undefined && insecureHttp) {
    throw new ConfigError('admin-client-ca needs this server to terminate TLS: client certificates are part of the handshake, which a plain-HTTP server (--insecure-http) never sees; use bearer tokens behind a proxy');
  }
}

/** Any IPv4 CIDR (a proxy may sit on a public address); a bare address means /32. */
export function parseTrustedProxies(text: string): Ipv4Cidr[] {
  return parseCidrList(text, 'trusted-proxies');
}

/** A comma list of IPv4 CIDRs; a bare address means /32. */
function parseCidrList(text: string, flag: string): Ipv4Cidr[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => fromCore(parseCidr)(item.includes('/') ? item : `${item}/32`, flag));
}

function tlsOf(certificateFile: string | undefined, keyFile: string | undefined, insecureHttp: boolean): TlsSetting {
  if (insecureHttp && (certificateFile || keyFile)) {
    throw new ConfigError('insecure-http cannot be combined with tls-cert/tls-key');
  }
  if (insecureHttp) return { mode: 'insecure-http' };
  if (certificateFile && keyFile) return { mode: 'files', certificateFile, keyFile };
  if (certificateFile || keyFile) throw new ConfigError('tls-cert and tls-key must be given together');
  return { mode: 'generated' };
}

/** The config as it is safe to log (no secrets live in it today; file paths are kept). */
export function describeConfig(config: ServeConfig): Record<string, unknown> {
  return {
    dataDir: config.dataDir,
    listen: `${config.listen.host}:${config.listen.port}`,
    allowedCidrs: config.allowedRanges?.toStrings() ?? "the CA's own",
    keyAlgorithm: config.keyAlgorithm,
    rateLimit: config.rateLimit ? `${config.rateLimit.max}/${formatDuration(config.rateLimit.periodMs)}` : 'off',
    trustedProxies: config.trustedProxies.map(formatCidr),
    restApproval: config.restApproval,
    restTrustedRequesters: config.restTrustedRequesters.map(formatCidr),
    tls: config.tls.mode,
    adminClientCa: config.adminClientCaFile ?? 'off',
    logLevel: config.logLevel,
    integrityCheck: config.integrityCheck,
    signDelay: formatDuration(config.signDelayMs),
    metricsListen: config.metricsListen ? `${config.metricsListen.host}:${config.metricsListen.port}` : 'off',
    acme: describeAcmeConfig(config.acme),
    kubernetes: describeKubernetesConfig(config.kubernetes),
    crl: describeCrlConfig(config.crl),
    ca: describeCaConfig(config.ca),
  };
}
