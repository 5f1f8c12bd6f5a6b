/**
 * `$util` of mapping templates: escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode,
 * base64Decode, with the Java semantics AWS's implementation has (commons-lang `escapeJavaScript`,
 * `URLEncoder`/`URLDecoder` in UTF-8).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#util-template-reference
 */

const text = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value as number | boolean));

const hex4 = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');

/** JavaScript string escaping: quotes (`'` too, as AWS documents), backslash, `/`, control and non-ASCII characters as `\uXXXX`. */
export function escapeJavaScript(value: unknown): string {
  let out = '';
  for (const c of text(value)) {
    const code = c.codePointAt(0) as number;
    if (code > 0xffff) {
      // Astral characters are escaped as their UTF-16 surrogate pair, as Java strings hold them.
      out += `\\u${hex4(c.charCodeAt(0))}\\u${hex4(c.charCodeAt(1))}`;
    } else if (code > 0x7e) out += `\\u${hex4(code)}`;
    else if (code < 0x20) {
      const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
      out += named[code] ?? `\\u${hex4(code)}`;
    } else if (c === "'" || c === '"' || c === '\\' || c === '/') out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** `application/x-www-form-urlencoded` as Java's URLEncoder: letters, digits and `.-*_` kept, space as `+`. */
export function urlEncode(value: unknown): string {
  return encodeURIComponent(text(value)).replace(/[!'()~]/g, (c) => `%${(c.codePointAt(0) as number).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** Decodes `application/x-www-form-urlencoded` (`+` is a space); malformed escapes are kept as they are. */
export function urlDecode(value: unknown): string {
  const plus = text(value).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Base64 of the UTF-8 bytes. */
export const base64Encode = (value: unknown): string => Buffer.from(text(value), 'utf8').toString('base64');

/** The UTF-8 text of base64 data. */
export const base64Decode = (value: unknown): string => Buffer.from(text(value), 'base64').toString('utf8');

/** The object a JSON text stands for; undefined (rendered empty) when it is not JSON. */
export function parseJson(value: unknown): unknown {
  try {
    return JSON.parse(text(value));
  } catch {
    return undefined;
  }
}

/** The `$util` object templates see. */
export const UTIL = Object.freeze({ escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode, base64Decode });
