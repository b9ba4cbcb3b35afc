import { Router } from '@koa/router';
import type { RequestState } from './request-context.js';

export interface ReadinessCheck {
  readonly name: string;
  /** Throws (or rejects) when not ready; returns a warning when ready but something needs doing soon. */
  check(): void | { readonly warning: string } | Promise<void | { readonly warning: string }>;
}

/**
 * /healthz: the process serves HTTP. /readyz: every dependency answers (store, CA, worker); 503
 * names what does not, and `warnings` what will soon need doing while ready.
 */
export function healthRouter(checks: readonly ReadinessCheck[]): Router<RequestState> {
  const router = new Router<RequestState>();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(checks.map(runCheck));
    const failing = results.filter((result) => !result.ok);
    ctx.status = failing.length === 0 ? 200 : 503;
    const warnings = results.filter((result) => result.ok && result.message !== undefined);
    ctx.body = {
      status: failing.length === 0 ? 'ready' : 'not ready',
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : r.message])),
      ...(warnings.length > 0 ? { warnings: Object.fromEntries(warnings.map((r) => [r.name, r.message])) } : {}),
    };
  });
  return router;
}

async function runCheck(check: ReadinessCheck): Promise<{ name: string; ok: boolean; message?: string }> {
  try {
    const outcome = await check.check();
    return { name: check.name, ok: true, ...(outcome ? { message: outcome.warning } : {}) };
  } catch (error) {
    return { name: check.name, ok: false, message: (error as Error)?.message ?? String(error) };
  }
}
