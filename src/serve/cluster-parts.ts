import type { CaMaterial, Clock, Ipv4RangeSet } from '../ca/index.js';
import type { NonceService } from '../acme/nonces.js';
import type { Operator } from '../controller/operator.js';
import type { IssuanceService } from '../issuance/issuance-service.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import type { AcmeStore } from '../store/acme-store.js';
import type { CrlNumberSequence, IssuanceStore, RevocationLedger, RevocationList, StoreHealth } from '../store/interfaces.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';

export interface ControllerParts {
  readonly ca: CaMaterial;
  readonly issuance: IssuanceService;
  readonly newIssuance: (material: CaMaterial, ranges: Ipv4RangeSet) => IssuanceService;
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
