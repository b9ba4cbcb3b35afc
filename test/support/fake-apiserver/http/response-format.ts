import { notAcceptable } from '../core/api-errors.js';
import type { IncludeObject } from '../resources/table-conversion.js';

export type ResponseFormat =
  | { readonly kind: 'object' }
  | { readonly kind: 'table'; readonly include: IncludeObject; readonly version: string }
  | { readonly kind: 'partial'; readonly version: string };

interface MediaRange {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params = new Map<string, string>();
      for (const param of rest) {
        const eq = param.indexOf('=');
        if (eq > 0) params.set(param.slice(0, eq).toLowerCase(), param.slice(eq + 1));
      }
      return { type: type.toLowerCase(), params };
    });
}

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*', 'application/yaml', 'application/json-seq']);

/**
 * Picks the first media range the double can produce: JSON objects, meta.k8s.io Tables or
 * PartialObjectMetadata(List). Protobuf and CBOR are skipped; nothing usable is a 406.
 */
export function negotiate(accept: string | undefined, includeObject: string | null): ResponseFormat {
  if (accept === undefined || accept.trim() === '') return { kind: 'object' };
  for (const range of parseAccept(accept)) {
    if (!JSON_TYPES.has(range.type)) continue;
    const as = range.params.get('as');
    if (as === undefined) return { kind: 'object' };
    if (range.params.get('g') !== 'meta.k8s.io') continue;
    const version = range.params.get('v') ?? 'v1';
    if (as === 'Table') return { kind: 'table', include: includeMode(includeObject), version };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'partial', version };
  }
  throw notAcceptable(['application/json', 'application/yaml']);
}

function includeMode(value: string | null): IncludeObject {
  return value === 'None' || value === 'Object' ? value : 'Metadata';
}

export function contentTypeFor(format: ResponseFormat, list: boolean): string {
  if (format.kind === 'table') return `application/json;as=Table;v=${format.version};g=meta.k8s.io`;
  if (format.kind === 'partial') {
    return `application/json;as=${list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata'};v=${format.version};g=meta.k8s.io`;
  }
  return 'application/json';
}
