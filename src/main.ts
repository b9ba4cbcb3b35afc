import { X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Router } from '@koa/router';
import { createAcmeServer, type AcmeServer } from './acme/acme-server.js';
import { defaultAcmeSettings } from './acme/acme-settings.js';
import { caRouter } from './api/ca-routes.js';
import { clientAddress } from './api/client-address.js';
import { crlRouter } from './api/crl-routes.js';
import { csrRouter } from './api/csr-routes.js';
import { docsRouter } from './api/docs-routes.js';
import { openApiDocument } from './api/openapi-document.js';
import { RateLimiter } from './api/rate-limiter.js';
import { CrlSigner, LeafSigner, parseIpv4, systemClock, type Clock, type Ipv4, Ipv4RangeSet, type LeafSignerOptions } from './ca/index.js';
import { issueServerCertificate } from './ca/index.js';
import { describeConfig, type ServeConfig } from './config/serve-config.js';
import { formatHostForUrl } from './config/listen-address.js';
import { createHttpApp, type HttpApp } from './http/create-app.js';
import { healthRouter, type ReadinessCheck } from './http/health-routes.js';
import { checkAddressFree, listen, type RunningServer, type TlsMaterial } from './http/listen.js';
import { metricsRouter } from './http/metrics-route.js';
import type { RequestState } from './http/request-context.js';
import { CrlPublisher } from './issuance/crl-publisher.js';
import { IssuanceService } from './issuance/issuance-service.js';
import { IssuanceWorker } from './issuance/issuance-worker.js';
import { caDirectoryExists, caPaths, initCaDirectory, loadCaDirectory, type LoadedCa } from './keystore/ca-directory.js';
import { readPrivateKeyFile } from './keystore/key-file.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
// Cluster mode (controller, Kubernetes store, CA Secret).
import type { CaMaterial } from './ca/index.js';
import { packageVersion } from './cli/package-version.js';
import { openServeCluster, type ServeCluster } from './cli/serve-cluster.js';
import type { Operator } from './controller/operator.js';
import type { AuditLog } from './store/interfaces.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { createMetrics, type CaMetrics } from './telemetry/metrics.js';

export const DATABASE_FILE = 'smsgate-ca.db';

export interface ServeDependencies {
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly version?: string;
}

/** A started server; `close()` stops HTTP, then the worker, then the store. */
export interface RunningCaServer {
  readonly url: string;
  readonly port: number;
  readonly app: HttpApp;
  readonly issuance: IssuanceService;
  readonly metrics: CaMetrics;
  /** The controller, in cluster mode with --controller. */
  readonly operator: Operator | undefined;
  /** The plain-HTTP CRL URL, with --crl-listen. */
  readonly crlUrl?: string;
  /** What clients must trust, and where it lies (undefined when the CA is in a Kubernetes Secret). */
  readonly root: { readonly certificatePem: string; readonly file: string | undefined };
  /** The ranges this server certifies: --allowed-cidrs, or what the CA was created for. */
  readonly allowedRanges: Ipv4RangeSet;
  close(): Promise<void>;
}

/** The composition root: everything `smsgate-ca serve` runs, built from one frozen Config. */
export async function startServer(config: ServeConfig, dependencies: ServeDependencies = {}): Promise<RunningCaServer> {
  const clock = dependencies.clock ?? systemClock;
  const logger = dependencies.logger ?? createLogger({ level: config.logLevel });
  logger.info({ config: describeConfig(config) }, 'starting smsgate-ca');
  const { cluster, ca } = await openClusterAndCa(config, clock, logger);
  const store = SqliteStore.open(join(config.dataDir, DATABASE_FILE));
  const metrics = createMetrics();
  const ledger = cluster.ledger(store);
  const issuanceFor = (material: CaMaterial, allowedRanges: Ipv4RangeSet, signer: LeafSignerOptions = { clock }) =>
    new IssuanceService({ store: ledger, signer: new LeafSigner(material, signer), allowedRanges, clock, logger, metrics });
  const newIssuance = (material: CaMaterial, allowedRanges: Ipv4RangeSet) => issuanceFor(material, allowedRanges);
  // Only the default CA's leaves name the CRL: /crl is signed by that CA (other issuers' CAs publish none).
  const issuance = issuanceFor(ca.material, ca.material.allowedRanges, { clock, ...(config.crl.url ? { crlDistributionPointUrl: config.crl.url } : {}) });
  const crl = new CrlPublisher({ signer: new CrlSigner(ca.material, { clock, validityMs: config.crl.validityMs }), revocations: ledger, numbers: cluster.crlNumbers(store), clock, logger });
  issuance.onRevoked(() => crl.invalidate());
  const worker = new IssuanceWorker({ processor: issuance, clock, logger, metrics, signDelayMs: config.signDelayMs });
  // With REST requests recorded in the cluster, the elected controller decides them (one signer for all replicas).
  const workerSigns = !cluster.decidesRestRequests(ledger, store);
  try {
    await cluster.startSigningWorker(worker, issuance, workerSigns);
    const acme = config.acme.enabled ? startAcme(config, { store, audit: ledger, issuance, clock, logger, allowedRanges: ca.material.allowedRanges }) : undefined;
    await acme?.start();
    await cluster.startController({ ca: ca.material, issuance, newIssuance, restRecords: !workerSigns });
    let accepting = true;
    const app = createHttpApp({ logger, metrics });
    const checks: ReadinessCheck[] = [
      { name: 'store', check: () => ledger.ping() },
      { name: 'worker', check: () => assert(worker.running || !workerSigns, 'the signing worker is stopped') },
      { name: 'ca', check: () => assert(ca.material.notAfter > clock.now(), 'the signing CA certificate has expired') },
      { name: 'server', check: () => assert(accepting, 'shutting down') },
    ];
    registerRoutes(app, config, { issuance, metrics, ca, crl, checks, version: dependencies.version ?? (await packageVersion()), acme });
    const server = await listen(app.callback(), { ...config.listen, ...(await tlsFor(config, ca, clock, logger)) });
    const url = `${server.scheme}://${formatHostForUrl(server.address.address)}:${server.address.port}`;
    logger.info({ url }, 'listening');
    const crlServer = config.crl.listen ? await listenForCrl(config.crl.listen, crl, { logger, metrics }) : undefined;
    return {
      url,
      port: server.address.port,
      app,
      issuance,
      metrics,
      operator: cluster.operator,
      ...servedCa(config, ca),
      ...(crlServer ? { crlUrl: `http://${formatHostForUrl(crlServer.address.address)}:${crlServer.address.port}/crl` } : {}),
      close: async () => {
        accepting = false;
        acme?.stop();
        await crlServer?.close();
        await cluster.stopController();
        await closeQuietly(server, worker, store, logger);
        cluster.close();
      },
    };
  } catch (error) {
    await cluster.stopController();
    await worker.stop();
    store.close();
    cluster.close();
    throw error;
  }
}

function registerRoutes(
  app: HttpApp,
  config: ServeConfig,
  parts: { issuance: IssuanceService; metrics: CaMetrics; ca: LoadedCa; crl: CrlPublisher; checks: ReadinessCheck[]; version: string; acme: AcmeServer | undefined },
): void {
  const rateLimiter = config.rateLimit ? new RateLimiter(config.rateLimit.max, config.rateLimit.periodMs) : undefined;
  const routers: Router<RequestState>[] = [
    healthRouter(parts.checks),
    metricsRouter(parts.metrics.registry),
    docsRouter(openApiDocument(parts.version)),
    caRouter({ rootPem: parts.ca.rootCertificatePem, chainPem: parts.ca.material.chainPem }),
    crlRouter(parts.crl),
    csrRouter({ issuance: parts.issuance, rateLimiter, trustedProxies: config.trustedProxies, metrics: parts.metrics }),
    ...(parts.acme ? [parts.acme.router] : []),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods({ throw: true }));
  }
}

/** The ACME door (src/acme), configured from `--acme-*`; it issues through the same issuance service. */
function startAcme(config: ServeConfig, parts: { store: SqliteStore; audit: AuditLog; issuance: IssuanceService; clock: Clock; logger: Logger; allowedRanges: Ipv4RangeSet }): AcmeServer {
  const { acme } = config;
  const settings = defaultAcmeSettings(parts.allowedRanges, {
    maxIdentifiers: acme.maxIdentifiers,
    externalAccountRequired: acme.eabRequired,
    ...(acme.termsOfService ? { termsOfService: acme.termsOfService } : {}),
    ...(acme.website ? { website: acme.website } : {}),
    newAccountRate: acme.newAccountRate,
    newOrderRate: acme.newOrderRate,
    chaosNonceRejectPercent: acme.chaosNonceRejectPercent,
    reuseValidAuthorizations: acme.reuseValidAuthz,
  });
  if (acme.validationDelayMs > 0 || acme.chaosNonceRejectPercent > 0) {
    parts.logger.warn({ validationDelayMs: acme.validationDelayMs, nonceRejectPercent: acme.chaosNonceRejectPercent }, 'ACME hardening knobs are on');
  }
  return createAcmeServer({
    settings: {
      ...settings,
      validation: {
        ...settings.validation,
        ports: { http01: acme.http01Port, tlsAlpn01: acme.tlsAlpn01Port },
        timeoutMs: acme.validationTimeoutMs,
        attempts: acme.validationAttempts,
        retryDelayMs: acme.validationRetryDelayMs,
        delayMs: acme.validationDelayMs,
      },
    },
    store: parts.store.acme(),
    issuer: parts.issuance,
    audit: parts.audit,
    clock: parts.clock,
    logger: parts.logger.child({ door: 'acme' }),
    requesterOf: (ctx) => clientAddress(ctx.socket.remoteAddress, ctx.get('x-forwarded-for'), config.trustedProxies),
  });
}

async function openCa(config: ServeConfig, clock: Clock, logger: Logger): Promise<LoadedCa> {
  if (!(await caDirectoryExists(config.dataDir))) {
    await initCaDirectory(config.dataDir, { keyAlgorithm: config.keyAlgorithm, allowedRanges: config.allowedRanges ?? Ipv4RangeSet.defaults, clock }).catch(async (error: unknown) => {
      throw await explainUnwritableDataDir(error, config.dataDir);
    });
    logger.info({ dataDir: config.dataDir, keyAlgorithm: config.keyAlgorithm }, 'created a new CA (first start)');
  }
  return loadCaDirectory(config.dataDir, { allowedRanges: config.allowedRanges, clock });
}

/**
 * The ports are checked first, so nothing is written when the server could not listen. In cluster
 * mode the CA may live in a Secret, the ledger in the API server, and the controller runs.
 */
async function openClusterAndCa(config: ServeConfig, clock: Clock, logger: Logger): Promise<{ cluster: ServeCluster; ca: LoadedCa }> {
  for (const address of [config.listen, ...(config.crl.listen ? [config.crl.listen] : [])]) await checkAddressFree(address);
  const cluster = await openServeCluster(config, clock, logger);
  const ca = await cluster.openCa(() => openCa(config, clock, logger));
  const from = config.allowedRanges ? '--allowed-cidrs, within the CA' : 'the CA (its name constraints)';
  logger.info({ allowedCidrs: ca.material.allowedRanges.toStrings(), from }, `certifying ${ca.material.allowedRanges.toString()}`);
  return { cluster, ca };
}

function servedCa(config: ServeConfig, ca: LoadedCa): Pick<RunningCaServer, 'root' | 'allowedRanges'> {
  const inSecret = config.kubernetes.enabled && config.kubernetes.caSecret !== undefined;
  return { root: { certificatePem: ca.rootCertificatePem, file: inSecret ? undefined : caPaths(config.dataDir).rootCertificate }, allowedRanges: ca.material.allowedRanges };
}

/**
 * A data directory the CA cannot be created in, said in words (a read-only mount is common in
 * containers). Node's recursive mkdir reports ENOENT there, so the nearest existing parent is asked.
 */
async function explainUnwritableDataDir(error: unknown, dataDir: string): Promise<unknown> {
  const code = await writeProblemOf(dataDir) ?? (error as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return new Error(`cannot create the CA in ${dataDir}: it is on a read-only file system (EROFS); give --data-dir a writable directory (e.g. a mounted volume)`);
  if (code === 'EACCES' || code === 'EPERM') return new Error(`cannot create the CA in ${dataDir}: permission denied (${code}); give --data-dir a directory this user may write`);
  return error;
}

/** EROFS, EACCES… for the nearest existing directory of `path`; undefined when it is writable. */
async function writeProblemOf(path: string): Promise<string | undefined> {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    try {
      await access(dir, constants.W_OK);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || dir === dirname(dir)) return code;
    }
  }
}

async function tlsFor(config: ServeConfig, ca: LoadedCa, clock: Clock, logger: Logger): Promise<{ tls?: TlsMaterial }> {
  switch (config.tls.mode) {
    case 'insecure-http':
      logger.warn('serving plain HTTP (--insecure-http): put a TLS-terminating proxy in front');
      return {};
    case 'files':
      return { tls: { certificatePem: await readFile(config.tls.certificateFile, 'utf8'), keyPem: await readPrivateKeyFile(config.tls.keyFile) } };
    case 'generated':
      return { tls: generatedTls(config, ca, clock, logger) };
  }
}

/**
 * Signed by the root, because the intermediate's name constraints forbid DNS names (and perhaps
 * loopback). Without the root key only the addresses the intermediate may certify are included.
 */
function generatedTls(config: ServeConfig, ca: LoadedCa, clock: Clock, logger: Logger): TlsMaterial {
  const ips = serverIps(config.listen.host);
  const dnsNames = ['localhost', ...(isIP(config.listen.host) ? [] : [config.listen.host.toLowerCase()])];
  const certificate = ca.rootKey
    ? issueServerCertificate({ issuerCertificateDer: derOf(ca.rootCertificatePem), issuerKey: ca.rootKey, dnsNames: [...new Set(dnsNames)], ips, clock })
    : issueServerCertificate({
        issuerCertificateDer: ca.material.signerCertificateDer,
        issuerKey: ca.material.signerKey,
        dnsNames: [],
        ips: ips.filter((ip) => ca.material.allowedRanges.contains(parseIpv4(ip))),
        clock,
      });
  if (!ca.rootKey) logger.warn('no root key in the data directory: the server certificate is signed by the intermediate and carries allowed IPs only');
  logger.info({ ips, dnsNames: ca.rootKey ? dnsNames : [], notAfter: certificate.notAfter }, 'generated the HTTPS certificate');
  return { certificatePem: ca.rootKey ? certificate.pem : certificate.pem + ca.material.chainPem, keyPem: certificate.privateKeyPem };
}

/** The listen address, 127.0.0.1, and every local IPv4 address when listening on all interfaces. */
function serverIps(host: string): Ipv4[] {
  const all = host === '0.0.0.0' || host === '::';
  const local = all
    ? Object.values(networkInterfaces())
        .flat()
        .filter((entry) => entry?.family === 'IPv4')
        .map((entry) => entry.address)
    : [];
  return [...new Set(['127.0.0.1', ...(isIP(host) === 4 && !all ? [host] : []), ...local])];
}

function derOf(pem: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pem).raw);
}

function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/**
 * The plain-HTTP listener a CRL Distribution Point URL reaches: relying parties fetch CRLs over
 * HTTP (the CRL is signed), so it serves nothing but the CRL.
 */
async function listenForCrl(address: { host: string; port: number }, crl: CrlPublisher, parts: { logger: Logger; metrics: CaMetrics }): Promise<RunningServer> {
  const app = createHttpApp(parts);
  const router = crlRouter(crl);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  const server = await listen(app.callback(), address);
  parts.logger.info({ url: `http://${formatHostForUrl(server.address.address)}:${server.address.port}/crl` }, 'serving the CRL over plain HTTP');
  return server;
}

async function closeQuietly(server: RunningServer, worker: IssuanceWorker, store: SqliteStore, logger: Logger): Promise<void> {
  await server.close();
  await worker.stop();
  store.close();
  logger.info('stopped');
  logger.flush();
}

/** Runs until SIGINT or SIGTERM, then stops cleanly. Resolves with the exit code. */
export async function serveUntilSignal(config: ServeConfig, onListening: (running: RunningCaServer) => void, dependencies: ServeDependencies = {}): Promise<number> {
  const running = await startServer(config, dependencies);
  onListening(running);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const forced = setTimeout(() => process.exit(1), 15_000);
  forced.unref();
  await running.close();
  clearTimeout(forced);
  return 0;
}
