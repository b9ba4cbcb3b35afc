/** How deep any JSON body may nest objects and arrays; real requests (REST, JWS, ACME payloads) use 3 or 4. */
export const MAX_JSON_DEPTH = 32;

/**
 * True when `text` opens more than `maxDepth` objects or arrays inside each other. A linear scan of
 * the raw text, run before JSON.parse, so that no deeply nested value ever reaches code that walks
 * it recursively (a stack overflow). Brackets inside strings do not count; malformed JSON is left
 * for JSON.parse to refuse.
 */
export function nestsDeeperThan(text: string, maxDepth: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = closingQuote(text, index);
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that ends the string opened at `opening` (text.length when none does), jumping with indexOf. */
function closingQuote(text: string, opening: number): number {
  let at = opening;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
