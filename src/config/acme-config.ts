import { ConfigError } from './config-error.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseRateLimit, type RateLimitSetting } from './rate-limit-setting.js';

/** The ACME door's settings (`--acme-*`), validated once. */
export interface AcmeConfig {
  readonly enabled: boolean;
  readonly eabRequired: boolean;
  readonly http01Port: number;
  readonly tlsAlpn01Port: number;
  readonly maxIdentifiers: number;
  readonly termsOfService: string | undefined;
  readonly website: string | undefined;
  readonly newAccountRate: RateLimitSetting | undefined;
  readonly newOrderRate: RateLimitSetting | undefined;
  readonly validationTimeoutMs: number;
  readonly validationAttempts: number;
  readonly validationRetryDelayMs: number;
  /** New orders reuse the account's valid authorizations (RFC 8555 §7.4). */
  readonly reuseValidAuthz: boolean;
  /** Hardening knobs for client authors, off by default. */
  readonly validationDelayMs: number;
  readonly chaosNonceRejectPercent: number;
}

/** The textual settings as flags/env deliver them. */
export interface AcmeConfigSettings {
  readonly disabled?: boolean | undefined;
  readonly eabRequired?: boolean | undefined;
  readonly http01Port?: string | undefined;
  readonly tlsAlpn01Port?: string | undefined;
  readonly maxIdentifiers?: string | undefined;
  readonly termsOfService?: string | undefined;
  readonly website?: string | undefined;
  readonly newAccountRate?: string | undefined;
  readonly newOrderRate?: string | undefined;
  readonly validationTimeout?: string | undefined;
  readonly validationAttempts?: string | undefined;
  readonly validationRetryDelay?: string | undefined;
  readonly reuseValidAuthz?: string | undefined;
  readonly validationDelay?: string | undefined;
  readonly chaosNonceRejectPercent?: string | undefined;
}

export const ACME_CONFIG_DEFAULTS = {
  http01Port: '80',
  tlsAlpn01Port: '443',
  maxIdentifiers: '20',
  newAccountRate: '20/1h',
  newOrderRate: '300/1h',
  validationTimeout: '10s',
  validationAttempts: '3',
  validationRetryDelay: '2s',
  reuseValidAuthz: 'true',
  validationDelay: '0s',
  chaosNonceRejectPercent: '0',
} as const;

export function buildAcmeConfig(settings: AcmeConfigSettings = {}): AcmeConfig {
  const value = <K extends keyof typeof ACME_CONFIG_DEFAULTS>(key: K): string => {
    const given = settings[key];
    return typeof given === 'string' && given !== '' ? given : ACME_CONFIG_DEFAULTS[key];
  };
  return Object.freeze({
    enabled: settings.disabled !== true,
    eabRequired: settings.eabRequired === true,
    http01Port: integer(value('http01Port'), 'acme-http01-port', 1, 65535),
    tlsAlpn01Port: integer(value('tlsAlpn01Port'), 'acme-tls-alpn01-port', 1, 65535),
    maxIdentifiers: integer(value('maxIdentifiers'), 'acme-max-identifiers', 1, 100),
    termsOfService: url(settings.termsOfService, 'acme-terms-of-service'),
    website: url(settings.website, 'acme-website'),
    newAccountRate: parseRateLimit(value('newAccountRate')),
    newOrderRate: parseRateLimit(value('newOrderRate')),
    validationTimeoutMs: bounded(parseDuration(value('validationTimeout'), 'acme-validation-timeout'), 'acme-validation-timeout', 100, 120_000),
    validationAttempts: integer(value('validationAttempts'), 'acme-validation-attempts', 1, 10),
    validationRetryDelayMs: parseDuration(value('validationRetryDelay'), 'acme-validation-retry-delay'),
    reuseValidAuthz: boolean(value('reuseValidAuthz'), 'acme-reuse-valid-authz'),
    validationDelayMs: parseDuration(value('validationDelay'), 'acme-validation-delay'),
    chaosNonceRejectPercent: integer(value('chaosNonceRejectPercent'), 'acme-chaos-nonce-reject-percent', 0, 100),
  });
}

/** What is logged at start; the hardening knobs are named when they are on. */
export function describeAcmeConfig(config: AcmeConfig): Record<string, unknown> {
  if (!config.enabled) return { enabled: false };
  const rate = (setting: RateLimitSetting | undefined) => (setting ? `${setting.max}/${formatDuration(setting.periodMs)}` : 'off');
  return {
    enabled: true,
    eabRequired: config.eabRequired,
    http01Port: config.http01Port,
    tlsAlpn01Port: config.tlsAlpn01Port,
    maxIdentifiers: config.maxIdentifiers,
    newAccountRate: rate(config.newAccountRate),
    newOrderRate: rate(config.newOrderRate),
    validation: `${config.validationAttempts} attempt(s), ${formatDuration(config.validationTimeoutMs)} each`,
    reuseValidAuthz: config.reuseValidAuthz,
    ...(config.validationDelayMs > 0 ? { chaosValidationDelay: formatDuration(config.validationDelayMs) } : {}),
    ...(config.chaosNonceRejectPercent > 0 ? { chaosNonceRejectPercent: config.chaosNonceRejectPercent } : {}),
  };
}

function integer(text: string, setting: string, min: number, max: number): number {
  if (!/^\d{1,6}$/.test(text.trim())) throw new ConfigError(`${setting} must be a whole number from ${min} to ${max}; got "${text}"`);
  return bounded(Number(text), setting, min, max);
}

function boolean(text: string, setting: string): boolean {
  if (/^(true|yes|on|1)$/i.test(text.trim())) return true;
  if (/^(false|no|off|0)$/i.test(text.trim())) return false;
  throw new ConfigError(`${setting} must be true or false; got "${text}"`);
}

function bounded(value: number, setting: string, min: number, max: number): number {
  if (value < min || value > max) throw new ConfigError(`${setting} must be from ${min} to ${max}; got ${value}`);
  return value;
}

function url(text: string | undefined, setting: string): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^https?:\/\/\S+$/.test(text)) throw new ConfigError(`${setting} must be an http(s) URL; got "${text}"`);
  return text;
}
