import { encodePem, isCaError, validateCsr, type ValidatedCsr } from '../../ca/index.js';
import type { AcmeAccountRecord, AcmeOrderRecord } from '../../store/acme-store.js';
import type { AcmeDependencies, AcmeHandler } from '../acme-context.js';
import { newAcmeId } from '../acme-ids.js';
import { spkiHoldsKey, type PublicJwk } from '../jws/account-key.js';
import { AcmeProblem, malformed, problemFromCaError } from '../problems.js';
import { orderView } from '../resources.js';
import { orderMayBeFinalized } from '../state.js';
import { orderResponse, ownedOrder } from './order.js';
import { accountOf } from './post-as-get.js';

/**
 * RFC 8555 §7.4: finalize a ready order with a CSR naming exactly the order's IPs. The CSR passes
 * the core's checks here (to compare its IPs before anything is signed) and the issuance service
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
  const csr = await checkedCsr(deps, request.payload, order, account, requester);
  if (!(await deps.store.beginFinalize(order.id))) throw new AcmeProblem('orderNotReady', 'the order is already being finalized');
  const certificateId = await issue(deps, order, csr, requester);
  await deps.store.completeFinalize(order.id, { id: certificateId.id, serialNumber: certificateId.serialNumber, accountId: account.id });
  return orderResponse({ ...order, status: 'valid', certificateId: certificateId.id }, authorizations, exchange, deps, 200);
};

async function checkedCsr(
  deps: AcmeDependencies,
  payload: Record<string, unknown> | undefined,
  order: AcmeOrderRecord,
  account: AcmeAccountRecord,
  requester: string,
): Promise<ValidatedCsr & { readonly pem: string }> {
  const encoded = payload?.['csr'];
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9_-]+$/.test(encoded)) throw malformed('finalize needs "csr": the base64url DER of a PKCS#10 request');
  const pem = encodePem('CERTIFICATE REQUEST', Buffer.from(encoded, 'base64url'));
  try {
    const csr = validateCsr(pem, { allowedRanges: deps.settings.allowedRanges, shape: 'multi', maxIdentifiers: deps.settings.maxIdentifiers });
    return { ...checkAgainstOrder(csr, order, account), pem };
  } catch (error) {
    const problem = isCaError(error) ? problemFromCaError(error) : error;
    if (problem instanceof AcmeProblem) {
      await deps.audit.append({ at: deps.clock.now(), event: 'refused', door: 'acme', requester, requestId: order.id, ips: order.ips, detail: `badCSR: ${problem.detail}` });
    }
    throw problem;
  }
}

function checkAgainstOrder(csr: ValidatedCsr, order: AcmeOrderRecord, account: AcmeAccountRecord): ValidatedCsr {
  const wanted = new Set(order.ips);
  const got = new Set(csr.ips);
  const missing = [...wanted].filter((ip) => !got.has(ip));
  const extra = [...got].filter((ip) => !wanted.has(ip));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `not in the order: ${extra.join(', ')}` : ''].filter(Boolean);
    throw new AcmeProblem('badCSR', `the CSR's IP addresses must equal the order's identifiers exactly (${parts.join('; ')})`);
  }
  if (spkiHoldsKey(csr.spki, account.jwk as PublicJwk)) {
    throw new AcmeProblem('badCSR', 'the CSR uses the account key; the certificate needs a key of its own');
  }
  return csr;
}

async function issue(deps: AcmeDependencies, order: AcmeOrderRecord, csr: ValidatedCsr & { readonly pem: string }, requester: string): Promise<{ id: string; serialNumber: string }> {
  try {
    const issued = await deps.issuer.issue({
      door: 'acme',
      requester,
      type: deps.settings.certificateType,
      // The PEM only for the ledger's record (the Kubernetes store's spec.request); not validated again.
      csr: { spki: csr.spki, ips: csr.ips, csrPem: csr.pem, ignoredExtensions: csr.ignoredExtensions },
      maxIdentifiers: deps.settings.maxIdentifiers,
      ...(order.notBefore ? { notBefore: order.notBefore } : {}),
      ...(order.notAfter ? { notAfter: order.notAfter } : {}),
      reference: order.id,
    });
    return { id: newAcmeId(), serialNumber: issued.serialNumber };
  } catch (error) {
    // The requester's fault, or a passing one: the order goes back to pending for another finalize.
    if (isCaError(error) && error.errorClass !== 'server') {
      await deps.store.abortFinalize(order.id, { status: 'pending' });
      throw problemFromCaError(error);
    }
    // The server's fault: the order is invalid; the router logs the error and answers serverInternal.
    const problem = new AcmeProblem('serverInternal', 'signing failed; see the server log');
    await deps.store.abortFinalize(order.id, { status: 'invalid', error: problem.toJSON() });
    throw error;
  }
}
