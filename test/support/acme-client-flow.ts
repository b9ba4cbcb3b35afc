import { X509Certificate } from 'node:crypto';
import * as acme from 'acme-client';
import type { Http01Responder } from './acme-responders.js';
import { pemBlocks } from './openssl.js';

export interface ClientIssued {
  readonly chain: string;
  readonly leafPem: string;
  /** The leaf's serial as hex, upper case as node prints it. */
  readonly serial: string;
}

/** One order for `ip` through node acme-client, validated by http-01 served from `responder`. */
export async function issueWithHttp01(client: acme.Client, ip: string, responder: Http01Responder): Promise<ClientIssued> {
  const order = await client.createOrder({ identifiers: [{ type: 'ip', value: ip }] });
  for (const authorization of await client.getAuthorizations(order)) {
    const challenge = authorization.challenges.find((candidate) => candidate.type === 'http-01')!;
    responder.tokens.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
    await client.completeChallenge(challenge);
    await client.waitForValidStatus(challenge);
  }
  const [, csr] = await acme.crypto.createCsr({ altNames: [ip] }, await acme.crypto.createPrivateEcdsaKey());
  const chain = await client.getCertificate(await client.finalizeOrder(order, csr));
  const leafPem = pemBlocks(chain)[0]!;
  return { chain, leafPem, serial: new X509Certificate(leafPem).serialNumber.toUpperCase() };
}
