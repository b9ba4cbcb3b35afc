import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from '../core/api-errors.js';
import type { JsonValue } from '../core/json-value.js';
import { decodeKubeProtobuf, PROTOBUF_CONTENT_TYPE } from '../protobuf/kube-protobuf.js';

const BODY_TYPES = ['application/json', 'application/yaml', PROTOBUF_CONTENT_TYPE];

/**
 * Decodes a create/update/delete body: JSON, YAML, or the Kubernetes protobuf envelope for
 * built-in kinds (typed client-go clients always send it). CBOR is refused with 415.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): JsonValue {
  const mediaType = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType !== '' && !BODY_TYPES.includes(mediaType)) throw unsupportedMediaType(mediaType, BODY_TYPES);
  if (body.length === 0) return null;
  if (mediaType === PROTOBUF_CONTENT_TYPE) return decodeKubeProtobuf(body);
  const text = body.toString('utf8');
  if (text.trim() === '') return null;
  try {
    const parsed: unknown = mediaType === 'application/yaml' ? parseYaml(text) : JSON.parse(text);
    return (parsed ?? null) as JsonValue;
  } catch (error) {
    throw badRequest(`error decoding request body: ${(error as Error).message}`);
  }
}
