import 'reflect-metadata'; // the API-server double's TLS material uses @peculiar/x509 (tsyringe needs the polyfill first)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startFakeApiServer } from '../../support/fake-apiserver/index.js';
import type { FakeApiServer, JsonObject } from '../../support/fake-apiserver/index.js';
import { isApiError } from '../../support/fake-apiserver/core/api-errors.js';
import { CRDS_DIR, crdFileNames } from './crd-documents.js';

/**
 * What the API server says to a create (or, with `old`, an update) of a custom resource: the
 * API-server double with crds/ installed runs pruning, defaulting, the structural schema, formats
 * and the CEL rules exactly as it does for kubectl.
 */
export interface Admission {
  /** `field: message` of every Status cause ([] when admitted). */
  readonly errors: string[];
  /** The object as stored (defaults filled in), when admitted. */
  readonly stored: JsonObject | undefined;
}

export interface AdmissionCluster {
  readonly server: FakeApiServer;
  admit(object: object, old?: object): Admission;
  /** Writes `status` through the /status subresource over a stored object (`old` status first). */
  admitStatus(object: object, oldStatus: object): Admission;
  close(): Promise<void>;
}

export function yamlDocuments(path: string): JsonObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((document) => document.toJS() as JsonObject | null)
    .filter((document): document is JsonObject => document !== null);
}

let counter = 0;

function renamed(object: object): JsonObject {
  counter += 1;
  const copy = structuredClone(object) as JsonObject;
  const metadata = (copy['metadata'] ?? {}) as JsonObject;
  copy['metadata'] = { ...metadata, name: `${String((metadata['name'] as string | undefined) ?? 'object')}-${counter}` };
  return copy;
}

function outcome(write: () => JsonObject): Admission {
  try {
    return { errors: [], stored: write() };
  } catch (error) {
    if (!isApiError(error)) throw error;
    const causes = error.details?.causes ?? [{ message: error.message }];
    return { errors: causes.map((cause) => `${cause.field ?? ''}: ${cause.message}`), stored: undefined };
  }
}

export async function startAdmissionCluster(extraCrdFiles: readonly string[] = []): Promise<AdmissionCluster> {
  const server = await startFakeApiServer();
  for (const file of [...crdFileNames().map((name) => join(CRDS_DIR, name)), ...extraCrdFiles]) {
    for (const crd of yamlDocuments(file)) server.objects.create(crd);
  }
  await server.settle();
  return {
    server,
    admit(object, old) {
      if (old === undefined) return outcome(() => server.objects.create(renamed(object), 'kubectl', { fieldValidation: 'Strict' }));
      const created = server.objects.create(renamed(old), 'kubectl');
      const next = { ...(structuredClone(object) as JsonObject), metadata: created['metadata'] ?? {} };
      return outcome(() => server.objects.update(next));
    },
    admitStatus(object, oldStatus) {
      const created = server.objects.create(renamed(object), 'kubectl');
      const withOld = server.objects.update({ ...created, status: oldStatus as JsonObject }, { subresource: 'status' });
      return outcome(() => server.objects.update({ ...withOld, status: (object as { status?: JsonObject }).status ?? {} }, { subresource: 'status' }));
    },
    close: () => server.close(),
  };
}
