import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/api/openapi-document.js';
import { buildServeConfig } from '../../src/config/serve-config.js';
import { startServer, type RunningCaServer } from '../../src/serve/server.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { makeTempDir } from '../support/cli.js';
import { httpCall, readRoot } from '../support/serve-process.js';
import { launchHeadlessChromium } from '../support/headless-chromium.js';

/** /docs renders in headless Chromium from the server alone: no script, no request elsewhere. */

let work: { dir: string; cleanup: () => Promise<void> };
let server: RunningCaServer;
let rootPem: string;
let context: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  work = await makeTempDir();
  const config = buildServeConfig({ 'data-dir': join(work.dir, 'data'), listen: '127.0.0.1:0', 'log-level': 'silent' });
  server = await startServer(config, { logger: silentLogger(), version: '9.8.7' });
  rootPem = await readRoot(config.dataDir);
  profileDir = await mkdtemp(join(tmpdir(), 'smsgate-ca-chromium-'));
  context = await launchHeadlessChromium(profileDir);
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await work?.cleanup();
});

describe('GET /docs', () => {
  it('is served as HTML with a Content-Security-Policy that forbids every external load', async () => {
    const result = await httpCall(`${server.url}/docs`, { caPem: rootPem });
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const legacy = await httpCall(`${server.url}/docs/index.html`, { caPem: rootPem });
    expect(legacy.text).toBe(result.text);
  });

  it('renders in headless Chromium: title, every operation, schemas; no errors, no foreign requests', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const origins = new Set<string>();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    const response = await page.goto(`${server.url}/docs`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);

    expect(await page.title()).toBe('smsgate-ca Certificate Authority API');
    expect(await page.locator('h1').innerText()).toBe('smsgate-ca Certificate Authority API');
    expect(await page.locator('.version').innerText()).toContain('version 9.8.7');
    const submit = page.locator('#submitCsr');
    expect(await submit.isVisible()).toBe(true);
    expect(await submit.locator('summary').innerText()).toMatch(/POST\s+\/api\/v1\/csr\s+Submit CSR/);
    expect(await page.locator('#getCsrStatus summary').innerText()).toMatch(/GET\s+\/api\/v1\/csr\/\{id\}\s+Get CSR Status/);
    // One block per operation of the served OpenAPI document (GET + POST on /api/v1/csr count twice).
    const operations = Object.values(openApiDocument('test').paths).flatMap((path) => Object.keys(path as object));
    expect(operations.length).toBeGreaterThanOrEqual(7);
    expect(await page.locator('details.operation').count()).toBe(operations.length);
    expect(await page.locator('#schema-PostCSRRequest').innerText()).toMatch(/content\s+required/);

    // Browsable: a link in the operation list jumps to its section, and the schema links resolve.
    await page.locator('nav a[href="#getCsrStatus"]').click();
    expect(page.url()).toMatch(/#getCsrStatus$/);
    await page.locator('#submitCsr a[href="#schema-CSRStatusResponse"]').first().click();
    expect(await page.locator('#schema-CSRStatusResponse').isVisible()).toBe(true);

    // The rendered layout is real: styles applied (the method badge is coloured).
    const badge = await page
      .locator('#submitCsr .method.post')
      .evaluate((element) => (globalThis as unknown as { getComputedStyle(node: unknown): { backgroundColor: string } }).getComputedStyle(element).backgroundColor);
    expect(badge).toBe('rgb(26, 127, 55)');

    expect(problems).toEqual([]);
    expect([...origins]).toEqual([new URL(server.url).origin]);
    await page.close();
  });

  it('serves the OpenAPI document it renders', async () => {
    const result = await httpCall(`${server.url}/docs/openapi.json`, { caPem: rootPem });
    const doc = result.json<{ openapi: string; info: { version: string }; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.8.7');
    expect(Object.keys(doc.paths)).toContain('/api/v1/csr/{id}');
  });
});
