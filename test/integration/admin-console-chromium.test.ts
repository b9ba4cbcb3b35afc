import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientCsr } from '../../src/ca/index.js';
import { makeTempDir, runCliProcess } from '../support/cli.js';
import { httpCall, readRoot, startServeProcess, type CsrStatusBody, type HttpResult, type ServeProcess } from '../support/serve-process.js';
import { launchHeadlessChromium } from '../support/headless-chromium.js';

/**
 * The admin console in headless Chromium against the built server with --rest-approval manual: sign
 * in, approve (by keyboard and by mouse), deny, search and revoke, the expiry plot, the audit log, a
 * phone viewport; no console error, no request to another origin, the token in no URL and no log.
 * CONSOLE_SCREENSHOT_DIR, when set, receives the screenshots (they are always taken into the
 * test's temporary directory).
 */
const EXPECTED_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const ADMIN_NAME = 'console-admin';
const IPS = { keyboard: '127.0.0.21', mouse: '127.0.0.22', denied: '127.0.0.23', later: '127.0.0.24' } as const;

let work: { dir: string; cleanup: () => Promise<void> };
let server: ServeProcess;
let rootPem: string;
let token: string;
let tokenId: string;
let context: BrowserContext;
let profileDir: string;
let page: Page;
const requestIds = new Map<string, string>();
const problems: string[] = [];
const requestedUrls: string[] = [];

beforeAll(async () => {
  work = await makeTempDir();
  const dataDir = join(work.dir, 'data');
  server = await startServeProcess(dataDir, ['--rate-limit', '0', '--rest-approval', 'manual', '--log-level', 'info']);
  rootPem = await readRoot(dataDir);
  const created = await runCliProcess(['admin', 'token', 'create', '--data-dir', dataDir, '--name', ADMIN_NAME]);
  expect(created.code, created.stderr).toBe(0);
  token = created.stdout.trim();
  tokenId = /created admin token ([a-z0-9]+)/.exec(created.stderr)![1]!;
  for (const ip of [IPS.keyboard, IPS.mouse, IPS.denied]) requestIds.set(ip, await submit(ip));
  profileDir = await mkdtemp(join(tmpdir(), 'smsgate-ca-console-'));
  context = await launchHeadlessChromium(profileDir, { viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  // A step that fails should fail well inside the test's own timeout.
  page.setDefaultTimeout(10_000);
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('request', (request) => requestedUrls.push(request.url()));
}, 60_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await work?.cleanup();
});

async function submit(ip: string): Promise<string> {
  const submitted = await httpCall(`${server.url}/api/v1/csr`, {
    method: 'POST',
    body: JSON.stringify({ type: 'private_server', content: buildClientCsr(ip).csrPem }),
    headers: { 'Content-Type': 'application/json' },
    caPem: rootPem,
  });
  expect(submitted.status).toBe(202);
  return submitted.json<CsrStatusBody>().request_id;
}

function adminGet(path: string): Promise<HttpResult> {
  return httpCall(`${server.url}/api/v1/admin/${path}`, { caPem: rootPem, headers: { Authorization: `Bearer ${token}` } });
}

async function statusOf(ip: string): Promise<CsrStatusBody> {
  return (await httpCall(`${server.url}/api/v1/csr/${requestIds.get(ip)}`, { caPem: rootPem })).json<CsrStatusBody>();
}

async function expectStatus(text: RegExp): Promise<string> {
  const status = page.locator('#status');
  await status.filter({ hasText: text }).waitFor();
  return status.innerText();
}

/** Presses Tab until the focused element's accessible label starts with `label` (bounded). */
async function tabTo(label: string): Promise<Locator> {
  for (let press = 0; press < 40; press++) {
    await page.keyboard.press('Tab');
    if ((await page.locator(':focus').getAttribute('aria-label'))?.startsWith(label)) return page.locator(':focus');
  }
  throw new Error(`no element labelled "${label}…" is reachable with Tab`);
}

/** An attribute of each element the locator matches, in document order. */
async function attributesOf(locator: Locator, name: string): Promise<Array<string | null>> {
  return Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
}

async function sumOfBars(): Promise<number> {
  return (await attributesOf(page.locator('svg.expiry-chart rect.bar'), 'data-count')).reduce((sum, count) => sum + Number(count), 0);
}

describe('the admin console (/console) in headless Chromium', () => {
  it('serves the page, its stylesheet and its modules from this origin under the strict CSP', async () => {
    for (const path of ['/console', '/console/console.css', '/console/main.js']) {
      const result = await httpCall(`${server.url}${path}`, { caPem: rootPem });
      expect(result.status, path).toBe(200);
      expect(result.headers['content-security-policy'], path).toBe(EXPECTED_CSP);
      expect(result.headers['x-content-type-options'], path).toBe('nosniff');
      expect(result.headers['referrer-policy'], path).toBe('no-referrer');
      expect(result.headers['set-cookie'], path).toBeUndefined();
    }
    expect((await httpCall(`${server.url}/console/main.js`, { caPem: rootPem })).headers['content-type']).toBe('text/javascript; charset=utf-8');
    const unknown = await httpCall(`${server.url}/console/other.js`, { caPem: rootPem });
    expect(unknown.status).toBe(404);
    expect(unknown.json<{ error: { message: string } }>().error.message).toMatch(/no such console file/);
    const page = await httpCall(`${server.url}/console`, { caPem: rootPem });
    expect(page.text).not.toMatch(/<script>|<style>| style=| on[a-z]+=/);
    expect(page.text).not.toMatch(/<input[^>]* name=/);
  });

  it('signs in with the token typed into a password field and Enter', async () => {
    const response = await page.goto(`${server.url}/console`, { waitUntil: 'load' });
    expect(response?.headers()['content-security-policy']).toBe(EXPECTED_CSP);
    expect(await page.title()).toBe('smsgate-ca admin console');
    const field = page.getByLabel('Admin token');
    expect(await field.getAttribute('type')).toBe('password');
    await field.fill(token);
    await field.press('Enter');
    await page.locator('#identity-name').filter({ hasText: ADMIN_NAME }).waitFor();
    expect(await page.locator('#identity-name').innerText()).toBe(`${ADMIN_NAME} (${tokenId})`);
    expect(await page.locator('#sign-in').isHidden()).toBe(true);
    expect(page.url()).toBe(`${server.url}/console`);
    await page.locator('#pending-list li.card').nth(2).waitFor();
    expect(await page.locator('#pending-count').innerText()).toBe('3');
    // Oldest first: the order they were submitted in.
    expect(await page.locator('#pending-list li.card h3').allInnerTexts()).toEqual([IPS.keyboard, IPS.mouse, IPS.denied]);
  });

  it('approves a pending request from the keyboard, with a visible focus ring, and shows it signed', async () => {
    const approve = await tabTo(`Approve ${IPS.keyboard}`);
    const outline = await approve.evaluate((element) => {
      const style = (globalThis as unknown as { getComputedStyle(node: unknown): { outlineStyle: string; outlineWidth: string } }).getComputedStyle(element);
      return `${style.outlineStyle} ${style.outlineWidth}`;
    });
    expect(outline).toBe('solid 3px');
    await page.keyboard.press('Enter');
    const status = await expectStatus(new RegExp(`^Signed ${IPS.keyboard.replaceAll('.', '\\.')}: certificate [0-9a-f]+`));
    const serial = /certificate ([0-9a-f]+)/.exec(status)![1]!;
    const decided = await statusOf(IPS.keyboard);
    expect(decided.status).toBe('approved');
    expect(decided.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const request = (await adminGet(`requests/${requestIds.get(IPS.keyboard)}`)).json<{ request: { serial_number: string; decided_by: string } }>().request;
    expect(request).toMatchObject({ serial_number: serial, decided_by: `${ADMIN_NAME} (${tokenId})` });
    await page.locator('#recent-list tr', { hasText: serial }).waitFor();
    expect(await page.locator('#pending-list li.card').count()).toBe(2);
  });

  it('approves with the mouse, and denies with a reason asked in a dialog', async () => {
    await page.getByRole('button', { name: new RegExp(`^Approve ${IPS.mouse.replaceAll('.', '\\.')}`) }).click();
    await expectStatus(new RegExp(`^Signed ${IPS.mouse.replaceAll('.', '\\.')}`));
    expect((await statusOf(IPS.mouse)).status).toBe('approved');

    await page.getByRole('button', { name: new RegExp(`^Deny ${IPS.denied.replaceAll('.', '\\.')}`) }).click();
    const dialog = page.getByRole('dialog', { name: 'Deny request' });
    await dialog.waitFor();
    await dialog.getByLabel('Reason (the requester sees it)').fill('not on the device inventory');
    await dialog.getByRole('button', { name: 'Deny request' }).click();
    await expectStatus(/^Denied 127\.0\.0\.23/);
    expect(await dialog.isHidden()).toBe(true);
    expect(await statusOf(IPS.denied)).toMatchObject({ status: 'denied', reason: 'not on the device inventory' });
    expect(await page.locator('#pending-list .empty').innerText()).toBe('No request is waiting for a decision.');
    expect(await page.locator('#recent-list tr', { hasText: IPS.denied }).innerText()).toContain('not on the device inventory');
  });

  it('draws the expiry plot as SVG bars, in the week the certificates expire', async () => {
    expect(await sumOfBars()).toBe(2);
    const certificates = (await adminGet('certificates?state=valid')).json<{ items: Array<{ not_after: string }> }>().items;
    expect(certificates).toHaveLength(2);
    const today = new Date(new Date().toISOString().slice(0, 10));
    const weekOf = (iso: string) => new Date(today.getTime() + Math.floor((Date.parse(iso) - today.getTime()) / (7 * 86_400_000)) * 7 * 86_400_000).toISOString().slice(0, 10);
    const weeks = await attributesOf(page.locator('svg.expiry-chart rect.bar'), 'data-week');
    expect(weeks).toEqual([...new Set(certificates.map((certificate) => weekOf(certificate.not_after)))]);
    expect(await page.locator('svg.expiry-chart').getAttribute('role')).toBe('img');
    expect(await page.locator('svg.expiry-chart text.month').count()).toBeGreaterThanOrEqual(13);
    const bar = page.locator('svg.expiry-chart rect.bar').first();
    expect(Number(await bar.getAttribute('height'))).toBeGreaterThan(100);
    expect(await page.locator('#expiry-summary').innerText()).toMatch(/^2 valid certificates expire before \d{4}-\d{2}-\d{2}; the busiest week starts/);
  });

  it('searches certificates by IP and revokes one with an RFC 5280 reason', async () => {
    const query = page.getByLabel('IP address or serial number');
    await query.fill(IPS.keyboard);
    await query.press('Enter');
    await page.locator('#certificate-summary').filter({ hasText: `IP ${IPS.keyboard}` }).waitFor();
    const rows = page.locator('#certificate-list tbody tr');
    expect(await rows.count()).toBe(1);
    const serial = (await rows.first().getAttribute('data-serial'))!;
    await rows.first().getByRole('button', { name: /^Revoke certificate/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke certificate' });
    await dialog.getByLabel('Reason (RFC 5280)').selectOption('keyCompromise');
    await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
    await expectStatus(new RegExp(`^Revoked certificate ${serial}`));
    await rows.first().filter({ hasText: 'revoked (keyCompromise)' }).waitFor();
    const revoked = (await adminGet(`certificates/${serial}`)).json<{ certificate: { state: string; revocation_reason: string } }>().certificate;
    expect(revoked).toMatchObject({ state: 'revoked', revocation_reason: 'keyCompromise' });
    // The plot counts valid certificates only.
    expect(await sumOfBars()).toBe(1);

    await query.fill('not-a-serial!');
    await query.press('Enter');
    await page.locator('#problem').filter({ hasText: 'Search by an IPv4 address' }).waitFor();
    await query.fill(serial.slice(0, 8));
    await query.press('Enter');
    await page.locator('#certificate-summary').filter({ hasText: `serial starting ${serial.slice(0, 8)}` }).waitFor();
    expect(await rows.first().getAttribute('data-serial')).toBe(serial);
  });

  it('shows the audit log: every decision with the administrator who made it', async () => {
    const actor = `${ADMIN_NAME} (${tokenId})`;
    for (const [event, count] of [['approved', 2], ['denied', 1], ['revoked', 1], ['issued', 2], ['submitted', 3]] as const) {
      expect(await page.locator(`#audit-list tr[data-event="${event}"]`).count(), event).toBe(count);
    }
    for (const event of ['approved', 'denied', 'revoked']) {
      for (const by of await page.locator(`#audit-list tr[data-event="${event}"] td[data-label="By"]`).allInnerTexts()) expect(by).toBe(actor);
    }
    expect(await page.locator('#audit-list tr[data-event="denied"] td[data-label="Detail"]').innerText()).toContain('not on the device inventory');
  });

  it('refreshes to show a new request, and fits a phone screen', async () => {
    requestIds.set(IPS.later, await submit(IPS.later));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#pending-list li.card h3', { hasText: IPS.later }).waitFor();
    const shots = await screenshotDirectory();
    await page.screenshot({ path: join(shots, 'console-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    const widths = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return { scroll: root.scrollWidth, client: root.clientWidth };
    });
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    expect(await page.getByRole('button', { name: new RegExp(`^Approve ${IPS.later.replaceAll('.', '\\.')}`) }).isVisible()).toBe(true);
    await page.screenshot({ path: join(shots, 'console-phone.png'), fullPage: true });
    await page.locator('#expiry').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'console-phone-expiry.png') });
    for (const name of ['console-desktop.png', 'console-phone.png']) expect((await readFile(join(shots, name))).subarray(1, 4).toString()).toBe('PNG');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('made no error, talked only to its own origin, and put the token in no URL and no log line', async () => {
    expect(problems).toEqual([]);
    expect(requestedUrls.length).toBeGreaterThan(10);
    expect([...new Set(requestedUrls.map((url) => new URL(url).origin))]).toEqual([new URL(server.url).origin]);
    expect(requestedUrls.filter((url) => url.includes(token) || url.includes(tokenId))).toEqual([]);
    expect(server.output()).toContain('"path":"/api/v1/admin/whoami"');
    expect(server.output()).not.toContain(token);
  });

  it('signs out and forgets the token; a wrong token is refused with the server message', async () => {
    expect(await sessionLength()).toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect(await sessionLength()).toBe(0);
    expect(await page.locator('#console').isHidden()).toBe(true);
    await page.reload();
    expect(await page.locator('#sign-in').isVisible()).toBe(true);

    const before = problems.length;
    await page.getByLabel('Admin token').fill(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#problem').filter({ hasText: 'Sign-in refused: the bearer token is not valid' }).waitFor();
    expect(await page.locator('#console').isHidden()).toBe(true);
    expect(await sessionLength()).toBe(0);
    // Chromium reports the 401 itself; nothing else may appear.
    expect(problems.slice(before)).toEqual([expect.stringMatching(/^console error: Failed to load resource: the server responded with a status of 401/)]);
  });
});

function sessionLength(): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length);
}

async function screenshotDirectory(): Promise<string> {
  const directory = process.env['CONSOLE_SCREENSHOT_DIR'] ?? join(work.dir, 'screenshots');
  await mkdir(directory, { recursive: true });
  return directory;
}
