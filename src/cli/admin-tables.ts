/** One item of an admin API list, as JSON. */
export type ListedRow = Readonly<Record<string, unknown>>;

/** A JSON scalar or list of scalars as a cell; '-' for anything else. */
export function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(text).join(',');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '-';
}

function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return `${[headers, ...rows].map(line).join('\n')}\n`;
}

export function formatRequests(items: readonly ListedRow[]): string {
  const status = (item: ListedRow) => (item['awaiting_approval'] === true ? 'awaiting-approval' : text(item['status']));
  return table(
    ['REQUEST ID', 'STATUS', 'TYPE', 'IPS', 'REQUESTER', 'CREATED', 'DECIDED BY / REASON'],
    items.map((item) => [text(item['request_id']), status(item), text(item['type']), text(item['ips']), text(item['requester']), text(item['created_at']), [item['decided_by'], item['reason']].filter(Boolean).join(': ') || '-']),
    'no requests',
  );
}

export function formatCertificates(items: readonly ListedRow[]): string {
  return table(
    ['SERIAL', 'STATE', 'DOOR', 'TYPE', 'IPS', 'NOT AFTER'],
    items.map((item) => [text(item['serial_number']), text(item['state']), text(item['door']), text(item['type']), text(item['ips']), text(item['not_after'])]),
    'no certificates',
  );
}

export function formatAudit(items: readonly ListedRow[]): string {
  return table(
    ['SEQ', 'AT', 'EVENT', 'DOOR', 'REQUEST / SERIAL', 'ACTOR', 'DETAIL'],
    items.map((item) => [text(item['sequence']), text(item['at']), text(item['event']), text(item['door']), text(item['request_id'] ?? item['serial_number']), text(item['actor']), text(item['detail'])]),
    'no audit entries',
  );
}
