import type { AcmeAuthorizationRecord } from '../../store/acme-store.js';
import type { AcmeDependencies, AcmeHandler } from '../acme-context.js';
import { malformed, notFound } from '../problems.js';
import { authorizationJson } from '../resources.js';
import { authorizationMayBeDeactivated, authorizationStatus } from '../state.js';
import { accountOf, requireOwner } from './post-as-get.js';

/** RFC 8555 §7.5 (POST-as-GET) and §7.5.2 (deactivation). */
export const postAuthorization: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  const authorization = await ownedAuthorization(deps, exchange.params['id'] ?? '', accountOf(request).id);
  const payload = request.payload;
  if (payload === undefined) return { status: 200, body: authorizationJson(authorization, exchange.links, deps.clock.now()) };
  if (payload['status'] !== 'deactivated') throw malformed('the only change a client may make to an authorization is {"status": "deactivated"}');
  const status = authorizationStatus(authorization, deps.clock.now());
  if (!authorizationMayBeDeactivated(status) || !(await deps.store.deactivateAuthorization(authorization.id))) {
    throw malformed(`an authorization that is ${status} cannot be deactivated`);
  }
  return { status: 200, body: authorizationJson({ ...authorization, status: 'deactivated' }, exchange.links, deps.clock.now()) };
};

export async function ownedAuthorization(deps: AcmeDependencies, id: string, accountId: string): Promise<AcmeAuthorizationRecord> {
  const authorization = await deps.store.findAuthorization(id);
  if (!authorization) throw notFound('this authorization');
  requireOwner(authorization.accountId, accountId, 'authorization');
  return authorization;
}
