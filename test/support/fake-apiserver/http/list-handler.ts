import { badRequest, expired } from '../core/api-errors.js';
import type { JsonResponse } from './http-io.js';
import type { JsonObject } from '../core/json-value.js';
import { metadataOf, nameOf, namespaceOf } from '../core/object-meta.js';
import type { ObjectFilter } from '../objects/object-filter.js';
import type { ObjectService } from '../objects/object-service.js';
import type { ListOptions } from './request-options.js';
import { contentTypeFor } from './response-format.js';
import type { ResponseFormat } from './response-format.js';
import { apiVersionOf } from '../core/resource-type.js';
import type { ResourceType } from '../core/resource-type.js';
import { tableRow, toTable } from '../resources/table-conversion.js';
import type { WatchHub } from '../storage/watch-hub.js';

export interface ListContext {
  readonly service: ObjectService;
  readonly hub: WatchHub;
  readonly currentRevision: () => number;
  readonly now: () => Date;
}

interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

function itemKey(obj: JsonObject): string {
  return `${namespaceOf(obj)}\u0000${nameOf(obj)}`;
}

function encodeToken(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64');
}

function decodeToken(text: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'rv' in parsed && 'start' in parsed) {
      const { rv, start } = parsed as { rv: unknown; start: unknown };
      if (typeof rv === 'number' && typeof start === 'string') return { rv, start };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export interface ListRequest {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly options: ListOptions;
  readonly filter: ObjectFilter;
  readonly format: ResponseFormat;
}

function continueFrom(ctx: ListContext, text: string | null): ContinueToken | undefined {
  if (text === null || text === '') return undefined;
  const token = decodeToken(text);
  if (!ctx.hub.covers(token.rv)) throw expired(CONTINUE_EXPIRED);
  return token;
}

/** GET on a collection: selectors, limit/continue paging, and the JSON, Table or metadata-only forms. */
export function listObjects(ctx: ListContext, { type, namespace, options, filter, format }: ListRequest): JsonResponse {
  const matched = ctx.service.list(type, namespace).filter((o) => filter.matches(o));
  const token = continueFrom(ctx, options.continueToken);
  const rest = token === undefined ? matched : matched.filter((o) => itemKey(o) > token.start);
  const revision = token?.rv ?? ctx.currentRevision();
  const page = options.limit !== undefined && rest.length > options.limit ? rest.slice(0, options.limit) : rest;
  const listMeta: JsonObject = { resourceVersion: String(revision) };
  const last = page[page.length - 1];
  if (page.length < rest.length && last !== undefined) {
    listMeta['continue'] = encodeToken({ rv: revision, start: itemKey(last) });
    if (!filter.hasSelectors) listMeta['remainingItemCount'] = rest.length - page.length;
  }
  return { status: 200, body: listBody(ctx, type, page, listMeta, format), contentType: contentTypeFor(format, true) };
}

function listBody(ctx: ListContext, type: ResourceType, items: readonly JsonObject[], listMeta: JsonObject, format: ResponseFormat): JsonObject {
  if (format.kind === 'table') return toTable(type.table, items, listMeta, format.include, ctx.now());
  if (format.kind === 'partial') {
    return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${format.version}`, metadata: listMeta, items: items.map((o) => partialObject(o, format.version)) };
  }
  return { kind: type.listKind, apiVersion: apiVersionOf(type), metadata: listMeta, items: items.map((o) => listItem(type, o)) };
}

/** Typed lists from the real server carry no apiVersion/kind on their items; unstructured (CR) lists do. */
function listItem(type: ResourceType, obj: JsonObject): JsonObject {
  if (type.origin !== 'builtin') return obj;
  const item: JsonObject = { ...obj };
  delete item['apiVersion'];
  delete item['kind'];
  return item;
}

export function partialObject(obj: JsonObject, version = 'v1'): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: metadataOf(obj) };
}

/** A single object in the negotiated form (GET, and every write response). */
export function formatObject(ctx: Pick<ListContext, 'now'>, type: ResourceType, obj: JsonObject, format: ResponseFormat): JsonObject {
  if (format.kind === 'table') {
    return { ...toTable(type.table, [], { resourceVersion: String(metadataOf(obj)['resourceVersion'] ?? '') }, format.include, ctx.now()), rows: [tableRow(type.table, obj, format.include, ctx.now())] };
  }
  if (format.kind === 'partial') return partialObject(obj, format.version);
  return obj;
}
