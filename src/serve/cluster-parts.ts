import type { ControllerMetrics } from '../telemetry/controller-metrics.js';
import type { CaMaterial, Ipv4RangeSet } from '../ca/index.js';
import type { Operator } from '../controller/operator.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import type { CrlNumberSequence, IssuanceStore, RevocationLedger, RevocationList, StoreHealth } from '../store/interfaces.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';

export interface ControllerParts {
  readonly ca: CaMaterial;
  readonly issuance: IssuanceService;
  readonly newIssuance: (material: CaMaterial, ranges: Ipv4RangeSet) => IssuanceService;
  /** Where the controller reports reconciles and its certificates (the /metrics registry). */
  readonly metrics: ControllerMetrics;
}

export type Ledger = IssuanceStore & RevocationLedger & RevocationList & StoreHealth;

/**
 * The parts of a `serve` that differ between standalone and cluster mode, as the topology chose
 * them; standalone, each is the data directory's or the SQLite file's.
 */
export interface ServeCluster {
  readonly operator: Operator | undefined;
  /** The CA from its Secret, or `fromDataDir()`. */
  openCa(fromDataDir: () => Promise<LoadedCa>): Promise<LoadedCa>;
  /** The store REST requests and the ledger use. */
  ledger(store: SqliteStore): Ledger;
  crlNumbers(store: SqliteStore): CrlNumberSequence;
  startController(parts: ControllerParts): Promise<void>;
  stopController(): Promise<void>;
  close(): void;
}
