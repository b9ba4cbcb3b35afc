import type { ConfigMap, Lease } from '../kube/core-types.js';
import { EventRecorder } from '../kube/event-recorder.js';
import type { InformerStats } from '../kube/informer.js';
import { ResourceClient } from '../kube/resource-client.js';
import { CONFIG_MAPS, LEASES } from '../kube/resource-types.js';
import { ControllerSet } from './controller-set.js';
import { LeaderElector } from './runtime/leader-election.js';
import type { OperatorOptions } from './operator-options.js';
import type { ReconcileCounters } from './runtime/queue-runner.js';
import { publishTrustBundle } from './trust-bundle.js';

interface Term {
  readonly controllers: ControllerSet;
  /** Resolves when the caches have synced and the queues run (or the term ended first). */
  started: Promise<void>;
  resync?: NodeJS.Timeout;
}

/**
 * The controller: our CertificateRequests, IPIssuers, IPClusterIssuers and (optionally)
 * cert-manager CertificateRequests. With leader election only the Lease holder runs them, one
 * ControllerSet per leadership term; REST and ACME are served by every replica regardless.
 */
export class Operator {
  readonly counters: ReconcileCounters = { reconciles: 0, errors: 0, conflicts: 0 };
  private readonly events: EventRecorder;
  private readonly elector: LeaderElector | undefined;
  private term: Term | undefined;
  private transition: Promise<void> = Promise.resolve();

  constructor(private readonly options: OperatorOptions) {
    this.events = new EventRecorder({ api: options.api, component: 'smsgate-ca', instance: options.identity, clock: options.clock, log: options.logger });
    const election = options.leaderElection;
    this.elector = election
      ? new LeaderElector({
          leases: new ResourceClient<Lease>(options.api, LEASES),
          namespace: election.namespace,
          name: election.name,
          identity: options.identity,
          ...(election.timing ? { timing: election.timing } : {}),
          logger: options.logger,
          onStartedLeading: () => this.serially(async () => this.beginTerm()),
          onStoppedLeading: () => this.serially(() => this.endTerm()),
        })
      : undefined;
  }

  /** True while this replica reconciles (always, without leader election). */
  get isLeader(): boolean {
    return this.term !== undefined;
  }

  /** Starts campaigning (or reconciling); does not wait for the caches, see synced(). */
  async start(): Promise<void> {
    if (this.elector) this.elector.start();
    else await this.serially(async () => this.beginTerm());
  }

  async stop(): Promise<void> {
    if (this.elector) await this.elector.stop();
    await this.serially(() => this.endTerm());
    await this.events.flush();
  }

  /** Resolves once this replica reconciles with synced caches (waits for leadership first). */
  async synced(): Promise<void> {
    while (!this.term) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.term.started;
  }

  /** Enqueues every known object (what the periodic resync does). */
  resync(): void {
    this.term?.controllers.resync();
  }

  /** Resolves when no reconcile is queued or in flight (delayed requeues do not count). */
  async idle(): Promise<void> {
    await this.term?.controllers.idle();
  }

  informerStats(): Record<string, InformerStats> {
    return this.term?.controllers.stats() ?? {};
  }

  private serially(step: () => Promise<void>): Promise<void> {
    this.transition = this.transition.then(step, step);
    return this.transition;
  }

  private beginTerm(): void {
    if (this.term) return;
    const logger = this.options.logger.child({ component: 'controller' });
    const controllers = new ControllerSet(this.options, this.events, this.counters, logger);
    const term: Term = { controllers, started: Promise.resolve() };
    this.term = term;
    term.started = (async () => {
      await controllers.start();
      if (this.term !== term) return;
      term.resync = setInterval(() => controllers.resync(), this.options.resyncPeriodMs ?? 10 * 60_000);
      term.resync.unref();
      await this.publishTrust();
      logger.info({ certificateRequests: controllers.size, certManager: this.options.certManager }, 'controller started');
    })();
  }

  private async endTerm(): Promise<void> {
    const term = this.term;
    if (!term) return;
    this.term = undefined;
    clearInterval(term.resync);
    await term.controllers.stop();
    await term.started;
    this.options.logger.info('controller stopped');
  }

  private async publishTrust(): Promise<void> {
    const target = this.options.trustConfigMap;
    if (!target) return;
    const view = this.options.defaultCa.current();
    // Without the CA nothing is published: an earlier root there stays what clients trust.
    if (!view.material) return;
    try {
      const outcome = await publishTrustBundle(new ResourceClient<ConfigMap>(this.options.api, CONFIG_MAPS), target.namespace, target.name, view.material.rootPem);
      this.options.logger.info({ configMap: `${target.namespace}/${target.name}`, outcome }, 'published the root certificate');
    } catch (error) {
      this.options.logger.warn({ err: error, configMap: `${target.namespace}/${target.name}` }, 'could not publish the root certificate');
    }
  }
}
