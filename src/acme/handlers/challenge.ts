import type { AcmeChallengeRecord } from '../../store/acme-store.js';
import type { AcmeDependencies, AcmeHandler } from '../acme-context.js';
import { AcmeProblem, notFound } from '../problems.js';
import { challengeJson } from '../resources.js';
import { authorizationStatus, challengeMayStart } from '../state.js';
import { keyAuthorization } from '../validation/key-authorization.js';
import { accountOf, requireOwner } from './post-as-get.js';

/**
 * RFC 8555 §7.5.1: a POST with a JSON object tells the server the challenge is ready; it moves to
 * processing and is validated in the background. POST-as-GET (empty payload) only reads it.
 */
export const postChallenge: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  const account = accountOf(request);
  const { challenge, authorization } = await ownedChallenge(deps, exchange.params['id'] ?? '', account.id);
  let current = challenge;
  if (request.payload !== undefined && challengeMayStart(authorizationStatus(authorization, deps.clock.now()), challenge.status)) {
    if (!deps.validations.hasRoom()) {
      throw new AcmeProblem('rateLimited', 'the validation queue is full; retry shortly', { headers: { 'Retry-After': '5' } });
    }
    if (await deps.store.startChallenge(challenge.id, deps.clock.now())) {
      const validation = { type: challenge.type, ip: authorization.ip, token: challenge.token, keyAuthorization: keyAuthorization(challenge.token, account.thumbprint) };
      const settled = deps.validations.enqueue({ challengeId: challenge.id, request: validation });
      current = (settled && (await settledWithin(deps, challenge.id, settled))) ?? { ...challenge, status: 'processing' };
    }
  }
  return {
    status: 200,
    body: challengeJson(current, exchange.links),
    links: [{ url: exchange.links.authorization(authorization.id), rel: 'up' }],
  };
};

/**
 * Most validations on a LAN finish in milliseconds: waiting a little for the outcome lets the
 * response carry the final status, sparing clients a poll (certbot and python-acme sleep 1 s per
 * poll). Past `responseWaitMs` the client gets `processing` and polls as usual.
 */
async function settledWithin(deps: AcmeDependencies, challengeId: string, settled: Promise<unknown>): Promise<AcmeChallengeRecord | undefined> {
  const waitMs = deps.settings.validationResponseWaitMs;
  if (waitMs <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([settled.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)))]);
  clearTimeout(timer);
  if (!finished) return undefined;
  const authorization = await deps.store.findAuthorizationOfChallenge(challengeId);
  return authorization?.challenges.find((candidate) => candidate.id === challengeId);
}

async function ownedChallenge(deps: AcmeDependencies, id: string, accountId: string) {
  const authorization = await deps.store.findAuthorizationOfChallenge(id);
  const challenge: AcmeChallengeRecord | undefined = authorization?.challenges.find((candidate) => candidate.id === id);
  if (!authorization || !challenge) throw notFound('this challenge');
  requireOwner(authorization.accountId, accountId, 'challenge');
  return { challenge, authorization };
}
