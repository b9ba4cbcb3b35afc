import { encodePem, isCaError, keyOtherThan } from '../../ca/index.js';
import type { AcmeAccountRecord, AcmeOrderRecord } from '../../store/acme-store.js';
import { isStoreUnavailable } from '../../store/store-errors.js';
import type { AcmeDependencies, AcmeHandler } from '../acme-context.js';
import { newAcmeId } from '../acme-ids.js';
import { spkiHoldsKey, type PublicJwk } from '../jws/account-key.js';
import { AcmeProblem, malformed, problemFromCaError } from '../problems.js';
import { orderView } from '../resources.js';
import { orderMayBeFinalized } from '../state.js';
import { orderResponse, ownedOrder } from './order.js';
import { accountOf } from './post-as-get.js';

/**
 * RFC 8555 §7.4: finalize a ready order with a CSR naming exactly the order's IPs. The issuance
 * service checks the CSR (its ACME profile, the order's IPs, a key other than the account's),
 * signs, records and audits. Only one concurrent finalize wins the ready → processing step.
 */
export const postFinalize: AcmeHandler = async (deps, exchange) => {
  const request = await exchange.signed('kid');
  const account = accountOf(request);
  const order = await ownedOrder(deps, exchange.params['id'] ?? '', account.id);
  const authorizations = await deps.store.findAuthorizations(order.id);
  const { status } = orderView(order, authorizations, exchange.links, deps.clock.now());
  if (!orderMayBeFinalized(status)) throw new AcmeProblem('orderNotReady', `the order is ${status}; only a ready order can be finalized`);
  const requester = `${deps.requesterOf(exchange.ctx)} acme-account:${account.id}`;
  const pem = csrPemOf(request.payload);
  if (!(await deps.store.beginFinalize(order.id))) throw new AcmeProblem('orderNotReady', 'the order is already being finalized');
  const certificateId = await issue(deps, { order, account, pem, requester });
  await deps.store.completeFinalize(order.id, { id: certificateId.id, serialNumber: certificateId.serialNumber, accountId: account.id });
  return orderResponse({ ...order, status: 'valid', certificateId: certificateId.id }, authorizations, exchange, deps, 200);
};

function csrPemOf(payload: Record<string, unknown> | undefined): string {
  const encoded = payload?.['csr'];
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9_-]+$/.test(encoded)) throw malformed('finalize needs "csr": the base64url DER of a PKCS#10 request');
  return encodePem('CERTIFICATE REQUEST', Buffer.from(encoded, 'base64url'));
}

interface Finalization {
  readonly order: AcmeOrderRecord;
  readonly account: AcmeAccountRecord;
  readonly pem: string;
  readonly requester: string;
}

async function issue(deps: AcmeDependencies, { order, account, pem, requester }: Finalization): Promise<{ id: string; serialNumber: string }> {
  try {
    const issued = await deps.issuer.issue({
      door: 'acme',
      requester,
      type: deps.settings.certificateType,
      csr: { pem, identifiers: order.ips, checks: [keyOtherThan((spki) => spkiHoldsKey(spki, account.jwk as PublicJwk), 'the account key')] },
      ...(order.notBefore ? { notBefore: order.notBefore } : {}),
      ...(order.notAfter ? { notAfter: order.notAfter } : {}),
      reference: order.id,
    });
    return { id: newAcmeId(), serialNumber: issued.serialNumber };
  } catch (error) {
    // The requester's fault, or a passing one: the order goes back to pending (ready again) for another finalize.
    if (isCaError(error) && error.errorClass !== 'server') {
      await deps.store.abortFinalize(order.id, { status: 'pending' });
      throw problemFromCaError(error);
    }
    // The store failed to record the certificate (disk full…): nothing was issued as far as the
    // ledger knows, so the order is ready again once the store is (the router answers 503).
    if (isStoreUnavailable(error)) {
      await deps.store.abortFinalize(order.id, { status: 'pending' }).catch(() => undefined);
      throw error;
    }
    // The server's fault: the order is invalid; the router logs the error and answers serverInternal.
    const problem = new AcmeProblem('serverInternal', 'signing failed; see the server log');
    await deps.store.abortFinalize(order.id, { status: 'invalid', error: problem.toJSON() });
    throw error;
  }
}
