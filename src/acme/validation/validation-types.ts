import type { Ipv4 } from '../../ca/index.js';
import type { AcmeProblem } from '../problems.js';
import type { ChallengeType } from '../wire-types.js';

/** Where a connection for a validation really goes. */
export interface DialTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * Maps the identifier IP and the port the challenge type prescribes (80 for http-01, 443 for
 * tls-alpn-01) to where the validator connects. Production dials the IP itself on the configured
 * ports; tests may map to loopback listeners.
 */
export type Dialer = (ip: Ipv4, standardPort: 80 | 443) => DialTarget;

export interface ValidationPorts {
  readonly http01: number;
  readonly tlsAlpn01: number;
}

/** The dialer this server uses: the identifier IP, on the configured ports. */
export function portMapDialer(ports: ValidationPorts): Dialer {
  return (ip, standardPort) => ({ host: ip, port: standardPort === 80 ? ports.http01 : ports.tlsAlpn01 });
}

export interface ValidationRequest {
  readonly type: ChallengeType;
  readonly ip: Ipv4;
  readonly token: string;
  readonly keyAuthorization: string;
}

export type ValidationOutcome = { readonly valid: true } | { readonly valid: false; readonly problem: AcmeProblem };

export interface ValidationLimits {
  /** Whole validation, connection to last byte. */
  readonly timeoutMs: number;
  /** Largest http-01 response body read. */
  readonly maxBodyBytes: number;
  readonly maxRedirects: number;
}

export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = { timeoutMs: 10_000, maxBodyBytes: 8192, maxRedirects: 5 };
