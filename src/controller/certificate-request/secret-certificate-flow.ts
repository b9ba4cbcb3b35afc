import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { generateKeyPair, LEAF_BACKDATE_MS, LEAF_MAX_VALIDITY_MS, type IssuedCertificate } from '../../ca/index.js';
import type { Secret } from '../../kube/core-types.js';
import type { CertificateRequest, SecretCertificateRequestSpec } from '../../custom-resources/crd-types.js';
import { isAlreadyExists } from '../../kube/kube-errors.js';
import { ANNOTATIONS } from '../../custom-resources/labels.js';
import { objectKey } from '../../kube/kube-object.js';
import { reconcileRequest, UnwrittenCertificates } from '../request-reconcile.js';
import type { SignerMaterial, SigningCa } from '../issuers/signing-ca.js';
import { DONE, RETRY, type ReconcileOutcome } from '../runtime/reconcile-outcome.js';
import { involved, writeStatus, type CertificateRequestContext } from './certificate-request-context.js';
import { planCertificate, renewalTimeFor, requestedNotAfter, type CertificatePlan, type IssueCause } from './certificate-plan.js';
import { checkCertificateSpec, type DesiredCertificate } from './certificate-spec.js';
import { failureSteps } from './failure-steps.js';
import { failedStatus, hasReadyCondition, initializingStatus, readyStatus, refusedThisGeneration, retryDeadlineOf } from './certificate-status.js';
import type { ClaimContext } from './secret-claim.js';
import { inspectSecret, type ExpectedCa } from './secret-inspection.js';
import { buildSecret, metadataDrifted, secretMetadataFor } from './secret-manifest.js';

/** A certificate signed but not yet safely in its Secret: reused after a failed write, never signed twice. */
interface Unwritten {
  readonly specHash: string;
  readonly caId: string;
  readonly issued: IssuedCertificate;
  readonly keyPem: string;
}

/** What an issuance writes to: the request, its normalised spec, the CA, the Secret as read. */
interface IssueTarget {
  readonly cr: CertificateRequest;
  readonly desired: DesiredCertificate;
  readonly ca: SigningCa;
  readonly existing: Secret | undefined;
}

/** Our CertificateRequest with ipAddresses: key → issuance service → kubernetes.io/tls Secret → status. */
export class SecretCertificateFlow {
  private readonly unwritten = new UnwrittenCertificates<Unwritten>();
  private readonly signerKeys = new Map<string, KeyObject>();

  constructor(private readonly context: CertificateRequestContext) {}

  /** Forget what was signed for objects that are gone (and everything on leadership loss). */
  forget(uid?: string): void {
    this.unwritten.forget(uid);
  }

  get unwrittenCount(): number {
    return this.unwritten.size;
  }

  async reconcile(request: CertificateRequest & { spec: SecretCertificateRequestSpec }): Promise<ReconcileOutcome> {
    const now = this.context.clock.now();
    const cr = await this.initialized(request, now);
    const assessment = await this.assess(cr, now);
    if (!assessment) return DONE;
    const { plan, target } = assessment;
    if (plan.kind === 'fail') {
      await this.fail(cr, plan.reason, plan.message);
      return plan.retry ? RETRY : DONE;
    }
    if (!target) return DONE;
    if (plan.kind === 'current') {
      await this.repairMetadata(cr, target.desired, plan.certificate);
      await writeStatus(this.context, cr, readyStatus(cr, plan.certificate, plan.renewalTime, now));
      return { requeueAfterMs: plan.renewalTime.getTime() - now.getTime() };
    }
    return this.issue(target, plan);
  }

  /** Ready=Unknown/Initializing on an object we have not written yet; the object as written. */
  private async initialized<T extends CertificateRequest>(cr: T, now: Date): Promise<T> {
    if (hasReadyCondition(cr)) return cr;
    await writeStatus(this.context, cr, initializingStatus(cr, now));
    return (this.context.requestCache.get(objectKey(cr.metadata.namespace, cr.metadata.name ?? '')) as T | undefined) ?? cr;
  }

  /** Spec, issuer and Secret, planned; undefined when a policy refusal of this generation stands. */
  private async assess(cr: CertificateRequest & { spec: SecretCertificateRequestSpec }, now: Date): Promise<{ plan: CertificatePlan; target?: IssueTarget } | undefined> {
    const spec = checkCertificateSpec(cr.spec);
    const statusRevision = cr.status?.revision ?? 0;
    if (!spec.ok) return { plan: planCertificate({ spec, issuer: undefined, secret: undefined, statusRevision, now }) };
    if (refusedThisGeneration(cr)) return undefined;
    const issuer = await this.context.resolver.resolve(spec.desired.issuerRef, cr.metadata.namespace);
    if (!issuer.ok) return { plan: planCertificate({ spec, issuer, secret: undefined, statusRevision, now }) };
    const existing = await this.readSecret(cr, spec.desired.secretName);
    const secret = inspectSecret(existing, cr, this.expected(issuer.ca), this.claimContext(cr, spec.desired));
    return { plan: planCertificate({ spec, issuer, secret, statusRevision, now }), target: { cr, desired: spec.desired, ca: issuer.ca, existing } };
  }

  private async issue(target: IssueTarget, { cause, reuseKeyPem, previousRevision }: { cause: IssueCause; reuseKeyPem: string | undefined; previousRevision: number }): Promise<ReconcileOutcome> {
    const { cr, desired, ca } = target;
    const revision = previousRevision + 1;
    const now = this.context.clock.now();
    return reconcileRequest(this.unwritten, {
      uid: cr.metadata.uid ?? '',
      retryDeadline: retryDeadlineOf(cr, this.context.maxRetryDurationMs, now),
      now: () => this.context.clock.now(),
      stillFits: (earlier) => earlier.specHash === desired.specHash && earlier.caId === ca.id,
      sign: () => this.sign(cr, desired, ca, reuseKeyPem),
      refuse: async (reason, error) => {
        await this.fail(cr, reason === 'InvalidRequest' ? 'PolicyViolation' : reason, error.message);
        return DONE;
      },
      // Failed, and tried again at the next resync or spec change: the Secret must be renewed some day.
      ...failureSteps(this.context, cr),
      store: (signed) => this.writeSecret(target, signed, revision),
      announce: async (signed) => {
        const now = this.context.clock.now();
        const renewalTime = renewalTimeFor(signed.issued, desired);
        this.context.events.record(
          involved(cr),
          'Normal',
          'Issued',
          `Issued certificate ${signed.issued.serialNumber} for ${signed.issued.ips.join(', ')} (revision ${revision}, ${cause}); valid until ${signed.issued.notAfter.toISOString()}, renewal at ${renewalTime.toISOString()}`,
        );
        await writeStatus(this.context, cr, readyStatus(cr, { ...signed.issued, revision }, renewalTime, now));
        return { requeueAfterMs: renewalTime.getTime() - now.getTime() };
      },
    });
  }

  private async sign(cr: CertificateRequest, desired: DesiredCertificate, ca: SigningCa, reuseKeyPem: string | undefined): Promise<Unwritten> {
    const now = this.context.clock.now();
    const key = reuseKeyPem ? { privateKeyPem: reuseKeyPem, spki: spkiOf(reuseKeyPem) } : generateKeyPair(desired.keyAlgorithm);
    const notAfter = requestedNotAfter(desired, now, LEAF_MAX_VALIDITY_MS, LEAF_BACKDATE_MS);
    const issued = await ca.issuer.issue({
      door: 'kubernetes',
      requester: `kubernetes:${objectKey(cr.metadata.namespace, cr.metadata.name ?? '')}`,
      type: desired.type,
      csr: { spki: key.spki, ips: desired.ips },
      ...(notAfter ? { notAfter } : {}),
      extendedKeyUsages: desired.extendedKeyUsages,
      reference: objectKey(cr.metadata.namespace, cr.metadata.name ?? ''),
    });
    return { specHash: desired.specHash, caId: ca.id, issued, keyPem: key.privateKeyPem };
  }

  /** Creates or replaces the Secret; false when a foreign Secret turned up (status already says so). */
  private async writeSecret({ cr, desired, ca, existing }: IssueTarget, signed: Unwritten, revision: number): Promise<boolean> {
    const content = {
      chainPem: signed.issued.chainPem,
      rootPem: ca.material.rootPem,
      keyPem: signed.keyPem,
      serialNumber: signed.issued.serialNumber,
      notBefore: signed.issued.notBefore,
      notAfter: signed.issued.notAfter,
      ips: signed.issued.ips,
      revision,
      issuerId: ca.id,
    };
    let current = existing;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      if (current) {
        const inspection = inspectSecret(current, cr, this.expected(ca), this.claimContext(cr, desired));
        if (inspection.kind === 'foreign') {
          await this.fail(cr, 'SecretConflict', inspection.message);
          return false;
        }
        this.context.secretCache.wrote(await this.context.secrets.replace(buildSecret(cr, desired, content, this.context.secretOwnerReferences, current)));
        if (inspection.kind === 'invalid' && inspection.adoptedFrom) {
          this.context.events.record(involved(cr), 'Normal', 'SecretAdopted', `Adopted Secret ${desired.secretName} from ${inspection.adoptedFrom}`);
        }
        return true;
      }
      try {
        this.context.secretCache.wrote(await this.context.secrets.create(buildSecret(cr, desired, content, this.context.secretOwnerReferences)));
        return true;
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        // Not in our label-selected cache: someone else's Secret, or ours with the label removed.
        current = await this.context.secrets.get(cr.metadata.namespace, desired.secretName);
      }
    }
    return false;
  }

  /**
   * The cache holds only Secrets carrying our label: absent there may still mean a foreign Secret
   * (or ours with the label removed), so a miss is confirmed with a GET before anything is signed.
   */
  private async readSecret(cr: CertificateRequest, name: string): Promise<Secret | undefined> {
    const cached = this.context.secretCache.get(objectKey(cr.metadata.namespace, name));
    return cached ?? this.context.secrets.get(cr.metadata.namespace, name);
  }

  private async repairMetadata(cr: CertificateRequest, desired: DesiredCertificate, certificate: { serialNumber: string; notBefore: Date; notAfter: Date; ips: readonly string[]; revision: number }): Promise<void> {
    const secret = this.context.secretCache.get(objectKey(cr.metadata.namespace, desired.secretName));
    if (!secret) return;
    const issuerId = secret.metadata.annotations?.[ANNOTATIONS.issuer] ?? '';
    const wanted = secretMetadataFor(cr, desired, { ...certificate, issuerId });
    if (!metadataDrifted(secret, wanted)) return;
    this.context.secretCache.wrote(await this.context.secrets.mergePatch(cr.metadata.namespace, desired.secretName, { metadata: { ...wanted, resourceVersion: secret.metadata.resourceVersion } }));
  }

  private async fail(cr: CertificateRequest, reason: string, message: string): Promise<void> {
    const written = await writeStatus(this.context, cr, failedStatus(cr, reason, message, this.context.clock.now()));
    if (written) this.context.events.record(involved(cr), 'Warning', reason, message);
  }

  private claimContext(cr: CertificateRequest, desired: DesiredCertificate): ClaimContext {
    return { ips: desired.ips, requestExists: (name) => this.context.requestCache.get(objectKey(cr.metadata.namespace, name)) !== undefined };
  }

  private expected(ca: SigningCa): ExpectedCa {
    const signer = (material: SignerMaterial) => ({ signerPublicKey: this.signerKey(material), chainPem: material.chainPem });
    return { ...signer(ca.material), rootPem: ca.material.rootPem, former: (ca.former ?? []).map(signer) };
  }

  private signerKey(material: SignerMaterial): KeyObject {
    let key = this.signerKeys.get(material.signerCertificatePem);
    if (!key) {
      key = new X509Certificate(material.signerCertificatePem).publicKey;
      this.signerKeys.set(material.signerCertificatePem, key);
    }
    return key;
  }

}

function spkiOf(privateKeyPem: string): Uint8Array {
  return new Uint8Array(createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }));
}
