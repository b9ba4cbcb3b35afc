export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface WriteOptions {
  readonly dryRun: boolean;
  /** fieldManager query parameter, or the User-Agent prefix as the real server derives it. */
  readonly fieldManager: string;
  readonly fieldValidation: FieldValidation;
  /** Collects `Warning:` header texts (unknown fields under Warn). */
  readonly warnings: string[];
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
