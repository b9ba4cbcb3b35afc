import type { ConsoleContext } from './console-context.js';
import { byId, cell, dataTable, formatTime, html } from './dom-builder.js';
import { askReason } from './reason-dialog.js';
import { MAX_LIST_LIMIT, type RequestItem } from './wire-types.js';

/** Requests waiting for an administrator, oldest first, each with Approve and Deny. */
export async function showPendingRequests(context: ConsoleContext): Promise<void> {
  const { items } = await context.client.get<{ items: RequestItem[] }>('/requests', { awaiting_approval: 'true', limit: String(MAX_LIST_LIMIT) });
  const waiting = [...items].reverse();
  byId('pending-count', HTMLElement).textContent = String(waiting.length);
  byId('pending-list', HTMLElement).replaceChildren(
    waiting.length === 0 ? html('p', { class: 'empty' }, 'No request is waiting for a decision.') : html('ul', { class: 'cards' }, ...waiting.map((item) => pendingCard(item, context))),
  );
}

function pendingCard(item: RequestItem, context: ConsoleContext): HTMLLIElement {
  const subject = `${item.ips.join(', ')} (request ${item.request_id})`;
  const approve = html('button', { type: 'button', class: 'approve', 'aria-label': `Approve ${subject}` }, 'Approve');
  const deny = html('button', { type: 'button', class: 'deny', 'aria-label': `Deny ${subject}` }, 'Deny…');
  approve.addEventListener('click', () => void approveRequest(item, context, [approve, deny]));
  deny.addEventListener('click', () => void denyRequest(item, context, [approve, deny]));
  return html(
    'li',
    { class: 'card', 'data-request-id': item.request_id },
    html('h3', {}, item.ips.join(', ')),
    html(
      'dl',
      {},
      ...term('Requested by', item.requester),
      ...term('Type', item.type),
      ...term('Submitted', formatTime(item.created_at)),
      ...term('Request', html('code', {}, item.request_id)),
      ...Object.entries(item.metadata).flatMap(([key, value]) => term(key, value)),
    ),
    html('div', { class: 'actions' }, approve, deny),
  );
}

function term(name: string, value: string | Node): HTMLElement[] {
  return [html('dt', {}, name), html('dd', {}, value)];
}

async function approveRequest(item: RequestItem, context: ConsoleContext, buttons: readonly HTMLButtonElement[]): Promise<void> {
  setDisabled(buttons, true);
  try {
    await context.client.post(`/requests/${encodeURIComponent(item.request_id)}/approve`);
    context.notify(`Approved ${item.ips.join(', ')}; waiting for the signature…`);
    const decided = await signedRequest(context, item.request_id);
    context.notify(
      decided.status === 'approved'
        ? `Signed ${item.ips.join(', ')}: certificate ${decided.serial_number ?? ''} (request ${item.request_id}).`
        : `Approved ${item.ips.join(', ')}; the signer has not finished yet (request ${item.request_id}).`,
    );
    await context.refresh();
  } catch (error) {
    setDisabled(buttons, false);
    context.fail(error);
  }
}

const SIGNATURE_POLLS = 40;
const SIGNATURE_POLL_MS = 250;

/** The request once the signer has issued it, or as it stands after a bounded number of polls. */
async function signedRequest(context: ConsoleContext, id: string): Promise<RequestItem> {
  let current: RequestItem | undefined;
  for (let poll = 0; poll < SIGNATURE_POLLS; poll++) {
    current = (await context.client.get<{ request: RequestItem }>(`/requests/${encodeURIComponent(id)}`)).request;
    if (current.status !== 'pending') return current;
    await new Promise((resolve) => setTimeout(resolve, SIGNATURE_POLL_MS));
  }
  return current!;
}

async function denyRequest(item: RequestItem, context: ConsoleContext, buttons: readonly HTMLButtonElement[]): Promise<void> {
  const reason = await askReason({ kind: 'deny', title: 'Deny request', subject: `${item.ips.join(', ')} — requested by ${item.requester}`, confirmLabel: 'Deny request' });
  if (reason === undefined) return;
  setDisabled(buttons, true);
  try {
    await context.client.post(`/requests/${encodeURIComponent(item.request_id)}/deny`, { reason });
    context.notify(`Denied ${item.ips.join(', ')} (request ${item.request_id}): ${reason}`);
    await context.refresh();
  } catch (error) {
    setDisabled(buttons, false);
    context.fail(error);
  }
}

function setDisabled(buttons: readonly HTMLButtonElement[], disabled: boolean): void {
  for (const button of buttons) button.disabled = disabled;
}

const RECENT_REQUESTS = 20;

/** The latest requests already decided (or being signed): what became of them. */
export async function showRecentRequests(context: ConsoleContext): Promise<void> {
  const { items } = await context.client.get<{ items: RequestItem[] }>('/requests', { awaiting_approval: 'false', limit: String(RECENT_REQUESTS) });
  byId('recent-list', HTMLElement).replaceChildren(
    items.length === 0
      ? html('p', { class: 'empty' }, 'No request has been decided yet.')
      : dataTable('Recently decided requests', ['IP addresses', 'Status', 'Updated', 'Decided by', 'Certificate or reason', 'Request'], items.map(recentRow)),
  );
}

function recentRow(item: RequestItem): HTMLTableRowElement {
  const outcome = item.status === 'approved' ? html('code', {}, item.serial_number ?? '') : item.status === 'denied' ? (item.reason ?? '') : 'being signed';
  return html(
    'tr',
    { 'data-request-id': item.request_id },
    cell('IP addresses', item.ips.join(', ')),
    cell('Status', html('span', { class: `badge ${item.status}` }, item.status)),
    cell('Updated', formatTime(item.updated_at)),
    cell('Decided by', item.decided_by ?? 'policy'),
    cell('Certificate or reason', outcome),
    cell('Request', html('code', {}, item.request_id)),
  );
}
