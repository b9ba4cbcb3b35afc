import { LeafSigner, systemClock, type Clock, type Ipv4RangeSet } from '../ca/index.js';
import type { CrlSource } from '../api/crl-routes.js';
import { httpErrorFromStoreFault } from '../api/store-fault-status.js';
import type { CertificateSigner } from '../issuance/signer.js';
import { CaUpkeep } from './ca-upkeep.js';
import type { LiveCa } from './live-ca.js';
import { caReadiness, crlSourceOf, liveCa, operatorCaOf, trustBundleOf } from './live-ca-views.js';
import { adminParts, approvalPolicyOf } from './admin-parts.js';
import { liveOwnCaKeys, readAdminClientCa, refuseOwnCa, type AdminClientCa } from './admin-client-ca.js';
import { formatHostForUrl } from '../config/listen-address.js';
import { describeConfig, type ServeConfig } from '../config/serve-config.js';
import { createHttpApp, type HttpApp } from '../http/create-app.js';
import type { ReadinessCheck } from '../http/health-routes.js';
import { checkAddressFree, listen, type RunningServer } from '../http/listen.js';
import { IssuanceService } from '../issuance/issuance-service.js';
import { IssuanceWorker } from '../issuance/issuance-worker.js';
import { caPaths } from '../keystore/ca-directory.js';
import type { Operator } from '../controller/operator.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { createMetrics, type CaMetrics } from '../telemetry/metrics.js';
import type { AcmeServer } from '../acme/acme-server.js';
import { acmeDoor } from './acme-door.js';
import type { Ledger, OpenedCa, ServeCluster } from './cluster-parts.js';
import { openDataDirectoryCa } from './data-directory-ca.js';
import { openDataDirectory, type OpenDataDirectory } from './data-directory.js';
import { tlsFor } from './https-material.js';
import { packageVersion } from './package-version.js';
import { listenForCrl, listenForMetrics, registerPublicRoutes, type PublicRouteParts } from './routes.js';
import { startHousekeeping, type Housekeeping, type HousekeepingTask } from './housekeeping.js';
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
  /** The operator's CA as it signs now (it rolls over). */
  readonly live: LiveCa;
  /** What keeps the CA current; `check()` runs one round now. */
  readonly upkeep: CaUpkeep;
  /** What clients must trust (empty while there is no CA), and where it lies (undefined when the CA is in a Kubernetes Secret). */
  readonly root: { readonly certificatePem: string; readonly file: string | undefined };
  /** The ranges this server certifies: --allowed-cidrs, or what the CA was created for. */
  readonly allowedRanges: Ipv4RangeSet;
  /** Garbage collection of ACME state and retention of records, on the leading replica. */
  readonly housekeeping: Housekeeping;
  close(): Promise<void>;
}

/** The composition root: everything `smsgate-ca serve` runs, built from one frozen Config in the shape planTopology chose. */
export async function startServer(config: ServeConfig, dependencies: ServeDependencies = {}): Promise<RunningCaServer> {
  const clock = dependencies.clock ?? systemClock;
  const logger = dependencies.logger ?? createLogger({ level: config.logLevel });
  logger.info({ config: describeConfig(config) }, 'starting smsgate-ca');
  const topology = planTopology(config);
  const adminCa = await readAdminClientCa(config.adminClientCaFile, clock);
  const { dataDirectory, cluster, opened } = await openFoundations(config, topology, clock, logger);
  const { store } = dataDirectory;
  const metrics = createMetrics();
  const ledger = cluster.ledger(store);
  const live = liveCa(config, opened, { ledger, crlNumbers: cluster.crlNumbers(store), clock, logger });
  const upkeep = new CaUpkeep({ keystore: opened.keystore, live, intervalMs: config.ca.checkIntervalMs, clock, logger, metrics });
  const allowedRanges = opened.loaded?.material.allowedRanges ?? topology.ca.allowedRanges ?? topology.ca.newCaRanges;
  const issuanceFor = (signer: CertificateSigner, ranges: Ipv4RangeSet) => new IssuanceService({ store: ledger, signer, allowedRanges: ranges, clock, logger, metrics });
  const issuance = new IssuanceService({ store: ledger, signer: live, allowedRanges, clock, logger, metrics, approval: approvalPolicyOf(config) });
  issuance.onRevoked(() => live.invalidateCrls());
  const worker = new IssuanceWorker({ processor: issuance, clock, logger, metrics, signDelayMs: config.signDelayMs });
  const workerSigns = topology.restSigner === 'worker';
  let housekeeping: Housekeeping | undefined;
  try {
    await startUpkeep(upkeep);
    if (workerSigns) await startWorker(worker, issuance);
    const acme = await startAcme(config, { cluster, store, issuance, clock, logger, allowedRanges });
    await cluster.startController({ ca: operatorCaOf(live, issuance), issuance, issuerFactory: (material, ranges) => issuanceFor(material ? new LeafSigner(material, { clock }) : live, ranges), metrics: metrics.controller });
    housekeeping = startHousekeeping({ tasks: housekeepingTasks(cluster, acme, clock), leads: () => cluster.leads(), logger });
    let accepting = true;
    const app = createHttpApp({ logger, metrics, translateError: httpErrorFromStoreFault });
    const checks = readinessChecks({ ledger, store, worker, workerSigns, live, accepting: () => accepting });
    const crl = crlSourceOf(live);
    registerPublicRoutes(app, config, { issuance, metrics, ca: trustBundleOf(live), crl, checks, version: dependencies.version ?? (await packageVersion()), acme, admin: adminRouteParts(adminCa, { ledger, store, issuance, live, clock }) });
    const server = await listen(app.callback(), { ...config.listen, ...withAdminClientCa(await tlsFor(config.tls, config.listen, opened.loaded, { clock, logger }), adminCa, logger) });
    const url = `${server.scheme}://${formatHostForUrl(server.address.address)}:${server.address.port}`;
    logger.info({ url }, 'listening');
    const plain = await openPlainListeners(config, { crl, logger, metrics });
    return {
      ...{ url, port: server.address.port, app, issuance, metrics, operator: cluster.operator, live, upkeep },
      ...servedCa(topology, live, allowedRanges),
      ...plainUrls(plain),
      housekeeping,
      close: async () => {
        accepting = false;
        housekeeping?.stop();
        acme?.stop();
        await upkeep.stop();
        for (const listener of Object.values(plain)) await listener?.close();
        await cluster.stopController();
        await closeQuietly(server, worker, dataDirectory, logger);
        cluster.close();
      },
    };
  } catch (error) {
    await upkeep.stop();
    housekeeping?.stop();
    await cluster.stopController();
    await worker.stop();
    dataDirectory.close();
    cluster.close();
    throw error;
  }
}

/** The admin API's parts; with --admin-client-ca (never this CA's own) client certificates authenticate too. */
function adminRouteParts(adminCa: AdminClientCa | undefined, parts: { ledger: Ledger; store: SqliteStore; issuance: IssuanceService; live: LiveCa; clock: Clock }): PublicRouteParts['admin'] {
  const { ledger, store, issuance, live, clock } = parts;
  if (!adminCa) return adminParts(ledger, store, issuance, { clock });
  refuseOwnCa(adminCa, live.loaded);
  return adminParts(ledger, store, issuance, { clock, clientCertificates: { ownCaKeys: liveOwnCaKeys(live) } });
}

/** The listener asks for client certificates from the admin CAs (the config refuses them without TLS). */
function withAdminClientCa(served: Awaited<ReturnType<typeof tlsFor>>, adminCa: AdminClientCa | undefined, logger: Logger): Awaited<ReturnType<typeof tlsFor>> {
  if (!adminCa || !served.tls) return served;
  logger.info({ adminClientCa: adminCa.subjects }, 'the admin API accepts client certificates (clientAuth) issued by these CAs');
  return { tls: { ...served.tls, clientCaPem: adminCa.pem } };
}

/**
 * The ports are checked first, so nothing is written when the server could not listen; then the
 * data directory is locked and its database checked, before a CA is opened or created.
 */
async function openFoundations(config: ServeConfig, topology: Topology, clock: Clock, logger: Logger): Promise<{ dataDirectory: OpenDataDirectory; cluster: ServeCluster; opened: OpenedCa }> {
  for (const address of [config.listen, config.crl.listen, config.metricsListen]) if (address) await checkAddressFree(address);
  const dataDirectory = await openDataDirectory(config, { clock, logger });
  try {
    return { dataDirectory, ...(await openClusterAndCa(config, topology, dataDirectory.store, { clock, logger })) };
  } catch (error) {
    dataDirectory.close();
    throw error;
  }
}

async function openClusterAndCa(config: ServeConfig, topology: Topology, store: SqliteStore, parts: { clock: Clock; logger: Logger }): Promise<{ cluster: ServeCluster; opened: OpenedCa }> {
  const { clock, logger } = parts;
  const cluster = await openServeCluster(config, topology, clock, logger);
  try {
    const ledgerCertificates = () => store.countCertificates();
    const caParts = { keyAlgorithm: config.keyAlgorithm, clock, logger, bootstrap: config.ca.bootstrap, ledgerCertificates };
    const opened = await cluster.openCa(() => openDataDirectoryCa(config.dataDir, topology.ca, caParts), { ledgerCertificates });
    const material = opened.loaded?.material;
    const from = config.allowedRanges ? '--allowed-cidrs, within the CA' : 'the CA (its name constraints)';
    if (material) logger.info({ allowedCidrs: material.allowedRanges.toStrings(), from }, `certifying ${material.allowedRanges.toString()}`);
    return { cluster, opened };
  } catch (error) {
    cluster.close();
    throw error;
  }
}

/** The plain-HTTP listeners beside the REST/ACME port, each serving one thing. */
type PlainListeners = Readonly<Partial<Record<'crl' | 'metrics', RunningServer>>>;

async function openPlainListeners(config: ServeConfig, parts: { crl: CrlSource; logger: Logger; metrics: CaMetrics }): Promise<PlainListeners> {
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

function servedCa(topology: Topology, live: LiveCa, allowedRanges: Ipv4RangeSet): Pick<RunningCaServer, 'root' | 'allowedRanges'> {
  const { source } = topology.ca;
  const file = source.kind === 'data-dir' ? caPaths(source.dir).rootCertificate : undefined;
  return {
    root: {
      get certificatePem() {
        return live.loaded?.rootCertificatePem ?? '';
      },
      file,
    },
    allowedRanges,
  };
}

/** One round now (the warning at start, a rollover already due), then every --ca-check-interval. */
async function startUpkeep(upkeep: CaUpkeep): Promise<void> {
  await upkeep.check();
  upkeep.start();
}

interface ReadinessParts {
  readonly ledger: Ledger;
  readonly store: SqliteStore;
  readonly worker: IssuanceWorker;
  readonly workerSigns: boolean;
  readonly live: LiveCa;
  readonly accepting: () => boolean;
}

/** What /readyz checks: the stores answer and can be written, the signing worker runs (when it signs), the CA can sign, no shutdown. */
function readinessChecks({ ledger, store, worker, workerSigns, live, accepting }: ReadinessParts): ReadinessCheck[] {
  return [
    ...storeChecks(ledger, store),
    { name: 'worker', check: () => assert(worker.running || !workerSigns, 'the signing worker is stopped') },
    { name: 'ca', check: () => caReadiness(live) },
    { name: 'server', check: () => assert(accepting(), 'shutting down') },
  ];
}

/** The ACME door, when enabled, with its state where the topology keeps it (per pod, or shared in the cluster). */
async function startAcme(
  config: ServeConfig,
  parts: { cluster: ServeCluster; store: SqliteStore; issuance: IssuanceService; clock: Clock; logger: Logger; allowedRanges: Ipv4RangeSet },
): Promise<AcmeServer | undefined> {
  if (!config.acme.enabled) return undefined;
  const { cluster, store, clock, ...door } = parts;
  const state = await cluster.acmeState(store, { clock, nonceRejectPercent: config.acme.chaosNonceRejectPercent });
  const acme = acmeDoor(config, { state, clock, ...door });
  await acme.start();
  return acme;
}

/** What the leading replica cleans up: expired ACME state, and ledger records past their retention. */
function housekeepingTasks(cluster: ServeCluster, acme: AcmeServer | undefined, clock: Clock): HousekeepingTask[] {
  return [
    ...(acme ? [{ name: 'acme', run: () => acme.maintain() }] : []),
    { name: 'record-retention', run: () => cluster.collectRecords(clock.now()) },
  ];
}

/** The REST door's signer in this process: each newly stored request is queued for it. */
async function startWorker(worker: IssuanceWorker, issuance: IssuanceService): Promise<void> {
  issuance.onPending((request) => worker.enqueue(request));
  await worker.start();
}

/** The ledger's store; in cluster mode the ledger is in the API server and the ACME door's tables stay in the SQLite file. */
function storeChecks(ledger: Ledger, store: SqliteStore): ReadinessCheck[] {
  return [{ name: 'store', check: () => ledger.ping() }, ...(ledger === store ? [] : [{ name: 'database', check: () => store.ping() }])];
}

function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function closeQuietly(server: RunningServer, worker: IssuanceWorker, dataDirectory: OpenDataDirectory, logger: Logger): Promise<void> {
  await server.close();
  await worker.stop();
  dataDirectory.close();
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
