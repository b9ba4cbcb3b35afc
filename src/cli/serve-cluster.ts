import type { CaMaterial, Clock, Ipv4RangeSet } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';
import type { Operator } from '../controller/operator.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { IssuanceWorker } from '../issuance/issuance-worker.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import type { CrlNumberSequence, IssuanceStore, RevocationLedger, RevocationList, StoreHealth } from '../store/interfaces.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Logger } from '../telemetry/logger.js';

export interface ControllerParts {
  readonly ca: CaMaterial;
  readonly issuance: IssuanceService;
  readonly newIssuance: (material: CaMaterial, ranges: Ipv4RangeSet) => IssuanceService;
  readonly restRecords: boolean;
}

/** What cluster mode adds to `serve` (main.ts composes it); outside a cluster every step is the standalone one. */
export interface ServeCluster {
  readonly operator: Operator | undefined;
  /** The CA from its Secret with --ca-secret, else `fromDataDir()`. */
  openCa(fromDataDir: () => Promise<LoadedCa>): Promise<LoadedCa>;
  /** The store REST requests and the ledger use. */
  ledger(store: SqliteStore): IssuanceStore & RevocationLedger & RevocationList & StoreHealth;
  crlNumbers(store: SqliteStore): CrlNumberSequence;
  /** With REST requests recorded in the cluster, the elected controller decides them. */
  decidesRestRequests(ledger: IssuanceStore, store: SqliteStore): boolean;
  /** The REST worker, unless the controller decides REST requests. */
  startSigningWorker(worker: IssuanceWorker, issuance: IssuanceService, workerSigns: boolean): Promise<void>;
  startController(parts: ControllerParts): Promise<void>;
  stopController(): Promise<void>;
  close(): void;
}

/**
 * Standalone, or cluster mode loaded on demand: the Kubernetes client and the controller cost
 * tens of MiB and most of a second to load, so a server that uses no cluster never imports them.
 */
export async function openServeCluster(config: ServeConfig, clock: Clock, logger: Logger): Promise<ServeCluster> {
  if (!config.kubernetes.enabled) return standalone();
  const { ClusterMode } = await import('./cluster-mode.js');
  return ClusterMode.open(config, clock, logger);
}

function standalone(): ServeCluster {
  return {
    operator: undefined,
    openCa: (fromDataDir) => fromDataDir(),
    ledger: (store) => store,
    crlNumbers: (store) => store,
    decidesRestRequests: () => false,
    startSigningWorker: async (worker, issuance, workerSigns) => {
      if (!workerSigns) return;
      issuance.onPending((request) => worker.enqueue(request));
      await worker.start();
    },
    startController: async () => undefined,
    stopController: async () => undefined,
    close: () => undefined,
  };
}
