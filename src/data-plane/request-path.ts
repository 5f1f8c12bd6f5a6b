/**
 * The one rule a request path (and a path forwarded to an HTTP backend) must pass before it is routed or sent:
 * no segment may, once percent-decoded, be a dot segment or hide a separator. Route matching splits on `/` and
 * decodes each segment once; a backend may decode again and resolve dot segments (RFC 3986 §5.2.4), and some treat
 * `\` as `/` or strip `;params` first. Any segment those readings would turn into a traversal is refused, so the
 * route that matched and the backend path that is forwarded always name the same place.
 *
 * What AWS does, from live HTTP API captures (hotsock/voker vokerhttp/testdata/ingress-paths.json): HTTP APIs decode
 * the path before the integration sees it (`/a%2Fb` arrives as `/a/b`, `%252F` even as `/`), and a path that does
 * not decode (`%25do` after AWS's second decoding) is refused with 400. Dot segments are not covered by any public
 * capture; refusing them is the careful choice. TODO(parity): AWS turns `%2F` into a separator; Gatehouse refuses it
 * (400), because raw paths are kept elsewhere (rawPath, `$default` forwarding) and a hidden separator cannot be routed
 * and forwarded alike.
 */

const DOT_OR_SEPARATOR = /^\.\.?$|[/\\]/;

/** A second decoding, of the characters that matter here only (`.`, `/`, `\`): what a double-decoding backend sees. */
const decodeStructural = (s: string): string => (s.indexOf('%') === -1 ? s : s.replace(/%2e/gi, '.').replace(/%2f/gi, '/').replace(/%5c/gi, '\\'));

function segmentProblem(raw: string): string | undefined {
  if (raw.indexOf('\\') !== -1) return 'a backslash';
  let decoded = raw;
  if (raw.indexOf('%') !== -1) {
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return 'a malformed percent-encoding';
    }
  }
  for (const reading of [decoded, decodeStructural(decoded)]) {
    // `..;x` is `..` to servers that strip path parameters (Tomcat, Jetty, Spring).
    const semi = reading.indexOf(';');
    if (DOT_OR_SEPARATOR.test(reading) || (semi !== -1 && /^\.\.?$/.test(reading.slice(0, semi)))) {
      return reading === decoded && decoded === raw ? 'a dot segment' : 'an encoded dot segment or separator';
    }
  }
  return undefined;
}

/**
 * Why a path (no query string) cannot be routed or forwarded, or undefined when it can. The path must be
 * origin-form (`/...`) and no `#`; every segment must decode, and neither it nor a second decoding of it may be
 * `.`, `..` (also before a `;`), or contain `/` or `\`.
 */
export function pathProblem(path: string): string | undefined {
  if (path.charCodeAt(0) !== 47 /* '/' */) return 'the request target is not an absolute path';
  if (path.indexOf('#') !== -1) return 'the request target has a fragment';
  // The common path (letters, digits, `-_~/`, no `.` `%` `\` `;`) needs no segment work.
  if (!/[.%\\;]/.test(path)) return undefined;
  let start = 1;
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    const problem = segmentProblem(path.slice(start, end));
    if (problem !== undefined) return `the path has ${problem} (${JSON.stringify(path.slice(start, end))})`;
    start = end + 1;
  }
  return undefined;
}
