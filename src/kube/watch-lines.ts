import type { WatchEvent } from './kube-api.js';

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Splits a watch response body (one JSON event per line) into events, across chunk boundaries. */
export class WatchLineDecoder {
  private rest = '';

  push(chunk: Buffer | string): WatchEvent[] {
    const text = this.rest + chunk.toString();
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines.filter((line) => line.trim() !== '').map(parseEvent);
  }
}

export function parseEvent(line: string): WatchEvent {
  const parsed = JSON.parse(line) as { type?: unknown; object?: unknown };
  if (typeof parsed.type !== 'string' || !EVENT_TYPES.has(parsed.type)) throw new Error(`unexpected watch event: ${line.slice(0, 200)}`);
  return { type: parsed.type as WatchEvent['type'], object: parsed.object };
}
