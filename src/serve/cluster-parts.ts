import type { ControllerMetrics } from '../telemetry/controller-metrics.js';
import type { IssuerFactory, OperatorCa } from '../controller/issuers/signing-ca.js';
import type { Clock } from '../ca/index.js';
import type { NonceService } from '../acme/nonces.js';
import type { Operator } from '../controller/operator.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import type { AcmeStore } from '../store/acme-store.js';
import type { CrlNumberSequence, IssuanceStore, RevocationLedger, RevocationList, StoreHealth } from '../store/interfaces.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { CaKeystore } from './ca-upkeep.js';

export interface ControllerParts {
  /** The operator's own CA as it stands (it rolls over, and may be missing). */
  readonly ca: OperatorCa;
  readonly issuance: IssuanceService;
  /** Issuers with a CA of their own, or narrower ranges of the operator's (material undefined). */
  readonly issuerFactory: IssuerFactory;
  /** Where the controller reports reconciles and its certificates (the /metrics registry). */
  readonly metrics: ControllerMetrics;
}

export type Ledger = IssuanceStore & RevocationLedger & RevocationList & StoreHealth;

/** Where the ACME door keeps its state, and whether other replicas share it. */
export interface AcmeState {
  readonly store: AcmeStore;
  /** Shared: nonces every replica accepts once (otherwise this process's own). */
  readonly nonces?: NonceService;
  readonly shared: boolean;
}

/**
 * The operator's CA as `serve` opened it: where it is kept, and the CA itself, unless it was
 * refused (`missing` says why: an earlier CA existed and no --ca-bootstrap was given).
 */
export interface OpenedCa {
  readonly keystore: CaKeystore;
  readonly loaded: LoadedCa | undefined;
  readonly missing?: string;
}

/** What an open CA needs from the rest of serve. */
export interface OpenCaParts {
  /** Certificates in the data directory's ledger. */
  readonly ledgerCertificates: () => Promise<number>;
}

/**
 * The parts of a `serve` that differ between standalone and cluster mode, as the topology chose
 * them; standalone, each is the data directory's or the SQLite file's.
 */
export interface ServeCluster {
  readonly operator: Operator | undefined;
  /** The CA from its Secret, or `fromDataDir()`. */
  openCa(fromDataDir: () => Promise<OpenedCa>, parts: OpenCaParts): Promise<OpenedCa>;
  /** The store REST requests and the ledger use. */
  ledger(store: SqliteStore): Ledger;
  crlNumbers(store: SqliteStore): CrlNumberSequence;
  /** The ACME door's state (call after ledger()). */
  acmeState(store: SqliteStore, parts: { readonly clock: Clock; readonly nonceRejectPercent: number }): Promise<AcmeState>;
  /** Whether this replica does the housekeeping: the elected leader (always, without election). */
  leads(): boolean;
  /** Deletes ledger records past their retention (--record-retention); how many went. */
  collectRecords(now: Date): Promise<number>;
  startController(parts: ControllerParts): Promise<void>;
  stopController(): Promise<void>;
  close(): void;
}
