import type { ConsoleContext } from './console-context.js';
import { byId, cell, dataTable, formatTime, html } from './dom-builder.js';
import type { AuditItem } from './wire-types.js';

/** The audit log, newest first, a page at a time; "Show older entries" follows the API's cursor. */
const PAGE = 50;

interface AuditPage {
  readonly items: AuditItem[];
  readonly next_before?: number;
}

export class AuditView {
  private shown: AuditItem[] = [];
  private nextBefore: number | undefined;

  constructor(private readonly context: () => ConsoleContext) {
    byId('audit-older', HTMLButtonElement).addEventListener('click', () => void this.older());
  }

  async showLatest(): Promise<void> {
    const page = await this.context().client.get<AuditPage>('/audit', { limit: String(PAGE) });
    this.shown = page.items;
    this.nextBefore = page.next_before;
    this.render();
  }

  private async older(): Promise<void> {
    if (this.nextBefore === undefined) return;
    try {
      const page = await this.context().client.get<AuditPage>('/audit', { limit: String(PAGE), before: String(this.nextBefore) });
      this.shown = [...this.shown, ...page.items];
      this.nextBefore = page.next_before;
      this.render();
    } catch (error) {
      this.context().fail(error);
    }
  }

  private render(): void {
    byId('audit-list', HTMLElement).replaceChildren(
      this.shown.length === 0
        ? html('p', { class: 'empty' }, 'The audit log is empty.')
        : dataTable('Audit log', ['#', 'Time', 'Event', 'Door', 'Subject', 'IP addresses', 'By', 'Detail'], this.shown.map(auditRow)),
    );
    byId('audit-older', HTMLButtonElement).hidden = this.nextBefore === undefined;
  }
}

function auditRow(entry: AuditItem): HTMLTableRowElement {
  const subject = [entry.serial_number ? `certificate ${entry.serial_number}` : '', entry.request_id ? `request ${entry.request_id}` : ''].filter(Boolean).join(' · ');
  return html(
    'tr',
    { 'data-event': entry.event },
    cell('#', String(entry.sequence)),
    cell('Time', formatTime(entry.at)),
    cell('Event', html('span', { class: `badge ${entry.event}` }, entry.event)),
    cell('Door', entry.door),
    cell('Subject', html('code', {}, subject)),
    cell('IP addresses', (entry.ips ?? []).join(', ')),
    cell('By', entry.actor ?? entry.requester),
    cell('Detail', entry.detail ?? ''),
  );
}
