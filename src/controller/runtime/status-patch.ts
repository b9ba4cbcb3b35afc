/**
 * A merge patch that turns status `from` into `to`: members that disappear are set to null (merge
 * patch deletes them), and the resourceVersion makes the write conditional (409 when stale).
 */
export function statusPatch(from: object | undefined, to: object, resourceVersion: string | undefined): Record<string, unknown> {
  const status: Record<string, unknown> = { ...to };
  for (const key of Object.keys(from ?? {})) if (!(key in to) || (to as Record<string, unknown>)[key] === undefined) status[key] = null;
  return { ...(resourceVersion ? { metadata: { resourceVersion } } : {}), status };
}
