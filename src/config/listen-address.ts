import { isIP } from 'node:net';
import { ConfigError } from './config-error.js';

export interface ListenAddress {
  /** An IPv4/IPv6 literal (IPv6 without brackets) or a host name. */
  readonly host: string;
  /** 0 asks the OS for a free port. */
  readonly port: number;
}

/** "HOST:PORT", "[IPv6]:PORT" or ":PORT" (all IPv4 interfaces). */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new ConfigError(`listen address "${text}" must be HOST:PORT, e.g. 0.0.0.0:8443 or 127.0.0.1:0`);
  }
  const host = match[1] ?? (match[2] || '0.0.0.0');
  if (match[1] !== undefined && isIP(host) !== 6) {
    throw new ConfigError(`listen address "${text}" has an invalid IPv6 literal`);
  }
  if (!isIP(host) && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(host)) {
    throw new ConfigError(`listen address "${text}" has an invalid host`);
  }
  return { host, port };
}

export function formatHostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
