/**
 * The admin console's entry module: sign in with an admin token, then the sections (pending
 * requests, recent decisions, certificates, expiry plot, audit log) over the admin API.
 */
import { AdminApiError, AdminClient } from './admin-client.js';
import { AuditView } from './audit-view.js';
import { certificateSearchOf, type CertificateSearch } from './certificate-search.js';
import { showCertificates } from './certificates-view.js';
import type { ConsoleContext } from './console-context.js';
import { byId } from './dom-builder.js';
import { showExpiryPlot } from './expiry-plot.js';
import { prepareReasonDialog } from './reason-dialog.js';
import { showPendingRequests, showRecentRequests } from './requests-view.js';
import { forgetToken, saveToken, savedToken } from './token-session.js';
import type { Identity } from './wire-types.js';

let context: ConsoleContext | undefined;
let search: CertificateSearch = {};
const audit = new AuditView(() => signedIn());

function signedIn(): ConsoleContext {
  if (!context) throw new Error('not signed in');
  return context;
}

function notify(message: string): void {
  byId('problem', HTMLElement).hidden = true;
  byId('status', HTMLElement).textContent = message;
}

function fail(error: unknown): void {
  if (error instanceof AdminApiError && error.status === 401) {
    signOut(`Signed out: ${error.message}.`);
    return;
  }
  const problem = byId('problem', HTMLElement);
  problem.textContent = error instanceof Error ? error.message : String(error);
  problem.hidden = false;
}

/** Reloads every section; false (with the problem shown) when one could not be loaded. */
async function reload(): Promise<boolean> {
  const current = signedIn();
  try {
    await Promise.all([showPendingRequests(current), showRecentRequests(current), showCertificates(current, search), showExpiryPlot(current), audit.showLatest()]);
    return true;
  } catch (error) {
    fail(error);
    return false;
  }
}

async function refresh(): Promise<void> {
  await reload();
}

async function signIn(token: string, resumed: boolean): Promise<void> {
  if (token === '') return fail(new Error('Type or paste an admin token.'));
  const client = new AdminClient(token);
  let identity: Identity;
  try {
    identity = await client.get<Identity>('/whoami');
  } catch (error) {
    if (resumed) forgetToken();
    return fail(error instanceof AdminApiError && error.status === 401 ? new Error(`Sign-in refused: ${error.message}.`) : error);
  }
  saveToken(token);
  context = { client, notify, fail, refresh };
  byId('token', HTMLInputElement).value = '';
  byId('identity-name', HTMLElement).textContent = `${identity.name} (${identity.token_id})`;
  showSignedIn(true);
  notify(`Signed in as ${identity.name}.`);
  await refresh();
  byId('pending-heading', HTMLElement).focus();
}

function signOut(message: string): void {
  forgetToken();
  context = undefined;
  showSignedIn(false);
  notify(message);
  byId('token', HTMLInputElement).focus();
}

function showSignedIn(signedInNow: boolean): void {
  byId('sign-in', HTMLElement).hidden = signedInNow;
  byId('identity', HTMLElement).hidden = !signedInNow;
  byId('console', HTMLElement).hidden = !signedInNow;
}

function searchCertificates(): void {
  const parsed = certificateSearchOf(byId('certificate-query', HTMLInputElement).value, byId('certificate-state', HTMLSelectElement).value);
  if (typeof parsed === 'string') return fail(new Error(parsed));
  search = parsed;
  showCertificates(signedIn(), search).catch(fail);
}

function start(): void {
  prepareReasonDialog();
  byId('sign-in-form', HTMLFormElement).addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn(byId('token', HTMLInputElement).value.trim(), false);
  });
  byId('sign-out', HTMLButtonElement).addEventListener('click', () => signOut('Signed out; the token is forgotten in this tab.'));
  byId('refresh', HTMLButtonElement).addEventListener('click', () => void reload().then((loaded) => loaded && notify('Refreshed.')));
  byId('certificate-search', HTMLFormElement).addEventListener('submit', (event) => {
    event.preventDefault();
    searchCertificates();
  });
  const saved = savedToken();
  if (saved) void signIn(saved, true);
}

start();
