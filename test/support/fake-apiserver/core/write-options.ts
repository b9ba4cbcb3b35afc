import type { JsonObject } from './json-value.js';
import type { ResourceType } from './resource-type.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface WriteOptions {
  readonly dryRun: boolean;
  /** fieldManager query parameter, or the User-Agent prefix as the real server derives it. */
  readonly fieldManager: string;
  readonly fieldValidation: FieldValidation;
  /** Collects `Warning:` header texts (unknown fields under Warn). */
  readonly warnings: string[];
  /** Admission that needs the caller (OwnerReferencesPermissionEnforcement); absent for system writes. */
  readonly admit?: (attempt: AdmissionAttempt) => void;
}

/** A validated create (no `old`) or update, before it is stored. */
export interface AdmissionAttempt {
  readonly type: ResourceType;
  readonly subresource: string;
  readonly object: JsonObject;
  readonly old: JsonObject | undefined;
}

export interface DeleteOptions {
  readonly dryRun: boolean;
  readonly propagationPolicy?: PropagationPolicy;
  readonly preconditionUid?: string;
  readonly preconditionResourceVersion?: string;
}

export const SYSTEM_WRITE: WriteOptions = {
  dryRun: false,
  fieldManager: 'kube-controller-manager',
  fieldValidation: 'Ignore',
  warnings: [],
};

export interface WriteResult<T> {
  readonly object: T;
  /** True when the write created the object (201 Created). */
  readonly created: boolean;
}
