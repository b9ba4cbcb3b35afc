import { isServed } from '../../kube/api-discovery.js';
import { abortableSleep } from '../../kube/abortable-sleep.js';
import type { KubeApi } from '../../kube/kube-api.js';
import { CERT_MANAGER_CERTIFICATE_REQUESTS } from '../../custom-resources/resource-types.js';
import { backoffDelay } from '../../shared/backoff.js';
import type { Logger } from '../../telemetry/logger.js';

export const DEFAULT_CERT_MANAGER_RECHECK_MS = 60_000;

type Presence = 'served' | 'absent' | 'unknown';

export interface CertManagerPresenceOptions {
  readonly api: KubeApi;
  /** How often discovery is asked again while the CRD is missing. */
  readonly recheckMs: number;
  readonly logger: Logger;
}

/**
 * Waits for cert-manager's CertificateRequest CRD instead of failing a list/watch on it forever:
 * asks discovery once at start and then every `recheckMs` until it is served, and calls `onServed`
 * once. It logs one info line when the CRD is missing and one when it appears; checks that fail
 * (API server unreachable, 5xx) are retried with backoff and logged at debug only.
 */
export class CertManagerPresence {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private reportedAbsent = false;

  constructor(private readonly options: CertManagerPresenceOptions) {}

  /** Resolves after the first check: when served, once `onServed` has resolved; else polling goes on. */
  async start(onServed: () => Promise<void>): Promise<void> {
    const first = await this.check();
    if (first === 'served') {
      this.options.logger.info('cert-manager is installed: reconciling its CertificateRequests');
      await onServed();
      return;
    }
    this.loop = this.poll(first === 'unknown' ? 1 : 0, onServed);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async poll(initialFailures: number, onServed: () => Promise<void>): Promise<void> {
    const { signal } = this.abort;
    let failures = initialFailures;
    while (!signal.aborted) {
      const delay = failures > 0 ? backoffDelay(failures, { initialMs: Math.min(1_000, this.options.recheckMs), maxMs: this.options.recheckMs }) : this.options.recheckMs;
      await abortableSleep(delay, signal);
      if (signal.aborted) return;
      const state = await this.check();
      if (state === 'served') {
        this.options.logger.info('cert-manager CertificateRequest CRD appeared: reconciling its CertificateRequests');
        await onServed();
        return;
      }
      failures = state === 'unknown' ? failures + 1 : 0;
    }
  }

  private async check(): Promise<Presence> {
    try {
      if (await isServed(this.options.api, CERT_MANAGER_CERTIFICATE_REQUESTS)) return 'served';
      this.reportAbsent();
      return 'absent';
    } catch (error) {
      this.options.logger.debug({ err: error }, 'could not ask discovery whether cert-manager is installed; retrying');
      return 'unknown';
    }
  }

  private reportAbsent(): void {
    if (this.reportedAbsent) return;
    this.reportedAbsent = true;
    const recheckSeconds = Math.round(this.options.recheckMs / 1000);
    this.options.logger.info({ recheckSeconds }, `cert-manager's CertificateRequest CRD is not installed; its requests are reconciled once it appears (checked every ${recheckSeconds} s)`);
  }
}
