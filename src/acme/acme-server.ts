import type { Context } from 'koa';
import type { Router } from '@koa/router';
import type { Clock } from '../shared/clock.js';
import type { RequestState } from '../http/request-context.js';
import type { AcmeCollected, AcmeStore } from '../store/acme-store.js';
import type { Logger } from '../telemetry/logger.js';
import type { AcmeDependencies } from './acme-context.js';
import { newAcmeId } from './acme-ids.js';
import type { AcmeSettings } from './acme-settings.js';
import { VerificationKeyCache } from './jws/account-key.js';
import { RequestVerifier } from './jws/request-verifier.js';
import { CounterNonceService, type NonceService } from './nonces.js';
import { acmeRouter } from './router.js';
import { keyAuthorization } from './validation/key-authorization.js';
import { ValidationQueue, type ValidationJob } from './validation/validation-queue.js';
import { portMapDialer, type Dialer, type ValidationOutcome } from './validation/validation-types.js';
import { ChallengeValidator } from './validation/validator.js';

export interface AcmeServerOptions extends Pick<AcmeDependencies, 'issuer' | 'clock' | 'logger'> {
  readonly settings: AcmeSettings;
  readonly store: AcmeStore;
  readonly requesterOf?: (ctx: Context) => string;
  /** Tests map identifier IPs elsewhere; production dials the IP on the configured ports. */
  readonly dial?: Dialer;
  /** Default: this process's own (CounterNonceService); several replicas share a SharedNonceService. */
  readonly nonces?: NonceService;
  /**
   * The store is shared with other replicas: work found in `processing` may be under way elsewhere,
   * so it is taken over only once it is older than STALE_WORK_MS. Default false (all of it is this
   * process's own, left by a previous run).
   */
  readonly sharedState?: boolean;
}

/** In a shared store, a finalization or validation still `processing` after this long has lost its replica. */
export const STALE_WORK_MS = 2 * 60_000;

/** What one round of housekeeping did. */
export interface AcmeMaintenance extends AcmeCollected {
  readonly finalizationsRepaired: number;
  readonly validationsResumed: number;
}

export interface AcmeServer {
  readonly router: Router<RequestState>;
  readonly validations: ValidationQueue;
  /** Repairs finalizations and re-queues validations a previous process left in `processing`. */
  start(): Promise<void>;
  /**
   * Housekeeping for one replica at a time (the leader): deletes expired orders, authorizations and
   * bookkeeping, and takes over work other replicas left in `processing`.
   */
  maintain(): Promise<AcmeMaintenance>;
  stop(): void;
}

/** Builds the ACME door: nonces, JWS verification, validation queue, rate limits, router. */
export function createAcmeServer(options: AcmeServerOptions): AcmeServer {
  const { settings, store, clock, logger } = options;
  const nonces = options.nonces ?? new CounterNonceService({ rejectPercent: settings.chaosNonceRejectPercent });
  const validator = new ChallengeValidator({
    allowedRanges: settings.allowedRanges,
    dial: options.dial ?? portMapDialer({ http01: settings.http01Port, tlsAlpn01: settings.tlsAlpn01Port }),
    limits: { timeoutMs: settings.validationTimeoutMs },
  });
  const validations = new ValidationQueue({
    validate: (request) => validator.validate(request),
    settle: (job, outcome) => settleValidation({ store, clock, settings, logger }, job, outcome),
    concurrency: settings.validationConcurrency,
    maxQueued: settings.validationMaxQueued,
    attempts: settings.validationAttempts,
    retryDelayMs: settings.validationRetryDelayMs,
    startDelayMs: settings.validationDelayMs,
    onError: (error, job) => logger.error({ err: error, challenge: job.challengeId }, 'ACME validation failed unexpectedly'),
  });
  const deps: AcmeDependencies = {
    settings,
    store,
    issuer: options.issuer,
    nonces,
    verifier: new RequestVerifier({ nonces, accounts: store, keys: new VerificationKeyCache() }),
    validations,
    clock,
    logger,
    requesterOf: options.requesterOf ?? ((ctx) => ctx.socket.remoteAddress ?? 'unknown'),
  };
  return {
    router: acmeRouter(deps),
    validations,
    start: async () => {
      await takeOverWork({ store, validations, logger }, new Date(clock.now().getTime() - (options.sharedState ? STALE_WORK_MS : 0)));
    },
    maintain: async () => {
      const collected = await store.collectExpired(clock.now());
      const work = options.sharedState ? await takeOverWork({ store, validations, logger }, new Date(clock.now().getTime() - STALE_WORK_MS)) : { finalizationsRepaired: 0, validationsResumed: 0 };
      if (collected.orders + collected.authorizations + collected.bookkeeping > 0) logger.info(collected, 'collected expired ACME state');
      return { ...collected, ...work };
    },
    stop: () => validations.stop(),
  };
}

interface WorkContext {
  readonly store: AcmeStore;
  readonly validations: ValidationQueue;
  readonly logger: Logger;
}

/** Finalizations and validations left in `processing` since before `before`: repaired, or validated again. */
async function takeOverWork({ store, validations, logger }: WorkContext, before: Date): Promise<{ finalizationsRepaired: number; validationsResumed: number }> {
  const recovered = await store.recoverFinalizations(newAcmeId, before);
  const finalizationsRepaired = recovered.completed + recovered.reverted;
  if (finalizationsRepaired > 0) logger.warn(recovered, 'ACME finalizations left unfinished were repaired');
  const validationsResumed = await resumeValidations(store, validations, logger, before);
  return { finalizationsRepaired, validationsResumed };
}

interface SettleContext {
  readonly store: AcmeStore;
  readonly clock: Clock;
  readonly settings: AcmeSettings;
  readonly logger: Logger;
}

async function settleValidation({ store, clock, settings, logger }: SettleContext, job: ValidationJob, outcome: ValidationOutcome): Promise<void> {
  const at = clock.now();
  if (outcome.valid) {
    await store.completeChallenge(job.challengeId, { status: 'valid', at, authorizationExpires: new Date(at.getTime() + settings.validAuthorizationLifetimeMs) });
  } else {
    await store.completeChallenge(job.challengeId, { status: 'invalid', at, error: outcome.problem.toJSON() });
  }
  logger.info({ challenge: job.challengeId, type: job.request.type, ip: job.request.ip, valid: outcome.valid, ...(outcome.valid ? {} : { problem: outcome.problem.detail }) }, 'ACME validation done');
}

async function resumeValidations(store: AcmeStore, validations: ValidationQueue, logger: Logger, startedBefore: Date): Promise<number> {
  const pending = await store.listProcessingChallenges(startedBefore);
  for (const { challengeId, authorizationId } of pending) {
    const authorization = await store.findAuthorization(authorizationId);
    const challenge = authorization?.challenges.find((candidate) => candidate.id === challengeId);
    const account = authorization ? await store.findAccount(authorization.accountId) : undefined;
    if (!authorization || !challenge || !account) continue;
    const request = { type: challenge.type, ip: authorization.ip, token: challenge.token, keyAuthorization: keyAuthorization(challenge.token, account.thumbprint) };
    // The queue settles the challenge itself; a full queue leaves it pending for the client to retry.
    void validations.enqueue({ challengeId, request });
  }
  if (pending.length > 0) logger.info({ count: pending.length }, 'ACME validations left unfinished were resumed');
  return pending.length;
}
