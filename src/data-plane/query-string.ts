/**
 * Query-string decoding as API Gateway presents values to integrations and authorizers:
 * `+` is a space, percent-escapes are decoded, and a malformed escape is kept as written.
 */

/** Decodes one name or value of a query string. */
export function decodeQueryComponent(s: string): string {
  const plus = s.indexOf('+') === -1 ? s : s.replace(/\+/g, ' ');
  if (plus.indexOf('%') === -1) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}
