/**
 * Nesting depth of JSON documents, measured without recursion, so that a document nested deeper than
 * Gatehouse's recursive code (validation, error messages, JSON.stringify) can take is refused before
 * that code sees it. `JSON.parse` itself is iterative in V8 and takes any depth.
 */

const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Whether the JSON text nests arrays and objects more than `max` levels deep: one scan of the bytes
 * (or UTF-16 units) counting brackets outside strings. It does not check that the text is JSON; text
 * that is not is left to `JSON.parse`, and its depth here is whatever its brackets say.
 */
export function jsonNestingExceeds(text: string | Uint8Array, max: number): boolean {
  const bytes = typeof text !== 'string';
  const length = text.length;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = bytes ? (text[i] as number) : text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** Whether a parsed value nests arrays and objects more than `max` levels deep (walked without recursion). */
export function valueNestingExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [v, depth] = item;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
