import { badRequest } from '../core/api-errors.js';
import { invalid, notSupported, tooLong } from '../core/field-errors.js';
import { isJsonObject } from '../core/json-value.js';
import type { JsonValue } from '../core/json-value.js';
import type { DeleteOptions, FieldValidation, PropagationPolicy, WriteOptions } from '../core/write-options.js';

export interface ListOptions {
  readonly labelSelector: string | null;
  readonly fieldSelector: string | null;
  readonly limit: number | undefined;
  readonly continueToken: string | null;
  readonly resourceVersion: string | null;
  readonly resourceVersionMatch: string | null;
  readonly watch: boolean;
  readonly allowWatchBookmarks: boolean;
  readonly sendInitialEvents: boolean | undefined;
  readonly timeoutSeconds: number | undefined;
  readonly includeObject: string | null;
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  return value === 'true' || value === '1';
}

function positiveInt(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid ${name}: ${value}`);
  return n;
}

export function listOptions(query: URLSearchParams): ListOptions {
  const sendInitialEvents = query.get('sendInitialEvents');
  const limit = positiveInt(query, 'limit');
  return {
    labelSelector: query.get('labelSelector'),
    fieldSelector: query.get('fieldSelector'),
    limit: limit === 0 ? undefined : limit,
    continueToken: query.get('continue'),
    resourceVersion: query.get('resourceVersion'),
    resourceVersionMatch: query.get('resourceVersionMatch'),
    watch: flag(query, 'watch'),
    allowWatchBookmarks: flag(query, 'allowWatchBookmarks'),
    sendInitialEvents: sendInitialEvents === null ? undefined : sendInitialEvents === 'true',
    timeoutSeconds: positiveInt(query, 'timeoutSeconds'),
    includeObject: query.get('includeObject'),
  };
}

/** The real server derives a default field manager from the User-Agent prefix. */
export function defaultFieldManager(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0] ?? '';
  return prefix.slice(0, 128);
}

function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) {
    if (value !== 'All') throw invalid('CreateOptions', 'meta.k8s.io', '', [notSupported('dryRun', value, ['All'])]);
  }
  return values.length > 0;
}

function fieldValidation(query: URLSearchParams): FieldValidation {
  const value = query.get('fieldValidation');
  if (value === null || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${value}`);
}

export function writeOptions(query: URLSearchParams, userAgent: string | undefined): WriteOptions {
  const explicit = query.get('fieldManager');
  if (explicit !== null && explicit.length > 128) {
    throw invalid('CreateOptions', 'meta.k8s.io', '', [tooLong('fieldManager', 128)]);
  }
  return {
    dryRun: dryRun(query),
    fieldManager: explicit === null || explicit === '' ? defaultFieldManager(userAgent) : explicit,
    fieldValidation: fieldValidation(query),
    warnings: [],
  };
}

function policy(value: JsonValue | string | undefined | null): PropagationPolicy | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === 'Background' || value === 'Foreground' || value === 'Orphan') return value;
  throw invalid('DeleteOptions', 'meta.k8s.io', '', [notSupported('propagationPolicy', value, ['Foreground', 'Background', 'Orphan', 'nil'])]);
}

/** DeleteOptions come from the query string and/or a JSON body. */
export function deleteOptions(query: URLSearchParams, body: JsonValue | undefined): DeleteOptions {
  const fromBody = isJsonObject(body) ? body : {};
  const preconditions = isJsonObject(fromBody['preconditions']) ? fromBody['preconditions'] : {};
  const orphan = fromBody['orphanDependents'] ?? (query.has('orphanDependents') ? flag(query, 'orphanDependents') : undefined);
  const bodyDryRun = Array.isArray(fromBody['dryRun']) && fromBody['dryRun'].includes('All');
  const propagation = policy(query.get('propagationPolicy') ?? fromBody['propagationPolicy']) ?? (orphan === true ? 'Orphan' : undefined);
  const uid = preconditions['uid'];
  const rv = preconditions['resourceVersion'];
  return {
    dryRun: dryRun(query) || bodyDryRun,
    ...(propagation === undefined ? {} : { propagationPolicy: propagation }),
    ...(typeof uid === 'string' ? { preconditionUid: uid } : {}),
    ...(typeof rv === 'string' ? { preconditionResourceVersion: rv } : {}),
  };
}
