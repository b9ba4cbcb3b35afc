import type { KeyObject } from 'node:crypto';
import { intermediatesOf, type Clock } from '../ca/index.js';
import type { LoadedCa } from '../keystore/ca-directory.js';
import type { Logger } from '../telemetry/logger.js';
import type { CaMetrics } from '../telemetry/metrics.js';
import type { LiveCa } from './live-ca.js';

/** Where the operator's CA is kept, as the upkeep reads and rolls it over. */
export interface CaKeystore {
  /** For messages: the directory or the Secret. */
  readonly where: string;
  /** The CA as stored now; undefined when it is not there. */
  load(): Promise<LoadedCa | undefined>;
  /** Makes the successor of the intermediate `expectedActive` with `rootKey`; false when another process did first. */
  rotate(rootKey: KeyObject, expectedActive: string): Promise<boolean>;
}

export interface CaUpkeepOptions {
  readonly keystore: CaKeystore;
  readonly live: LiveCa;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: CaMetrics;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Keeps the live CA current: every interval it reads the keystore again (a rollover made by
 * `smsgate-ca ca rotate` or another replica, a restored CA Secret), makes the next intermediate
 * when one is due and the root key is at hand, and says where the CA stands: the metric always,
 * a warning at start and then daily while something needs doing.
 */
export class CaUpkeep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastWarning: { readonly at: number; readonly about: string } | undefined;
  private reportedVanished = false;

  constructor(private readonly options: CaUpkeepOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * One round that starts after this call (also run at start); never throws: a failure is logged
   * and the next round tries again. A round already under way may have read the keystore too early,
   * so it is waited for first.
   */
  async check(): Promise<void> {
    await this.running;
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    try {
      await this.reload();
      await this.rotateIfDue();
    } catch (error) {
      this.options.logger.error({ err: error, ca: this.options.keystore.where }, 'checking the CA failed; will try again');
    }
    this.report();
  }

  private async reload(): Promise<void> {
    const { keystore, live, logger } = this.options;
    const stored = await keystore.load();
    if (!stored) {
      if (live.loaded && !this.reportedVanished) logger.error({ ca: keystore.where }, 'the CA is gone from where it was loaded; still signing with the copy in memory until restart: restore it (a backup), or the next start refuses');
      this.reportedVanished = live.loaded !== undefined;
      return;
    }
    this.reportedVanished = false;
    const before = live.loaded;
    if (before && sameCa(before, stored)) return;
    live.replace(stored);
    const { material } = stored;
    if (!before) logger.info({ ca: keystore.where, intermediate: material.keyIdentifier }, 'the CA is here: signing again');
    else logger.info({ ca: keystore.where, intermediate: material.keyIdentifier, notAfter: material.notAfter, former: stored.hierarchy.former.map((former) => former.keyIdentifier) }, 'loaded the CA again: a new signing intermediate');
  }

  private async rotateIfDue(): Promise<void> {
    const { keystore, live, logger } = this.options;
    const loaded = live.loaded;
    if (!loaded?.rootKey || !live.outlook()?.rolloverDue) return;
    const from = loaded.material.keyIdentifier;
    const rotated = await keystore.rotate(loaded.rootKey, from);
    const stored = await keystore.load();
    if (!stored) return;
    live.replace(stored);
    const to = stored.material;
    logger.info({ ca: keystore.where, from, to: to.keyIdentifier, notAfter: to.notAfter, by: rotated ? 'this process' : 'another process' }, 'rolled the signing intermediate over');
  }

  private report(): void {
    const { live, logger, metrics, clock, keystore } = this.options;
    setNotAfter(metrics, live.material);
    const outlook = live.outlook();
    const needsWork = !outlook || outlook.state !== 'ok' || (outlook.rolloverDue && !live.loaded?.rootKey);
    if (!needsWork || !this.warningDue(outlook ? `${outlook.state}:${outlook.rolloverDue}` : 'missing', clock.now().getTime())) return;
    if (!outlook) logger.error({ ca: keystore.where }, `no signing CA: ${live.missingReason ?? 'unknown'}`);
    else logger.warn({ ca: keystore.where, state: outlook.state, notAfter: outlook.notAfter, fullLeavesUntil: outlook.fullLeavesUntil, rolloverAt: outlook.rolloverAt }, outlook.message);
  }

  /** At the first sign of trouble, when it changes, and then once a day. */
  private warningDue(about: string, now: number): boolean {
    if (this.lastWarning?.about === about && now - this.lastWarning.at < DAY_MS) return false;
    this.lastWarning = { at: now, about };
    return true;
  }
}

function setNotAfter(metrics: CaMetrics | undefined, material: { readonly notAfter: Date } | undefined): void {
  if (material) metrics?.signingCaNotAfter.set(Math.floor(material.notAfter.getTime() / 1000));
  else metrics?.signingCaNotAfter.reset();
}

/** Same root, same active intermediate and the same former ones. */
function sameCa(a: LoadedCa, b: LoadedCa): boolean {
  const ids = (loaded: LoadedCa): string => intermediatesOf(loaded.hierarchy).map((material) => material.keyIdentifier).join(',');
  return a.rootCertificatePem === b.rootCertificatePem && ids(a) === ids(b) && Boolean(a.rootKey) === Boolean(b.rootKey);
}
