import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRouter } from '../../../src/console/console-routes.js';
import { createHttpApp } from '../../../src/http/create-app.js';
import { listen, type RunningServer } from '../../../src/http/listen.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';
import { httpCall } from '../../support/serve-process.js';

async function serve(scripts: ReadonlyMap<string, string>): Promise<{ server: RunningServer; base: string }> {
  const app = createHttpApp({ logger: silentLogger(), metrics: createMetrics({ processMetrics: false }) });
  const router = consoleRouter(scripts);
  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true }));
  const server = await listen(app.callback(), { host: '127.0.0.1', port: 0 });
  return { server, base: `http://127.0.0.1:${server.address.port}` };
}

let built: { server: RunningServer; base: string };
let unbuilt: { server: RunningServer; base: string };

beforeAll(async () => {
  built = await serve(new Map([['main.js', 'export {};'], ['expiry-plot.js', 'export const x = 1;']]));
  unbuilt = await serve(new Map());
});

afterAll(async () => {
  await built.server.close();
  await unbuilt.server.close();
});

describe('consoleRouter', () => {
  it.each(['/console', '/console/'])('%s is the page, with the CSP, no-referrer and never cached', async (path) => {
    const result = await httpCall(`${built.base}${path}`);
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(result.headers['referrer-policy']).toBe('no-referrer');
    expect(result.headers['x-frame-options']).toBe('DENY');
    expect(result.headers['cache-control']).toBe('no-store');
    expect(result.text).toContain('<script type="module" src="/console/main.js"></script>');
  });

  it('serves the stylesheet and exactly the built modules', async () => {
    expect((await httpCall(`${built.base}/console/console.css`)).headers['content-type']).toBe('text/css; charset=utf-8');
    const module = await httpCall(`${built.base}/console/expiry-plot.js`);
    expect(module.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(module.text).toBe('export const x = 1;');
    for (const path of ['/console/other.js', '/console/..%2Fpackage.json', '/console/main.ts']) expect((await httpCall(`${built.base}${path}`)).status, path).toBe(404);
  });

  it('answers 503 with a clear message when the browser modules were never built', async () => {
    const result = await httpCall(`${unbuilt.base}/console`);
    expect(result.status).toBe(503);
    expect(result.json<{ error: { message: string } }>().error.message).toBe('the admin console is not built: run npm run build');
  });
});
