import { ConfigError } from './config-error.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';

/** CRL publication (`--crl-*`). */
export interface CrlConfig {
  /** The CRL Distribution Point written into every new leaf; undefined: none (the profile is unchanged). */
  readonly url: string | undefined;
  /** nextUpdate − thisUpdate of each CRL signed. */
  readonly validityMs: number;
  /** A second, plain-HTTP listener serving only the CRL (what a CRL Distribution Point URL reaches). */
  readonly listen: ListenAddress | undefined;
}

export interface CrlConfigSettings {
  readonly crlUrl?: string | undefined;
  readonly crlValidity?: string | undefined;
  readonly crlListen?: string | undefined;
}

export const CRL_CONFIG_DEFAULTS = { crlValidity: '24h' } as const;

const MIN_VALIDITY_MS = 60_000;
/** Ten days: the CA/Browser Forum's ceiling for a subscriber CRL's nextUpdate. */
const MAX_VALIDITY_MS = 240 * 3_600_000;

export function buildCrlConfig(settings: CrlConfigSettings = {}): CrlConfig {
  const validityText = settings.crlValidity || CRL_CONFIG_DEFAULTS.crlValidity;
  const validityMs = parseDuration(validityText, 'crl-validity');
  if (validityMs < MIN_VALIDITY_MS || validityMs > MAX_VALIDITY_MS) {
    throw new ConfigError(`crl-validity must be between 1m and 240h; got "${validityText}"`);
  }
  return Object.freeze({
    url: settings.crlUrl ? parseCrlUrl(settings.crlUrl) : undefined,
    validityMs,
    listen: settings.crlListen ? parseListenAddress(settings.crlListen) : undefined,
  });
}

/**
 * An http:// URL. Relying parties fetch CRLs over plain HTTP (the CRL is signed; an https URL
 * would need a certificate check that itself wants the CRL), which RFC 5280 §4.2.1.13 practice and
 * the CA/Browser Forum requirements follow. A DNS name is fine here: name constraints apply to the
 * subject names of certificates, not to the URI of a distribution point.
 */
export function parseCrlUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`crl-url "${text}" is not an absolute URL such as http://10.0.0.2:8080/crl`);
  }
  if (url.protocol !== 'http:') throw new ConfigError(`crl-url must be an http:// URL (relying parties fetch CRLs over plain HTTP); got "${text}"`);
  if (url.username || url.password || url.hash) throw new ConfigError(`crl-url must not carry credentials or a #fragment; got "${text}"`);
  return url.href;
}

export function describeCrlConfig(config: CrlConfig): Record<string, unknown> {
  return {
    url: config.url ?? 'off',
    validity: formatDuration(config.validityMs),
    listen: config.listen ? `${config.listen.host}:${config.listen.port}` : 'off',
  };
}
