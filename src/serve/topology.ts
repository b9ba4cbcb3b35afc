import { Ipv4RangeSet } from '../ca/index.js';
import type { ServeConfig } from '../config/serve-config.js';

/** Where the operator's own CA lives, and with which ranges it is created and loaded. */
export interface CaPlan {
  /** `data-dir`: DIR/ca/ (created on first start); `secret`: a Secret of the operator's namespace. */
  readonly source: { readonly kind: 'data-dir'; readonly dir: string } | { readonly kind: 'secret'; readonly name: string };
  /** The name constraints of a CA created on first start. */
  readonly newCaRanges: Ipv4RangeSet;
  /** What the loaded CA is narrowed to; undefined: what the CA was created for (its name constraints). */
  readonly allowedRanges: Ipv4RangeSet | undefined;
}

/** The shape of one `serve`: decided from the configuration alone, before anything is opened. */
export interface Topology {
  /** Connect to the Kubernetes API (and load the cluster-mode code). */
  readonly cluster: boolean;
  readonly ca: CaPlan;
  /** REST requests, the certificate ledger and the audit log: the SQLite file, or objects in the cluster. */
  readonly ledger: 'sqlite' | 'kubernetes';
  /**
   * The ACME door's accounts, orders, nonces and rate-limit windows: the SQLite file, or objects in
   * the cluster that every replica shares (wherever the ledger is: ACME records point into it).
   */
  readonly acmeState: 'sqlite' | 'kubernetes';
  /** CRL numbers: the SQLite sequence, or an annotation on the CA Secret shared by the replicas. */
  readonly crlNumbers: 'sqlite' | 'ca-secret';
  /**
   * Who signs REST requests: this process's worker, or the elected controller (with the ledger in
   * the cluster every replica records requests there, and one signer decides them all).
   */
  readonly restSigner: 'worker' | 'controller';
  /** Run the controller (our resources, cert-manager's with --cert-manager). */
  readonly controller: boolean;
}

/** A pure function of the configuration: every decision about which parts make up this server. */
export function planTopology(config: ServeConfig): Topology {
  const { kubernetes } = config;
  const cluster = kubernetes.enabled;
  const secretName = cluster ? kubernetes.caSecret : undefined;
  const ledger = cluster && kubernetes.store === 'kubernetes' ? 'kubernetes' : 'sqlite';
  const controller = cluster && kubernetes.controller;
  return {
    cluster,
    ca: {
      source: secretName !== undefined ? { kind: 'secret', name: secretName } : { kind: 'data-dir', dir: config.dataDir },
      newCaRanges: config.allowedRanges ?? Ipv4RangeSet.defaults,
      allowedRanges: config.allowedRanges,
    },
    ledger,
    acmeState: ledger,
    crlNumbers: ledger === 'kubernetes' && secretName !== undefined ? 'ca-secret' : 'sqlite',
    restSigner: ledger === 'kubernetes' && controller ? 'controller' : 'worker',
    controller,
  };
}
