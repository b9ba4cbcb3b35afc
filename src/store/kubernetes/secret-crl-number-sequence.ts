import { setTimeout as sleep } from 'node:timers/promises';
import type { Secret } from '../../kube/core-types.js';
import type { KubeApi } from '../../kube/kube-api.js';
import { isConflict } from '../../kube/kube-errors.js';
import { ANNOTATIONS } from '../../custom-resources/labels.js';
import { ResourceClient } from '../../kube/resource-client.js';
import { SECRETS } from '../../kube/resource-types.js';
import type { CrlNumberSequence } from '../interfaces.js';

export interface SecretCrlNumberSequenceOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  /** The CA Secret: the number belongs to the CA that signs the CRL, and every replica may write it. */
  readonly secretName: string;
  /** Conflicts tolerated per call before giving up. Default 50. */
  readonly maxAttempts?: number;
}

/** A number no CRL could have reached; an annotation holding anything else was not written by us. */
const NUMBER = /^(0|[1-9][0-9]{0,14})$/;

/**
 * The cRLNumber sequence (RFC 5280 §5.2.3) shared by every replica: the annotation
 * `ca.sms-gate.app/crl-number` on the CA Secret, incremented with a merge patch conditional on the
 * resourceVersion read (a 409 means another replica took a number: re-read and retry). A number is
 * returned only once the write holding it succeeded, so none is handed out twice.
 */
export class SecretCrlNumberSequence implements CrlNumberSequence {
  private readonly secrets: ResourceClient<Secret>;

  constructor(private readonly options: SecretCrlNumberSequenceOptions) {
    this.secrets = new ResourceClient<Secret>(options.api, SECRETS);
  }

  async nextCrlNumber(): Promise<number> {
    const { namespace, secretName } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 50;
    for (let attempt = 1; ; attempt++) {
      const secret = await this.secrets.get(namespace, secretName);
      if (!secret) throw new Error(`the CA Secret ${namespace}/${secretName}, which keeps the CRL number, does not exist`);
      const next = lastNumberOf(secret) + 1;
      try {
        await this.secrets.mergePatch(namespace, secretName, { metadata: { resourceVersion: secret.metadata.resourceVersion, annotations: { [ANNOTATIONS.crlNumber]: String(next) } } });
        return next;
      } catch (error) {
        if (!isConflict(error) || attempt >= maxAttempts) throw error;
        // Spread the retries of replicas that collided, so that one of them wins the next round.
        await sleep(Math.random() * Math.min(100, 5 * attempt));
      }
    }
  }
}

function lastNumberOf(secret: Secret): number {
  const text = secret.metadata.annotations?.[ANNOTATIONS.crlNumber];
  if (text === undefined) return 0;
  // Never start over from 0 on a value we cannot read: CRL numbers must only grow.
  if (!NUMBER.test(text)) throw new Error(`annotation ${ANNOTATIONS.crlNumber} on the CA Secret is "${text}", not a CRL number`);
  return Number(text);
}
