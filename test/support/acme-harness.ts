import { createAcmeServer, type AcmeServer } from '../../src/acme/acme-server.js';
import { acmeSettings, type AcmeSettings } from '../../src/acme/acme-settings.js';
import { Ipv4RangeSet, LeafSigner, systemClock, type Clock } from '../../src/ca/index.js';
import { createHttpApp } from '../../src/http/create-app.js';
import { listen, type RunningServer } from '../../src/http/listen.js';
import { IssuanceService } from '../../src/issuance/issuance-service.js';
import { buildAcmeConfig } from '../../src/config/acme-config.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createMetrics, type CaMetrics } from '../../src/telemetry/metrics.js';
import { startHttp01Responder, startTlsAlpnResponder, type Http01Responder, type TlsAlpnResponder } from './acme-responders.js';
import { testCa } from './test-ca.js';

export const HARNESS_RANGES = '127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16';

/** The ACME door in-process over plain HTTP on loopback, with SQLite in memory and loopback responders. */
export interface AcmeHarness {
  readonly baseUrl: string;
  readonly directoryUrl: string;
  readonly rootPem: string;
  readonly store: SqliteStore;
  readonly issuance: IssuanceService;
  readonly metrics: CaMetrics;
  readonly acme: AcmeServer;
  readonly http01: Http01Responder;
  readonly tlsAlpn: TlsAlpnResponder;
  /** Every (ip, port) the validator dialed. */
  readonly dialed: Array<{ ip: string; port: number }>;
  close(): Promise<void>;
}

export async function startAcmeHarness(overrides: Partial<AcmeSettings> = {}, options: { clock?: Clock } = {}): Promise<AcmeHarness> {
  const clock = options.clock ?? systemClock;
  const ranges = Ipv4RangeSet.parse(HARNESS_RANGES);
  const material = testCa({ allowedRanges: ranges, clock });
  const store = SqliteStore.open(':memory:');
  const logger = silentLogger();
  const metrics = createMetrics();
  const issuance = new IssuanceService({ store, signer: new LeafSigner(material, { clock }), allowedRanges: material.allowedRanges, clock, logger, metrics });
  const http01 = await startHttp01Responder();
  const tlsAlpn = await startTlsAlpnResponder();
  const dialed: Array<{ ip: string; port: number }> = [];
  const settings = acmeSettings(buildAcmeConfig(), material.allowedRanges, {
    newAccountRate: undefined,
    newOrderRate: undefined,
    validationAttempts: 1,
    validationTimeoutMs: 3000,
    ...overrides,
  });
  const acme = createAcmeServer({
    settings,
    store: store.acme(),
    issuer: issuance,
    clock,
    logger,
    // The responders listen on 127.0.0.1 only; every loopback identifier is routed there.
    dial: (ip, standardPort) => {
      dialed.push({ ip, port: standardPort });
      return { host: '127.0.0.1', port: standardPort === 80 ? http01.port : tlsAlpn.port };
    },
  });
  await acme.start();
  const app = createHttpApp({ logger, metrics });
  app.use(acme.router.routes());
  const server: RunningServer = await listen(app.callback(), { host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${server.address.port}`;
  return {
    baseUrl,
    directoryUrl: `${baseUrl}/acme/directory`,
    rootPem: material.rootPem,
    store,
    issuance,
    metrics,
    acme,
    http01,
    tlsAlpn,
    dialed,
    close: async () => {
      acme.stop();
      await server.close(100);
      await http01.close();
      await tlsAlpn.close();
      store.close();
    },
  };
}
