import type { Clock } from '../../ca/index.js';
import type { Secret } from '../../kube/core-types.js';
import { isConflict } from '../../kube/kube-errors.js';
import type { CertificateRequest } from '../../custom-resources/crd-types.js';
import type { EventType, InvolvedObject } from '../../kube/event-recorder.js';
import type { ResourceClient } from '../../kube/resource-client.js';
import type { Logger } from '../../telemetry/logger.js';
import type { IssuerResolver } from '../issuers/issuer-resolver.js';
import { writeStatusIfChanged } from '../runtime/status-writer.js';
import type { CertificateRequestStatus } from '../../custom-resources/crd-types.js';

export interface EventSink {
  record(object: InvolvedObject, type: EventType, reason: string, message: string): void;
}

/** What both CertificateRequest flows (Secret and CSR) share. */
export interface CertificateRequestContext {
  readonly requests: ResourceClient<CertificateRequest>;
  /** Informer caches that also remember our own latest writes (see FreshCache). */
  readonly requestCache: WriteAwareCache<CertificateRequest>;
  readonly secrets: ResourceClient<Secret>;
  readonly secretCache: WriteAwareCache<Secret>;
  readonly resolver: IssuerResolver;
  readonly events: EventSink;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A failing issuance is Failed once Ready has been False this long. */
  readonly maxRetryDurationMs: number;
  /** Each request is its Secret's controller owner (deleted with it); otherwise Secrets outlive their requests. */
  readonly secretOwnerReferences: boolean;
}

export interface WriteAwareCache<T> {
  get(key: string): T | undefined;
  readonly hasSynced: boolean;
  wrote(obj: T): void;
}

export function involved(cr: CertificateRequest): InvolvedObject {
  return { apiVersion: cr.apiVersion, kind: cr.kind, name: cr.metadata.name ?? '', namespace: cr.metadata.namespace ?? '', uid: cr.metadata.uid ?? '' };
}

/** Writes the status when it differs (conditional on the resourceVersion read); true when written. */
export function writeStatus(context: CertificateRequestContext, cr: CertificateRequest, status: CertificateRequestStatus): Promise<boolean> {
  return writeStatusIfChanged({ client: context.requests, cache: context.requestCache }, cr, status);
}

/**
 * A status that may not be writable (the failure being reported may be a write the operator is not
 * allowed): false when it could not be written; the caller's Event still goes out. A conflict is
 * thrown: the queue retries at once with the fresh object.
 */
export async function writeStatusQuietly(context: CertificateRequestContext, cr: CertificateRequest, status: CertificateRequestStatus): Promise<boolean> {
  try {
    return await writeStatus(context, cr, status);
  } catch (error) {
    if (isConflict(error)) throw error;
    context.logger.debug({ err: error, request: `${cr.metadata.namespace ?? ''}/${cr.metadata.name ?? ''}` }, 'could not write the status of a failing CertificateRequest');
    return false;
  }
}
