import type { ConsoleContext } from './console-context.js';
import { byId, cell, dataTable, html, svg } from './dom-builder.js';
import { expiryHistogram, HORIZON_MONTHS, isoDay, type ExpiryHistogram, type ExpiryWeek } from './expiry-weeks.js';
import { MAX_LIST_LIMIT, type CertificateItem } from './wire-types.js';

/** Valid certificates expiring per week over the next 13 months: an SVG bar chart the page draws itself. */
export async function showExpiryPlot(context: ConsoleContext, now = new Date()): Promise<void> {
  const { items } = await context.client.get<{ items: CertificateItem[] }>('/certificates', { state: 'valid', limit: String(MAX_LIST_LIMIT) });
  const histogram = expiryHistogram(
    items.map((item) => new Date(item.not_after)),
    now,
  );
  byId('expiry-chart', HTMLElement).replaceChildren(chartOf(histogram));
  byId('expiry-summary', HTMLElement).textContent = summaryOf(histogram, items.length === MAX_LIST_LIMIT);
  const busy = histogram.weeks.filter((week) => week.count > 0);
  byId('expiry-table', HTMLElement).replaceChildren(
    busy.length === 0 ? html('p', { class: 'empty' }, 'No certificate expires in this span.') : dataTable('Certificates expiring per week', ['Week starting', 'Certificates'], busy.map(weekRow)),
  );
}

function summaryOf(histogram: ExpiryHistogram, truncated: boolean): string {
  const inSpan = histogram.weeks.reduce((sum, week) => sum + week.count, 0);
  const busiest = histogram.weeks.reduce<ExpiryWeek | undefined>((best, week) => (week.count > (best?.count ?? 0) ? week : best), undefined);
  const parts = [
    `${inSpan} valid certificate${inSpan === 1 ? '' : 's'} expire${inSpan === 1 ? 's' : ''} before ${isoDay(histogram.end)}`,
    busiest ? `the busiest week starts ${isoDay(busiest.start)} (${busiest.count})` : '',
    histogram.later > 0 ? `${histogram.later} expire later` : '',
  ].filter(Boolean);
  return `${parts.join('; ')}.${truncated ? ` Counted from the ${MAX_LIST_LIMIT} most recently issued valid certificates only.` : ''}`;
}

function weekRow(week: ExpiryWeek): HTMLTableRowElement {
  return html('tr', {}, cell('Week starting', isoDay(week.start)), cell('Certificates', String(week.count)));
}

const WIDTH = 960;
const HEIGHT = 260;
const MARGIN = { left: 44, right: 12, top: 12, bottom: 44 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function chartOf(histogram: ExpiryHistogram): SVGSVGElement {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / histogram.weeks.length;
  const top = Math.max(1, ...histogram.weeks.map((week) => week.count));
  const yOf = (count: number) => MARGIN.top + plotHeight - (count / top) * plotHeight;
  return svg(
    'svg',
    { class: 'expiry-chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': 'expiry-chart-title expiry-chart-desc' },
    svg('title', { id: 'expiry-chart-title' }, `Certificates expiring per week, next ${HORIZON_MONTHS} months`),
    svg('desc', { id: 'expiry-chart-desc' }, 'One bar per week; the table below the chart lists the same counts.'),
    ...yTicks(top).map((count) => yAxisTick(count, yOf(count))),
    ...monthLabels(histogram.weeks, slot),
    ...histogram.weeks.flatMap((week, index) => (week.count > 0 ? [bar(week, MARGIN.left + index * slot, slot, yOf(week.count))] : [])),
    svg('line', { class: 'axis', x1: String(MARGIN.left), x2: String(WIDTH - MARGIN.right), y1: String(yOf(0)), y2: String(yOf(0)) }),
  );
}

function bar(week: ExpiryWeek, x: number, slot: number, y: number): SVGRectElement {
  const height = MARGIN.top + (HEIGHT - MARGIN.top - MARGIN.bottom) - y;
  return svg(
    'rect',
    { class: 'bar', x: (x + 1).toFixed(1), y: y.toFixed(1), width: Math.max(1, slot - 2).toFixed(1), height: height.toFixed(1), 'data-week': isoDay(week.start), 'data-count': String(week.count) },
    svg('title', {}, `Week of ${isoDay(week.start)}: ${week.count} certificate${week.count === 1 ? '' : 's'}`),
  );
}

/** Whole-number ticks from 0 to the tallest bar, at most five. */
function yTicks(top: number): number[] {
  const step = Math.max(1, Math.ceil(top / 4));
  const ticks: number[] = [];
  for (let count = 0; count < top; count += step) ticks.push(count);
  return [...ticks, top];
}

function yAxisTick(count: number, y: number): SVGGElement {
  return svg(
    'g',
    { class: 'tick' },
    svg('line', { class: 'grid', x1: String(MARGIN.left), x2: String(WIDTH - MARGIN.right), y1: y.toFixed(1), y2: y.toFixed(1) }),
    svg('text', { x: String(MARGIN.left - 6), y: (y + 4).toFixed(1), 'text-anchor': 'end' }, String(count)),
  );
}

/** A label under the first week of each month, with the year on the first label and on January. */
function monthLabels(weeks: readonly ExpiryWeek[], slot: number): SVGTextElement[] {
  const starts = weeks.flatMap((week, index) => (index === 0 || weeks[index - 1]!.start.getUTCMonth() !== week.start.getUTCMonth() ? [index] : []));
  // Today's month gets no label when the next month begins within a few weeks: the two would overlap.
  const labelled = starts.length > 1 && starts[1]! < 4 ? starts.slice(1) : starts;
  return labelled.map((index, position) => {
    const start = weeks[index]!.start;
    const month = MONTHS[start.getUTCMonth()]!;
    const label = position === 0 || start.getUTCMonth() === 0 ? `${month} ${start.getUTCFullYear()}` : month;
    return svg('text', { class: 'month', x: (MARGIN.left + index * slot).toFixed(1), y: String(HEIGHT - MARGIN.bottom + 18) }, label);
  });
}
