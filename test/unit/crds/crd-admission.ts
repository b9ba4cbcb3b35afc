import { schemaOf } from './crd-documents.js';
import { ruleViolations } from './crd-rules.js';
import { applyDefaults, validate } from './openapi-validator.js';

export interface Admission {
  readonly errors: string[];
  /** The object as the API server would store it (defaults filled in). */
  readonly stored: unknown;
}

/** What the API server would say to a create (or, with `old`, an update): defaulting, schema, CEL. */
export function admit(kind: string, object: unknown, old?: unknown): Admission {
  const schema = schemaOf(kind);
  const stored = applyDefaults(schema, object);
  const oldStored = old === undefined ? undefined : applyDefaults(schema, old);
  return { errors: [...validate(schema, stored), ...ruleViolations(schema, stored, oldStored)], stored };
}
