import { jittered } from '../../shared/backoff.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { Lease } from '../../kube/core-types.js';
import { isAlreadyExists, isConflict } from '../../kube/kube-errors.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import type { Logger } from '../../telemetry/logger.js';

export interface LeaderElectionTiming {
  /** How long a lease holds without renewal before others may take it. Default 15 s. */
  readonly leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it gives up leading. Default 10 s. */
  readonly renewDeadlineMs: number;
  /** Pause between attempts. Default 2 s. */
  readonly retryPeriodMs: number;
}

export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaderElectionOptions {
  readonly leases: ResourceClient<Lease>;
  readonly namespace: string;
  readonly name: string;
  /** Unique per replica: the pod name plus a random suffix. */
  readonly identity: string;
  readonly timing?: LeaderElectionTiming;
  readonly logger: Logger;
  /** Local monotonic-ish time in ms; the record's own timestamps are not trusted (clock skew). */
  readonly clock?: Clock;
  readonly onStartedLeading: () => Promise<void> | void;
  readonly onStoppedLeading: () => Promise<void> | void;
}

/** MicroTime, as coordination/v1 Lease stores it. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Leader election through a coordination.k8s.io Lease, as client-go's leaderelection does: a
 * candidate takes the lease when it is free or its holder has not renewed it for leaseDuration
 * (timed by the local clock from when the record last changed), the leader renews every retry
 * period and steps down when it could not renew within renewDeadline. Writes are conditional on
 * the resourceVersion, so two candidates never both win. stop() releases the lease for a fast
 * failover.
 */
export class LeaderElector {
  private leading = false;
  private stopped = true;
  private lastRenew = 0;
  private observed: { record: string; at: number } | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly timing: LeaderElectionTiming;
  private readonly now: () => number;

  constructor(private readonly options: LeaderElectionOptions) {
    this.timing = options.timing ?? DEFAULT_LEADER_ELECTION_TIMING;
    const clock = options.clock ?? systemClock;
    this.now = () => clock.now().getTime();
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Stops campaigning; a leader releases the lease and stops leading first. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.leading) {
      await this.release().catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not release the leader lease'));
      await this.stepDown();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const acquired = await this.tryAcquireOrRenew().catch((error: unknown) => {
        this.options.logger.warn({ err: error, lease: this.options.name }, 'leader election attempt failed');
        return false;
      });
      if (this.stopped) break;
      if (acquired) {
        this.lastRenew = this.now();
        if (!this.leading) {
          this.leading = true;
          this.options.logger.info({ identity: this.options.identity, lease: `${this.options.namespace}/${this.options.name}` }, 'became leader');
          await this.options.onStartedLeading();
        }
      } else if (this.leading && this.now() - this.lastRenew > this.timing.renewDeadlineMs) {
        this.options.logger.warn({ identity: this.options.identity }, 'could not renew the leader lease in time; stepping down');
        await this.stepDown();
      }
      await this.pause(this.leading ? this.timing.retryPeriodMs : jittered(this.timing.retryPeriodMs, 0.2));
    }
  }

  private async stepDown(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    await this.options.onStoppedLeading();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { leases, namespace, name } = this.options;
    const now = this.now();
    const existing = await leases.get(namespace, name);
    if (!existing) return this.create(now);
    const record = existing.spec ?? {};
    this.observe(record, now);
    if (!this.mayTake(record, now)) return false;
    try {
      const written = await leases.replace({ ...existing, spec: this.nextRecord(record, now) });
      this.observed = { record: JSON.stringify(written.spec ?? {}), at: now };
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  private async create(now: number): Promise<boolean> {
    const { leases, namespace, name } = this.options;
    try {
      await leases.create({ metadata: { name, namespace }, spec: this.nextRecord({}, now) });
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }

  /** Remembers when the record last changed, by our clock. */
  private observe(record: NonNullable<Lease['spec']>, now: number): void {
    const serialised = JSON.stringify(record);
    if (this.observed?.record !== serialised) this.observed = { record: serialised, at: now };
  }

  /** Free, ours, or not renewed for its lease duration since we last saw it change. */
  private mayTake(record: NonNullable<Lease['spec']>, now: number): boolean {
    const holder = record.holderIdentity ?? '';
    if (holder === '' || holder === this.options.identity) return true;
    return (this.observed?.at ?? now) + (record.leaseDurationSeconds ?? 0) * 1000 <= now;
  }

  private nextRecord(record: NonNullable<Lease['spec']>, now: number): NonNullable<Lease['spec']> {
    const ours = record.holderIdentity === this.options.identity;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
      acquireTime: ours && record.acquireTime ? record.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (record.leaseTransitions ?? 0) + (ours || record.holderIdentity === undefined ? 0 : 1),
    };
  }

  private async release(): Promise<void> {
    const { leases, namespace, name, identity } = this.options;
    const existing = await leases.get(namespace, name);
    if (!existing || existing.spec?.holderIdentity !== identity) return;
    await leases.replace({ ...existing, spec: { ...existing.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.now()) } });
  }
}
