import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, headless, in a fresh profile directory (Playwright passes it as
 * --user-data-dir). It trusts any HTTPS certificate: the chains are verified by openssl elsewhere,
 * the browser only has to render. No name resolves, so Chromium's background services cannot
 * reach anything off loopback (pages are loaded from IP literals).
 */
export async function launchHeadlessChromium(profileDir: string, options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    ignoreHTTPSErrors: true,
    ...options,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}
