import type { ConsoleContext } from './console-context.js';
import { byId, cell, dataTable, formatTime, html } from './dom-builder.js';
import { askReason } from './reason-dialog.js';
import type { CertificateSearch } from './certificate-search.js';
import type { CertificateItem } from './wire-types.js';

const PAGE = 100;

/** Certificates, newest first, searched by IP address or serial number, each valid one revocable. */
export async function showCertificates(context: ConsoleContext, search: CertificateSearch): Promise<void> {
  const { items } = await context.client.get<{ items: CertificateItem[] }>('/certificates', { ...search, limit: String(PAGE) });
  byId('certificate-summary', HTMLElement).textContent = summaryOf(items.length, search);
  byId('certificate-list', HTMLElement).replaceChildren(
    items.length === 0
      ? html('p', { class: 'empty' }, 'No certificate matches.')
      : dataTable('Certificates', ['Serial number', 'IP addresses', 'Door', 'Issued', 'Expires', 'State', 'Action'], items.map((item) => certificateRow(item, context))),
  );
}

function summaryOf(count: number, search: CertificateSearch): string {
  const filters = [search.ip ? `IP ${search.ip}` : '', search.serial ? `serial starting ${search.serial}` : '', search.state ? `state ${search.state}` : ''].filter(Boolean);
  const shown = count === PAGE ? `the newest ${PAGE} certificates` : `${count} certificate${count === 1 ? '' : 's'}`;
  return `${shown}${filters.length ? ` with ${filters.join(', ')}` : ''}, newest first.`.replace(/^./, (first) => first.toUpperCase());
}

function certificateRow(item: CertificateItem, context: ConsoleContext): HTMLTableRowElement {
  return html(
    'tr',
    { 'data-serial': item.serial_number },
    cell('Serial number', html('code', { class: 'serial' }, item.serial_number)),
    cell('IP addresses', item.ips.join(', ')),
    cell('Door', item.door),
    cell('Issued', formatTime(item.issued_at)),
    cell('Expires', formatTime(item.not_after)),
    cell('State', html('span', { class: `badge ${item.state}` }, item.state === 'revoked' ? `revoked (${item.revocation_reason ?? 'unspecified'})` : item.state)),
    cell('Action', item.state === 'valid' && revokeButton(item, context)),
  );
}

function revokeButton(item: CertificateItem, context: ConsoleContext): HTMLButtonElement {
  const button = html('button', { type: 'button', class: 'revoke', 'aria-label': `Revoke certificate ${item.serial_number} for ${item.ips.join(', ')}` }, 'Revoke…');
  button.addEventListener('click', () => void revoke(item, context, button));
  return button;
}

async function revoke(item: CertificateItem, context: ConsoleContext, button: HTMLButtonElement): Promise<void> {
  const reason = await askReason({ kind: 'revoke', title: 'Revoke certificate', subject: `${item.serial_number} — ${item.ips.join(', ')}`, confirmLabel: 'Revoke certificate' });
  if (reason === undefined) return;
  button.disabled = true;
  try {
    await context.client.post(`/certificates/${encodeURIComponent(item.serial_number)}/revoke`, { reason });
    context.notify(`Revoked certificate ${item.serial_number} (${item.ips.join(', ')}): ${reason}.`);
    await context.refresh();
  } catch (error) {
    button.disabled = false;
    context.fail(error);
  }
}
