import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const PREFIX = 'smsgate_ca_';

/** One certificate the controller manages, as the alerting series show it. */
export interface CertificateState {
  readonly namespace: string;
  readonly name: string;
  readonly issuerName: string;
  readonly issuerKind: string;
  readonly issuerGroup: string;
  /** The Ready condition's status; absent until first reconciled. */
  readonly ready: 'True' | 'False' | 'Unknown';
  readonly notAfter?: Date;
  readonly renewalTime?: Date;
}

/** How one reconcile ended: as controller-runtime labels it, plus conflicts (retried at once). */
export type ReconcileResult = 'success' | 'requeue' | 'error' | 'conflict';

/** What the controller reports; the operator fills the certificate source once its caches run. */
export interface ControllerMetrics {
  reconciled(controller: string, result: ReconcileResult, seconds: number): void;
  /** The certificates to export at each scrape (the leader's cache); none until set. */
  watchCertificates(source: () => readonly CertificateState[]): void;
}

const CERTIFICATE_LABELS = ['namespace', 'name', 'issuer_name', 'issuer_kind', 'issuer_group'] as const;
type CertificateLabel = (typeof CERTIFICATE_LABELS)[number];

function labelsOf(state: CertificateState): Record<CertificateLabel, string> {
  return { namespace: state.namespace, name: state.name, issuer_name: state.issuerName, issuer_kind: state.issuerKind, issuer_group: state.issuerGroup };
}

/**
 * The controller's series, named after cert-manager's (`certmanager_certificate_expiration_timestamp_seconds`,
 * `…_ready_status`, `…_renewal_timestamp_seconds`) and controller-runtime's (`…_reconcile_total`,
 * `…_reconcile_errors_total`, `…_reconcile_time_seconds`) with our prefix, so their alerts carry over.
 * Per-certificate series are computed at scrape time from the controller's cache: a deleted request
 * leaves no stale series.
 */
export function registerControllerMetrics(registry: Registry): ControllerMetrics {
  const registers = [registry];
  let source: () => readonly CertificateState[] = () => [];
  const perCertificate = (name: string, help: string, value: (state: CertificateState) => number | undefined): void => {
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      labelNames: CERTIFICATE_LABELS,
      registers,
      collect() {
        this.reset();
        for (const state of source()) {
          const at = value(state);
          if (at !== undefined) this.set(labelsOf(state), at);
        }
      },
    });
  };
  perCertificate('certificate_expiration_timestamp_seconds', 'The notAfter of each CertificateRequest’s certificate, in seconds since the epoch', (state) => seconds(state.notAfter));
  perCertificate('certificate_renewal_timestamp_seconds', 'When each CertificateRequest’s certificate will be renewed, in seconds since the epoch', (state) => seconds(state.renewalTime));
  new Gauge({
    name: `${PREFIX}certificate_ready_status`,
    help: 'The Ready condition of each CertificateRequest: 1 for the status it has, 0 for the others',
    labelNames: [...CERTIFICATE_LABELS, 'condition'],
    registers,
    collect() {
      this.reset();
      for (const state of source()) {
        for (const condition of ['True', 'False', 'Unknown'] as const) this.set({ ...labelsOf(state), condition }, state.ready === condition ? 1 : 0);
      }
    },
  });
  const total = new Counter({ name: `${PREFIX}controller_reconcile_total`, help: 'Reconciles by controller and result', labelNames: ['controller', 'result'], registers });
  const errors = new Counter({ name: `${PREFIX}controller_reconcile_errors_total`, help: 'Reconciles that failed and were retried with backoff, by controller', labelNames: ['controller'], registers });
  const duration = new Histogram({
    name: `${PREFIX}controller_reconcile_time_seconds`,
    help: 'Time per reconcile, by controller',
    labelNames: ['controller'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  return {
    reconciled(controller, result, elapsed) {
      total.inc({ controller, result });
      if (result === 'error') errors.inc({ controller });
      duration.observe({ controller }, elapsed);
    },
    watchCertificates(next) {
      source = next;
    },
  };
}

function seconds(at: Date | undefined): number | undefined {
  return at === undefined ? undefined : Math.floor(at.getTime() / 1000);
}
