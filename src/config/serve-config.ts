import {
  formatCidr,
  isCaError,
  isKeyAlgorithm,
  Ipv4RangeSet,
  KEY_ALGORITHMS,
  parseCidr,
  type Ipv4Cidr,
  type KeyAlgorithm,
} from '../ca/index.js';
import { buildAcmeConfig, describeAcmeConfig, type AcmeConfig, type AcmeConfigSettings } from './acme-config.js';
import { ConfigError } from './config-error.js';
import { buildCrlConfig, describeCrlConfig, type CrlConfig } from './crl-config.js';
import { buildKubernetesConfig, describeKubernetesConfig, type KubernetesConfig, type KubernetesConfigSettings } from './kubernetes-config.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';
import { parseRateLimit, type RateLimitSetting } from './rate-limit-setting.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type TlsSetting =
  /** A certificate for the listen address, `localhost` and `127.0.0.1`, signed by the CA root on every start. */
  | { readonly mode: 'generated' }
  | { readonly mode: 'files'; readonly certificateFile: string; readonly keyFile: string }
  /** Plain HTTP, for a TLS-terminating proxy in front. */
  | { readonly mode: 'insecure-http' };

/** Everything `smsgate-ca serve` runs with, validated once and frozen. */
export interface ServeConfig {
  readonly dataDir: string;
  readonly listen: ListenAddress;
  /** --allowed-cidrs; undefined: the ranges the CA was created for (a new CA: the three private ranges). */
  readonly allowedRanges: Ipv4RangeSet | undefined;
  /** Key type of the CA created on first start. */
  readonly keyAlgorithm: KeyAlgorithm;
  /** Limit on POST /api/v1/csr per client address; undefined when disabled. */
  readonly rateLimit: RateLimitSetting | undefined;
  readonly trustedProxies: readonly Ipv4Cidr[];
  readonly tls: TlsSetting;
  readonly logLevel: LogLevel;
  /** How long a REST request stays pending before the worker signs it (the SMSGate CA queues too). */
  readonly signDelayMs: number;
  /** The ACME door (`--acme-*`). */
  readonly acme: AcmeConfig;
  /** Cluster mode: controller, Kubernetes store, CA Secret. */
  readonly kubernetes: KubernetesConfig;
  /** CRL publication (`--crl-url`, `--crl-validity`). */
  readonly crl: CrlConfig;
}

/** The textual settings, as flags/env/defaults deliver them (later layers already applied). */
export interface ServeSettings {
  readonly dataDir?: string | undefined;
  readonly listen?: string | undefined;
  readonly allowedCidrs?: string | undefined;
  readonly keyAlgorithm?: string | undefined;
  readonly rateLimit?: string | undefined;
  readonly trustedProxies?: string | undefined;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly insecureHttp?: boolean | undefined;
  readonly logLevel?: string | undefined;
  readonly signDelay?: string | undefined;
  readonly acme?: AcmeConfigSettings | undefined;
  readonly kubernetes?: KubernetesConfigSettings | undefined;
  readonly crlUrl?: string | undefined;
  readonly crlValidity?: string | undefined;
  readonly crlListen?: string | undefined;
}

export const SERVE_DEFAULTS = {
  dataDir: './data',
  listen: '0.0.0.0:8443',
  keyAlgorithm: 'ecdsa-p256',
  rateLimit: '1/1m',
  trustedProxies: '',
  logLevel: 'info',
  signDelay: '0s',
} as const;

export function buildServeConfig(settings: ServeSettings): ServeConfig {
  const value = <K extends keyof typeof SERVE_DEFAULTS>(key: K): string => {
    const given = settings[key];
    return typeof given === 'string' && given !== '' ? given : SERVE_DEFAULTS[key];
  };
  return Object.freeze({
    dataDir: value('dataDir'),
    listen: Object.freeze(parseListenAddress(value('listen'))),
    allowedRanges: settings.allowedCidrs ? rethrowCa(() => Ipv4RangeSet.parse(settings.allowedCidrs!), 'allowed-cidrs') : undefined,
    keyAlgorithm: parseKeyAlgorithm(value('keyAlgorithm')),
    rateLimit: parseRateLimit(value('rateLimit')),
    trustedProxies: Object.freeze(parseTrustedProxies(value('trustedProxies'))),
    tls: Object.freeze(parseTls(settings)),
    logLevel: parseLogLevel(value('logLevel')),
    signDelayMs: parseDuration(value('signDelay'), 'sign-delay'),
    acme: buildAcmeConfig(settings.acme),
    kubernetes: buildKubernetesConfig(settings.kubernetes),
    crl: buildCrlConfig({ crlUrl: settings.crlUrl, crlValidity: settings.crlValidity, crlListen: settings.crlListen }),
  });
}

function parseKeyAlgorithm(text: string): KeyAlgorithm {
  if (!isKeyAlgorithm(text)) throw new ConfigError(`key-algorithm must be one of ${KEY_ALGORITHMS.join(', ')}; got "${text}"`);
  return text;
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text);
  if (!level) throw new ConfigError(`log-level must be one of ${LOG_LEVELS.join(', ')}; got "${text}"`);
  return level;
}

/** Any IPv4 CIDR (a proxy may sit on a public address); a bare address means /32. */
export function parseTrustedProxies(text: string): Ipv4Cidr[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => rethrowCa(() => parseCidr(item.includes('/') ? item : `${item}/32`), 'trusted-proxies'));
}

function parseTls(settings: ServeSettings): TlsSetting {
  const certificateFile = settings.tlsCert || undefined;
  const keyFile = settings.tlsKey || undefined;
  if (settings.insecureHttp && (certificateFile || keyFile)) {
    throw new ConfigError('insecure-http cannot be combined with tls-cert/tls-key');
  }
  if (settings.insecureHttp) return { mode: 'insecure-http' };
  if (certificateFile && keyFile) return { mode: 'files', certificateFile, keyFile };
  if (certificateFile || keyFile) throw new ConfigError('tls-cert and tls-key must be given together');
  return { mode: 'generated' };
}

function rethrowCa<T>(parse: () => T, setting: string): T {
  try {
    return parse();
  } catch (error) {
    if (isCaError(error)) throw new ConfigError(`${setting}: ${error.message}`);
    throw error;
  }
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
    tls: config.tls.mode,
    logLevel: config.logLevel,
    signDelay: formatDuration(config.signDelayMs),
    acme: describeAcmeConfig(config.acme),
    kubernetes: describeKubernetesConfig(config.kubernetes),
    crl: describeCrlConfig(config.crl),
  };
}
