/**
 * Route keys: syntax of HTTP API keys (`$default`, `METHOD /path` with `{param}` segments and a
 * greedy last `{proxy+}`) and WebSocket keys (`$connect`, `$disconnect`, `$default`, custom).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */

/** Methods an HTTP API route key may name. */
export const HTTP_ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

/** One segment of a route path. */
export type RouteSegment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

/** A parsed HTTP API route key; `$default` has no method or path. */
export type HttpRouteKey =
  | { readonly kind: '$default' }
  | { readonly kind: 'route'; readonly method: string; readonly path: string; readonly segments: readonly RouteSegment[] };

/** Reserved WebSocket route keys. */
export const WEBSOCKET_RESERVED_KEYS = ['$connect', '$disconnect', '$default'] as const;

/** Why a route key is invalid, worded for a BadRequestException. */
export class RouteKeyError extends Error {
  override name = 'RouteKeyError';
}

const PARAM_NAME = /^[A-Za-z0-9._~-]+$/;
// RFC 3986 pchar without `{}`: unreserved, percent-encoded, sub-delims, ':' and '@'
const LITERAL = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/;

/** Parses an HTTP API route key; throws RouteKeyError with the reason. */
export function parseHttpRouteKey(routeKey: string): HttpRouteKey {
  if (routeKey === '$default') return { kind: '$default' };
  const space = routeKey.indexOf(' ');
  if (space === -1) throw new RouteKeyError("a route key is '$default' or '<METHOD> <path>', such as 'GET /pets/{id}'");
  const method = routeKey.slice(0, space);
  const path = routeKey.slice(space + 1);
  if (!(HTTP_ROUTE_METHODS as readonly string[]).includes(method)) {
    throw new RouteKeyError(`the method must be one of ${HTTP_ROUTE_METHODS.join(', ')}`);
  }
  if (!path.startsWith('/')) throw new RouteKeyError("the path must start with '/'");
  if (path === '/') return { kind: 'route', method, path, segments: [] };
  if (path.endsWith('/')) throw new RouteKeyError("the path must not end with '/'");
  const names = new Set<string>();
  const parts = path.slice(1).split('/');
  const segments = parts.map((part, i): RouteSegment => {
    if (part === '') throw new RouteKeyError('the path must not contain empty segments');
    if (part.startsWith('{') && part.endsWith('}')) {
      const greedy = part.endsWith('+}');
      const name = part.slice(1, greedy ? -2 : -1);
      if (!PARAM_NAME.test(name)) throw new RouteKeyError(`invalid path parameter '${part}'`);
      if (names.has(name)) throw new RouteKeyError(`the path parameter '${name}' appears more than once`);
      names.add(name);
      if (greedy && i !== parts.length - 1) throw new RouteKeyError(`the greedy path parameter '${part}' must be the last segment`);
      return greedy ? { kind: 'greedy', name } : { kind: 'param', name };
    }
    if (!LITERAL.test(part)) {
      throw new RouteKeyError(`the path segment '${part}' has characters a path may not contain (a parameter is a whole segment, '{name}')`);
    }
    return { kind: 'literal', value: part };
  });
  return { kind: 'route', method, path, segments };
}

/** Checks a WebSocket route key; throws RouteKeyError with the reason. */
export function checkWebSocketRouteKey(routeKey: string): void {
  if (routeKey.startsWith('$') && !(WEBSOCKET_RESERVED_KEYS as readonly string[]).includes(routeKey)) {
    throw new RouteKeyError(`route keys starting with '$' are reserved: ${WEBSOCKET_RESERVED_KEYS.join(', ')}`);
  }
  if (routeKey.trim() === '') throw new RouteKeyError('a route key must not be blank');
}
