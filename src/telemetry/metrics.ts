import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerControllerMetrics, type ControllerMetrics } from './controller-metrics.js';

const PREFIX = 'smsgate_ca_';

/** Every Prometheus series the server exports, on a registry of its own (no global state). */
export interface CaMetrics {
  readonly registry: Registry;
  /** HTTP requests by method, route template and status code. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'method' | 'route'>;
  /** Certificate requests by door and outcome: accepted, duplicate, refused, approved, denied, issued. */
  readonly certificateRequests: Counter<'door' | 'outcome'>;
  /** Seconds from a request's arrival to its certificate being signed and recorded. */
  readonly issuanceLatency: Histogram<'door'>;
  readonly certificatesIssued: Counter<'door' | 'type'>;
  /** Revocations by door and RFC 5280 reason name (keyCompromise, superseded…). */
  readonly certificatesRevoked: Counter<'door' | 'reason'>;
  readonly rateLimited: Counter<'route'>;
  readonly pendingRequests: Gauge;
  /** notAfter of the intermediate that signs now, in Unix seconds; no sample while there is none. */
  readonly signingCaNotAfter: Gauge;
  /** The Kubernetes controller's reconciles and per-certificate series (empty unless it runs). */
  readonly controller: ControllerMetrics;
}

export function createMetrics(options: { readonly processMetrics?: boolean } = {}): CaMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests by method, route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'HTTP request handling time',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    certificateRequests: new Counter({
      name: `${PREFIX}certificate_requests_total`,
      help: 'Certificate requests by door (rest, acme, kubernetes) and outcome',
      labelNames: ['door', 'outcome'] as const,
      registers,
    }),
    issuanceLatency: new Histogram({
      name: `${PREFIX}issuance_latency_seconds`,
      help: 'Time from a certificate request arriving to its certificate being signed and stored',
      labelNames: ['door'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
      registers,
    }),
    certificatesIssued: new Counter({
      name: `${PREFIX}certificates_issued_total`,
      help: 'Certificates issued by door and certificate type',
      labelNames: ['door', 'type'] as const,
      registers,
    }),
    certificatesRevoked: new Counter({
      name: `${PREFIX}certificates_revoked_total`,
      help: 'Certificates revoked by door and RFC 5280 revocation reason',
      labelNames: ['door', 'reason'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: `${PREFIX}rate_limited_requests_total`,
      help: 'Requests refused with 429 by the per-client rate limit',
      labelNames: ['route'] as const,
      registers,
    }),
    ...gauges(registers),
    controller: registerControllerMetrics(registry),
  };
}

function gauges(registers: Registry[]): Pick<CaMetrics, 'pendingRequests' | 'signingCaNotAfter'> {
  return {
    pendingRequests: new Gauge({
      name: `${PREFIX}pending_requests`,
      help: 'Certificate requests waiting for the signing worker',
      registers,
    }),
    signingCaNotAfter: new Gauge({
      name: `${PREFIX}signing_ca_not_after_seconds`,
      help: 'Expiry (notAfter) of the intermediate that signs new certificates, in Unix seconds; a full 365-day certificate fits until one year before',
      registers,
    }),
  };
}
