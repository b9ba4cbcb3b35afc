import type { Router } from '@koa/router';
import type { AcmeServer } from '../acme/acme-server.js';
import { adminRouter, type AdminRoutesOptions } from '../api/admin-routes.js';
import { caRouter, type TrustBundle } from '../api/ca-routes.js';
import { crlRouter, type CrlSource } from '../api/crl-routes.js';
import { csrRouter } from '../api/csr-routes.js';
import { docsRouter } from '../api/docs-routes.js';
import { openApiDocument } from '../api/openapi-document.js';
import { RateLimiter } from '../api/rate-limiter.js';
import { httpErrorFromStoreFault } from '../api/store-fault-status.js';
import { consoleRouter } from '../console/console-routes.js';
import type { ListenAddress } from '../config/listen-address.js';
import { formatHostForUrl } from '../config/listen-address.js';
import type { ServeConfig } from '../config/serve-config.js';
import { createHttpApp, type HttpApp } from '../http/create-app.js';
import { healthRouter, type ReadinessCheck } from '../http/health-routes.js';
import { listen, type RunningServer } from '../http/listen.js';
import { metricsRouter } from '../http/metrics-route.js';
import type { RequestState } from '../http/request-context.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { Logger } from '../telemetry/logger.js';
import type { CaMetrics } from '../telemetry/metrics.js';

export interface PublicRouteParts {
  readonly issuance: IssuanceService;
  readonly metrics: CaMetrics;
  /** What GET /api/v1/ca serves: the root and the active intermediate's chain. */
  readonly ca: TrustBundle;
  readonly crl: CrlSource;
  readonly checks: readonly ReadinessCheck[];
  readonly version: string;
  readonly acme: AcmeServer | undefined;
  /** The admin API's ledger queries and tokens; undefined when the ledger cannot answer them (objects in the cluster). */
  readonly admin: Pick<AdminRoutesOptions, 'queries' | 'tokens' | 'clientCertificates' | 'clock'> | undefined;
}

/**
 * The REST/ACME port: health, docs, the trust bundle, the CRL, the REST door, the admin API and its
 * console, and the ACME door. Never /metrics (it answers 404 here): the scraper gets its own
 * listener, --metrics-listen.
 */
export function registerPublicRoutes(app: HttpApp, config: ServeConfig, parts: PublicRouteParts): void {
  const rateLimiter = config.rateLimit ? new RateLimiter(config.rateLimit.max, config.rateLimit.periodMs) : undefined;
  use(app, [
    healthRouter([...parts.checks]),
    docsRouter(openApiDocument(parts.version)),
    caRouter(parts.ca),
    crlRouter(parts.crl),
    csrRouter({ issuance: parts.issuance, rateLimiter, trustedProxies: config.trustedProxies, metrics: parts.metrics }),
    ...(parts.admin ? [adminRouter({ issuance: parts.issuance, ...parts.admin }), consoleRouter()] : []),
    ...(parts.acme ? [parts.acme.router] : []),
  ]);
}

/**
 * The plain-HTTP listener a CRL Distribution Point URL reaches: relying parties fetch CRLs over
 * HTTP (the CRL is signed), so it serves nothing but the CRL.
 */
export async function listenForCrl(address: ListenAddress, crl: CrlSource, parts: { logger: Logger; metrics: CaMetrics }): Promise<RunningServer> {
  // Signing a new CRL takes a number from the store, so a storage fault can reach this listener too.
  const app = createHttpApp({ ...parts, translateError: httpErrorFromStoreFault });
  use(app, [crlRouter(crl)]);
  const server = await listen(app.callback(), address);
  parts.logger.info({ url: `http://${formatHostForUrl(server.address.address)}:${server.address.port}/crl` }, 'serving the CRL over plain HTTP');
  return server;
}

/** --metrics-listen: GET /metrics over plain HTTP, and nothing else, for the scraper. */
export async function listenForMetrics(address: ListenAddress, parts: { logger: Logger; metrics: CaMetrics }): Promise<RunningServer> {
  const app = createHttpApp(parts);
  use(app, [metricsRouter(parts.metrics.registry)]);
  const server = await listen(app.callback(), address);
  parts.logger.info({ url: `http://${formatHostForUrl(server.address.address)}:${server.address.port}/metrics` }, 'serving metrics over plain HTTP');
  return server;
}

function use(app: HttpApp, routers: readonly Router<RequestState>[]): void {
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
}
