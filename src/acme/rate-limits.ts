import type { AcmeRateLimitName } from '../store/acme-store.js';
import type { AcmeDependencies } from './acme-context.js';
import { AcmeProblem } from './problems.js';

const WHAT: Readonly<Record<AcmeRateLimitName, string>> = { 'new-account': 'new accounts from this address', 'new-order': 'new orders for this account' };

/**
 * Charges one new account (per client address) or new order (per account) to its limit, a token
 * bucket kept in the store so the limit holds across restarts and replicas; over the limit it is
 * `rateLimited` with Retry-After (RFC 8555 §6.6).
 */
export async function chargeRateLimit(deps: AcmeDependencies, name: AcmeRateLimitName, key: string): Promise<void> {
  const setting = name === 'new-account' ? deps.settings.newAccountRate : deps.settings.newOrderRate;
  if (!setting) return;
  const decision = await deps.store.chargeRateLimit(name, key, setting, deps.clock.now());
  if (decision.allowed) return;
  throw new AcmeProblem('rateLimited', `too many ${WHAT[name]}; retry in ${decision.retryAfterSeconds}s`, {
    headers: { 'Retry-After': String(decision.retryAfterSeconds) },
  });
}
