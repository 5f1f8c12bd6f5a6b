/**
 * CORS of an HTTP API (`corsConfiguration`), compiled once per deployment.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
 *
 * - Preflights (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) are answered by the gateway before
 *   routing and authorization, whether or not an `OPTIONS` route exists.
 * - Other requests with an allowed `Origin` get allow-origin / expose-headers / allow-credentials added to the
 *   response; CORS headers from the backend are always dropped when CORS is configured (AWS ignores them).
 * - With several allowed origins only the request's origin is returned; with `*` (and no credentials) `*`.
 * - Origin patterns: exact (compared case-insensitively), `*`, and one `*` wildcard inside an entry
 *   (`https://*` matches every https origin; `https://*.example.com` is our extension of the same rule).
 * Decisions where AWS is silent [unverified]: a preflight whose origin, method or headers are not allowed is
 * answered 204 without any CORS header (the browser then blocks); a preflight is always 204 with no body; without
 * `allowMethods` only the CORS-safelisted methods (GET, HEAD, POST) pass the preflight.
 * TODO(parity): whether AWS adds `Vary: Origin` when it echoes an origin.
 */
import type { CorsConfiguration } from '../model/resources.js';
import type { CompiledCors, GatewayResponse } from './invocation.js';

export type { CompiledCors } from './invocation.js';

const SAFELISTED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST']);

/** Matches origins; returns the `access-control-allow-origin` value to send, or undefined when not allowed. */
function compileOriginMatcher(origins: readonly string[], credentials: boolean): (origin: string) => string | undefined {
  const exact = new Set<string>();
  const patterns: Array<{ prefix: string; suffix: string }> = [];
  let any = false;
  for (const o of origins) {
    const lower = o.trim().toLowerCase();
    if (lower === '*') any = true;
    else if (lower.includes('*')) {
      const star = lower.indexOf('*');
      patterns.push({ prefix: lower.slice(0, star), suffix: lower.slice(star + 1) });
    } else exact.add(lower);
  }
  if (any && !credentials) return () => '*';
  return (origin) => {
    if (any) return origin;
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return origin;
    for (const p of patterns) {
      if (lower.length > p.prefix.length + p.suffix.length && lower.startsWith(p.prefix) && lower.endsWith(p.suffix)) return origin;
    }
    return undefined;
  };
}

const list = (values: readonly string[] | undefined): string[] => (values ?? []).map((v) => v.trim()).filter((v) => v !== '');

/** Compiles an API's CORS configuration; undefined when the API has none (preflights are then routed like any request). */
export function compileCors(cors: CorsConfiguration | undefined): CompiledCors | undefined {
  if (cors === undefined) return undefined;
  const credentials = cors.allowCredentials === true;
  const matchOrigin = compileOriginMatcher(list(cors.allowOrigins), credentials);

  const methods = list(cors.allowMethods).map((m) => m.toUpperCase());
  const anyMethod = methods.includes('*');
  const methodSet: ReadonlySet<string> = methods.length === 0 ? SAFELISTED_METHODS : new Set(methods);
  const allowMethods = methods.length === 0 ? undefined : anyMethod ? (credentials ? undefined : '*') : methods.join(',');

  const headers = list(cors.allowHeaders).map((h) => h.toLowerCase());
  const anyHeader = headers.includes('*');
  const headerSet: ReadonlySet<string> = new Set(headers);
  const allowHeaders = headers.length === 0 || anyHeader ? undefined : headers.join(',');

  // Headers every allowed response carries, computed once; per request only the origin (and echoes) are added.
  const preflightBase: Record<string, string> = {};
  if (allowHeaders !== undefined) preflightBase['access-control-allow-headers'] = allowHeaders;
  if (cors.maxAge !== undefined) preflightBase['access-control-max-age'] = String(cors.maxAge);
  if (credentials) preflightBase['access-control-allow-credentials'] = 'true';
  const expose = list(cors.exposeHeaders);
  const exposeHeaders = expose.length === 0 ? undefined : expose.join(',');

  // Responses this CORS answered as preflights: `decorate` leaves them alone (it would strip allow-methods & co).
  const preflights = new WeakSet<GatewayResponse>();
  const answer = (headers: Record<string, string>): GatewayResponse => {
    const response: GatewayResponse = { statusCode: 204, headers };
    preflights.add(response);
    return response;
  };

  return {
    preflight(inv) {
      const req = inv.request;
      if (req.method !== 'OPTIONS') return undefined;
      const origin = req.headers.origin;
      const requestMethod = req.headers['access-control-request-method'];
      if (origin === undefined || typeof requestMethod !== 'string') return undefined;
      const allowOrigin = matchOrigin(origin);
      if (allowOrigin === undefined) return answer({});
      const method = requestMethod.trim().toUpperCase();
      if (!anyMethod && !methodSet.has(method)) return answer({});
      const requested = req.headers['access-control-request-headers'];
      const requestedList = typeof requested === 'string' ? requested.trim() : '';
      if (!anyHeader && requestedList !== '') {
        for (const h of requestedList.split(',')) {
          const name = h.trim().toLowerCase();
          if (name !== '' && !headerSet.has(name)) return answer({});
        }
      }
      const out: Record<string, string> = { 'access-control-allow-origin': allowOrigin, ...preflightBase };
      if (allowMethods !== undefined) out['access-control-allow-methods'] = allowMethods;
      else if (anyMethod) out['access-control-allow-methods'] = method; // `*` is literal for credentialed requests: echo
      if (anyHeader && requestedList !== '') out['access-control-allow-headers'] = requestedList;
      return answer(out);
    },

    decorate(inv, response) {
      if (preflights.has(response)) return;
      const headers = response.headers;
      for (const name in headers) {
        if (name.startsWith('access-control-')) delete headers[name];
      }
      const origin = inv.request.headers.origin;
      if (origin === undefined) return;
      const allowOrigin = matchOrigin(origin);
      if (allowOrigin === undefined) return;
      headers['access-control-allow-origin'] = allowOrigin;
      if (exposeHeaders !== undefined) headers['access-control-expose-headers'] = exposeHeaders;
      if (credentials) headers['access-control-allow-credentials'] = 'true';
    },
  };
}
