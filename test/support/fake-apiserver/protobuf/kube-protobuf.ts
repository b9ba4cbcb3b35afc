import { badRequest, unsupportedMediaType } from '../core/api-errors.js';
import type { JsonObject } from '../core/json-value.js';
import { decodeMessage, hasMessage } from './protobuf-json.js';
import { readFields, WireFormatError } from './protobuf-wire.js';
import type { WireField } from './protobuf-wire.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** `apps/v1` + Deployment → `apps/v1.Deployment`; DeleteOptions always comes from meta/v1. */
function messageRef(apiVersion: string, kind: string): string {
  if (kind === 'DeleteOptions') return 'meta/v1.DeleteOptions';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? 'core' : (apiVersion.slice(0, slash).split('.')[0] ?? '');
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return `${group}/${version}.${kind}`;
}

function stringField(fields: readonly WireField[], number: number): string {
  const data = fields.find((f) => f.number === number)?.data;
  return data?.wire === 2 ? data.value.toString('utf8') : '';
}

/**
 * Decodes a body in the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown), which every
 * client-go typed client (kubectl create …, helm's release storage) sends for built-in kinds.
 */
export function decodeKubeProtobuf(body: Buffer): JsonObject {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest('provided protobuf body is missing the k8s envelope');
  try {
    const unknown = readFields(body.subarray(4));
    const typeMeta = unknown.find((f) => f.number === 1)?.data;
    const raw = unknown.find((f) => f.number === 2)?.data;
    const meta = typeMeta?.wire === 2 ? readFields(typeMeta.value) : [];
    const apiVersion = stringField(meta, 1);
    const kind = stringField(meta, 2);
    const ref = messageRef(apiVersion, kind);
    if (!hasMessage(ref)) throw unsupportedMediaType(PROTOBUF_CONTENT_TYPE, ['application/json', 'application/yaml']);
    const obj = decodeMessage(ref, raw?.wire === 2 ? raw.value : Buffer.alloc(0));
    return { ...(apiVersion === '' ? {} : { apiVersion }), ...(kind === '' ? {} : { kind }), ...obj };
  } catch (error) {
    if (error instanceof WireFormatError) throw badRequest(`failed to decode protobuf body: ${error.message}`);
    throw error;
  }
}
