import type { Logger } from '../telemetry/logger.js';

/** One periodic clean-up: its name (for the log) and the work, resolving to what it did. */
export interface HousekeepingTask {
  readonly name: string;
  run(): Promise<unknown>;
}

export interface HousekeepingOptions {
  readonly tasks: readonly HousekeepingTask[];
  /** Only the replica this answers true for does the work (the elected leader). */
  readonly leads: () => boolean;
  readonly logger: Logger;
  /** Between rounds. Default 10 minutes. */
  readonly intervalMs?: number;
  /** Before the first round, so a starting replica settles first. Default 30 s. */
  readonly firstDelayMs?: number;
}

export interface Housekeeping {
  /** One round now (skipped unless this replica leads); a task's failure is logged, the others still run. */
  round(): Promise<void>;
  stop(): void;
}

/**
 * Garbage collection and retention, done by one replica at a time: every replica schedules the
 * rounds, and each round does nothing unless this replica leads at that moment, so the work moves
 * with the Lease. Rounds never overlap.
 */
export function startHousekeeping(options: HousekeepingOptions): Housekeeping {
  const { tasks, leads, logger } = options;
  let running: Promise<void> | undefined;
  const round = async (): Promise<void> => {
    if (running || tasks.length === 0 || !leads()) return running;
    running = (async () => {
      for (const task of tasks) {
        try {
          logger.debug({ task: task.name, outcome: await task.run() }, 'housekeeping done');
        } catch (error) {
          logger.warn({ err: error, task: task.name }, 'housekeeping failed; trying again next round');
        }
      }
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };
  let timer = setTimeout(function next() {
    void round().finally(() => {
      timer = setTimeout(next, options.intervalMs ?? 10 * 60_000);
      timer.unref();
    });
  }, options.firstDelayMs ?? 30_000);
  timer.unref();
  return {
    round,
    stop: () => clearTimeout(timer),
  };
}
