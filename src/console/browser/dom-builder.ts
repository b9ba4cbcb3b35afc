/** Small helpers to build the console's DOM: text is always set as text, never parsed as HTML. */
export type Child = Node | string | null | undefined | false;

type Attributes = Readonly<Record<string, string | undefined>>;

export function html<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  element.append(...present(children));
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  element.append(...present(children));
  return element;
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
}

function present(children: readonly Child[]): Array<Node | string> {
  return children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false);
}

/** The page's element with this id, checked to be of the expected kind. */
export function byId<T extends Element>(id: string, kind: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof kind)) throw new Error(`the console page has no #${id} of the expected kind`);
  return element;
}

/** "2025-03-04 12:34 UTC": unambiguous for administrators in any time zone. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A table that scrolls sideways inside its box rather than widening the page. */
export function dataTable(caption: string, headings: readonly string[], rows: readonly HTMLTableRowElement[]): HTMLElement {
  return html(
    'div',
    { class: 'table-scroll' },
    html('table', {}, html('caption', { class: 'visually-hidden' }, caption), html('thead', {}, html('tr', {}, ...headings.map((heading) => html('th', { scope: 'col' }, heading)))), html('tbody', {}, ...rows)),
  );
}

/** A table cell that carries its column name, shown beside the value when rows stack on a phone. */
export function cell(label: string, ...children: Child[]): HTMLTableCellElement {
  return html('td', { 'data-label': label }, ...children);
}
