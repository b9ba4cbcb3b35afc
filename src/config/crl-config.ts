import { ConfigError } from './config-error.js';
import { formatDuration, parseDuration } from './duration.js';
import { parseListenAddress, type ListenAddress } from './listen-address.js';
import { readSettings, valueKnob, type SettingsOf, type ValuesOf } from './settings-table.js';

const MIN_VALIDITY_MS = 60_000;
/** Ten days: the CA/Browser Forum's ceiling for a subscriber CRL's nextUpdate. */
const MAX_VALIDITY_MS = 240 * 3_600_000;

/** CRL publication's knobs (`--crl-*`), each declared once. */
export const CRL_SETTINGS = {
  /** The CRL Distribution Point written into every new leaf; undefined: none (the profile is unchanged). */
  url: valueKnob({
    flag: 'crl-url',
    valueName: 'URL',
    help: 'http:// URL where relying parties fetch GET /crl; every new leaf then names it as its CRL Distribution Point',
    parse: (text) => (text ? parseCrlUrl(text) : undefined),
  }),
  /** A second, plain-HTTP listener serving only the CRL (what a CRL Distribution Point URL reaches). */
  listen: valueKnob({
    flag: 'crl-listen',
    valueName: 'HOST:PORT',
    help: 'also serve GET /crl and /crl.pem over plain HTTP here, for the --crl-url relying parties fetch',
    parse: (text): ListenAddress | undefined => (text ? Object.freeze(parseListenAddress(text)) : undefined),
  }),
  /** nextUpdate − thisUpdate of each CRL signed. */
  validityMs: valueKnob({
    flag: 'crl-validity',
    valueName: 'DURATION',
    help: "time from a CRL's thisUpdate to its nextUpdate (it is re-signed after half of it, and on each revocation)",
    default: '24h',
    parse: parseValidity,
  }),
};

/** CRL publication (`--crl-*`). */
export type CrlConfig = SettingsOf<typeof CRL_SETTINGS>;

export function buildCrlConfig(values: ValuesOf<typeof CRL_SETTINGS> = {}): CrlConfig {
  return readSettings(CRL_SETTINGS, values);
}

function parseValidity(text = '', flag: string): number {
  const validityMs = parseDuration(text, flag);
  if (validityMs < MIN_VALIDITY_MS || validityMs > MAX_VALIDITY_MS) {
    throw new ConfigError(`${flag} must be between 1m and 240h; got "${text}"`);
  }
  return validityMs;
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
