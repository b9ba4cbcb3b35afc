import { join } from 'node:path';
import { CrlSigner, LeafSigner, systemClock, type CaMaterial, type Clock, type Ipv4RangeSet, type LeafSignerOptions } from '../ca/index.js';
import { formatHostForUrl } from '../config/listen-address.js';
import { describeConfig, type ServeConfig } from '../config/serve-config.js';
import { createHttpApp, type HttpApp } from '../http/create-app.js';
import type { ReadinessCheck } from '../http/health-routes.js';
import { checkAddressFree, listen, type RunningServer } from '../http/listen.js';
import { CrlPublisher } from '../issuance/crl-publisher.js';
import { IssuanceService } from '../issuance/issuance-service.js';
import { IssuanceWorker } from '../issuance/issuance-worker.js';
import { caPaths, type LoadedCa } from '../keystore/ca-directory.js';
import type { Operator } from '../controller/operator.js';
import { DATABASE_FILE } from '../store/sqlite/database-file.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createMetrics, type CaMetrics } from '../telemetry/metrics.js';
import { acmeDoor } from './acme-door.js';
import type { ServeCluster } from './cluster-parts.js';
import { openDataDirectoryCa } from './data-directory-ca.js';
import { tlsFor } from './https-material.js';
import { packageVersion } from './package-version.js';
import { listenForCrl, listenForMetrics, registerPublicRoutes, type PublicRouteParts } from './routes.js';
import type { Ledger } from './cluster-parts.js';
import type { ApprovalPolicy } from '../issuance/approval-policy.js';
import type { LedgerQueries } from '../store/interfaces.js';
import { openServeCluster } from './serve-cluster.js';
import { planTopology, type Topology } from './topology.js';

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
  /** The plain-HTTP metrics URL, with --metrics-listen. */
  readonly metricsUrl?: string;
  /** What clients must trust, and where it lies (undefined when the CA is in a Kubernetes Secret). */
  readonly root: { readonly certificatePem: string; readonly file: string | undefined };
  /** The ranges this server certifies: --allowed-cidrs, or what the CA was created for. */
  readonly allowedRanges: Ipv4RangeSet;
  close(): Promise<void>;
}

/** The composition root: everything `smsgate-ca serve` runs, built from one frozen Config in the shape planTopology chose. */
export async function startServer(config: ServeConfig, dependencies: ServeDependencies = {}): Promise<RunningCaServer> {
  const clock = dependencies.clock ?? systemClock;
  const logger = dependencies.logger ?? createLogger({ level: config.logLevel });
  logger.info({ config: describeConfig(config) }, 'starting smsgate-ca');
  const topology = planTopology(config);
  const { cluster, ca } = await openClusterAndCa(config, topology, clock, logger);
  const store = SqliteStore.open(join(config.dataDir, DATABASE_FILE));
  const metrics = createMetrics();
  const ledger = cluster.ledger(store);
  const issuanceFor = (material: CaMaterial, allowedRanges: Ipv4RangeSet, signer: LeafSignerOptions = { clock }, approval?: ApprovalPolicy) =>
    new IssuanceService({ store: ledger, signer: new LeafSigner(material, signer), allowedRanges, clock, logger, metrics, ...(approval ? { approval } : {}) });
  // Only the default CA's leaves name the CRL: /crl is signed by that CA (other issuers' CAs publish none).
  const issuance = issuanceFor(ca.material, ca.material.allowedRanges, { clock, ...(config.crl.url ? { crlDistributionPointUrl: config.crl.url } : {}) }, approvalPolicyOf(config));
  const crl = new CrlPublisher({ signer: new CrlSigner(ca.material, { clock, validityMs: config.crl.validityMs }), revocations: ledger, numbers: cluster.crlNumbers(store), clock, logger });
  issuance.onRevoked(() => crl.invalidate());
  const worker = new IssuanceWorker({ processor: issuance, clock, logger, metrics, signDelayMs: config.signDelayMs });
  const workerSigns = topology.restSigner === 'worker';
  try {
    if (workerSigns) await startWorker(worker, issuance);
    const acme = config.acme.enabled ? acmeDoor(config, { store, issuance, clock, logger, allowedRanges: ca.material.allowedRanges }) : undefined;
    await acme?.start();
    await cluster.startController({ ca: ca.material, issuance, newIssuance: (material, ranges) => issuanceFor(material, ranges) });
    let accepting = true;
    const app = createHttpApp({ logger, metrics });
    const checks: ReadinessCheck[] = [
      { name: 'store', check: () => ledger.ping() },
      { name: 'worker', check: () => assert(worker.running || !workerSigns, 'the signing worker is stopped') },
      { name: 'ca', check: () => assert(ca.material.notAfter > clock.now(), 'the signing CA certificate has expired') },
      { name: 'server', check: () => assert(accepting, 'shutting down') },
    ];
    registerPublicRoutes(app, config, { issuance, metrics, ca, crl, checks, version: dependencies.version ?? (await packageVersion()), acme, admin: adminParts(ledger, store, issuance) });
    const server = await listen(app.callback(), { ...config.listen, ...(await tlsFor(config.tls, config.listen, ca, { clock, logger })) });
    const url = `${server.scheme}://${formatHostForUrl(server.address.address)}:${server.address.port}`;
    logger.info({ url }, 'listening');
    const plain = await openPlainListeners(config, { crl, logger, metrics });
    return {
      url,
      port: server.address.port,
      app,
      issuance,
      metrics,
      operator: cluster.operator,
      ...servedCa(topology, ca),
      ...plainUrls(plain),
      close: async () => {
        accepting = false;
        acme?.stop();
        for (const listener of Object.values(plain)) await listener?.close();
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

function approvalPolicyOf(config: ServeConfig): ApprovalPolicy {
  return { mode: config.restApproval, trustedRequesters: config.restTrustedRequesters };
}

/** The admin API answers from the ledger (the SQLite file, or the records in the cluster), with the data directory's tokens. */
function adminParts(ledger: Ledger, store: SqliteStore, issuance: IssuanceService): PublicRouteParts['admin'] {
  const queries = isLedgerQueries(ledger) && issuance.recordsApprovals ? ledger : undefined;
  if (!queries) throw new Error('this ledger answers no admin queries');
  return { queries, tokens: store.adminTokens() };
}

function isLedgerQueries(ledger: Ledger): ledger is Ledger & LedgerQueries {
  const candidate = ledger as Partial<LedgerQueries>;
  return typeof candidate.listRequests === 'function' && typeof candidate.listCertificates === 'function' && typeof candidate.queryAudit === 'function';
}

/** The ports are checked first, so nothing is written when the server could not listen. */
async function openClusterAndCa(config: ServeConfig, topology: Topology, clock: Clock, logger: Logger): Promise<{ cluster: ServeCluster; ca: LoadedCa }> {
  for (const address of [config.listen, config.crl.listen, config.metricsListen]) if (address) await checkAddressFree(address);
  const cluster = await openServeCluster(config, topology, clock, logger);
  const ca = await cluster.openCa(() => openDataDirectoryCa(config.dataDir, topology.ca, { keyAlgorithm: config.keyAlgorithm, clock, logger }));
  const from = config.allowedRanges ? '--allowed-cidrs, within the CA' : 'the CA (its name constraints)';
  logger.info({ allowedCidrs: ca.material.allowedRanges.toStrings(), from }, `certifying ${ca.material.allowedRanges.toString()}`);
  return { cluster, ca };
}

/** The plain-HTTP listeners beside the REST/ACME port, each serving one thing. */
type PlainListeners = Readonly<Partial<Record<'crl' | 'metrics', RunningServer>>>;

async function openPlainListeners(config: ServeConfig, parts: { crl: CrlPublisher; logger: Logger; metrics: CaMetrics }): Promise<PlainListeners> {
  const { crl, ...telemetry } = parts;
  return {
    ...(config.crl.listen ? { crl: await listenForCrl(config.crl.listen, crl, telemetry) } : {}),
    ...(config.metricsListen ? { metrics: await listenForMetrics(config.metricsListen, telemetry) } : {}),
  };
}

function plainUrls(plain: PlainListeners): Pick<RunningCaServer, 'crlUrl' | 'metricsUrl'> {
  const base = (server: RunningServer): string => `http://${formatHostForUrl(server.address.address)}:${server.address.port}`;
  return {
    ...(plain.crl ? { crlUrl: `${base(plain.crl)}/crl` } : {}),
    ...(plain.metrics ? { metricsUrl: `${base(plain.metrics)}/metrics` } : {}),
  };
}

function servedCa(topology: Topology, ca: LoadedCa): Pick<RunningCaServer, 'root' | 'allowedRanges'> {
  const { source } = topology.ca;
  return { root: { certificatePem: ca.rootCertificatePem, file: source.kind === 'data-dir' ? caPaths(source.dir).rootCertificate : undefined }, allowedRanges: ca.material.allowedRanges };
}

/** The REST door's signer in this process: each newly stored request is queued for it. */
async function startWorker(worker: IssuanceWorker, issuance: IssuanceService): Promise<void> {
  issuance.onPending((request) => worker.enqueue(request));
  await worker.start();
}

function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
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
