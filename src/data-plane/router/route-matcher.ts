/**
 * HTTP API route selection (AWS priority rules) compiled into a segment trie.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 *
 * Priority, in order:
 * 1. Routes without a greedy parameter whose every segment matches. Among them the path pattern with a literal at the
 *    first position where patterns differ wins (`/a/{x}` beats `/{y}/b`); then an explicit method beats `ANY` on that
 *    same pattern. Path specificity comes first: `ANY /pets/dog` beats `GET /pets/{id}` for `GET /pets/dog`, because
 *    `ANY` covers every method not explicitly defined for *its* path.
 * 2. Greedy routes (`{proxy+}` takes one or more remaining segments). The longest prefix before the greedy segment
 *    wins, then a literal at the first differing prefix position, then an explicit method over `ANY`.
 * 3. `$default`.
 * Methods match case-sensitively, so `HEAD` only matches `HEAD` or `ANY` (no implicit HEAD→GET, as in AWS).
 *
 * Empty request segments (`/a//b`) never match a literal or `{var}`, but may sit inside a greedy remainder; the
 * greedy value itself must not be empty, mirroring `{var}` (so `/pets//` does not match `/pets/{proxy+}`).
 */
import { parseHttpRouteKey } from '../../model/route-key.js';
import { decodeSegment, splitRequestPath } from './path-segments.js';

/** A route to compile: its key (`GET /pets/{id}`, `$default`) and what a match should yield. */
export interface MatchableRoute<T> {
  readonly routeKey: string;
  readonly value: T;
}

/** The selected route and its URL-decoded path parameters (undefined when the route has none). */
export interface RouteMatch<T> {
  readonly value: T;
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
}

/** Selects the route for a request method (upper-case) and path (stage stripped, no query), or undefined. */
export type RouteMatcher<T> = (method: string, path: string) => RouteMatch<T> | undefined;

/** One compiled route; parameter positions are precomputed so matching never re-reads the route key. */
class Target<T> {
  /** Shared result for routes without parameters, so matching them allocates nothing. */
  readonly constant: RouteMatch<T> | undefined;

  constructor(
    readonly routeKey: string,
    readonly value: T,
    readonly paramSlots: readonly number[],
    readonly paramNames: readonly string[],
    readonly greedyName: string | undefined,
    readonly greedySlot: number,
  ) {
    this.constant =
      paramSlots.length === 0 && greedyName === undefined ? Object.freeze({ value, routeKey, pathParameters: undefined }) : undefined;
  }
}

/** The routes ending at one trie node: explicit methods, with `ANY` covering the rest. */
class MethodTable<T> {
  readonly explicit = new Map<string, Target<T>>();
  any: Target<T> | undefined = undefined;

  pick(method: string): Target<T> | undefined {
    return this.explicit.get(method) ?? this.any;
  }

  add(method: string, target: Target<T>): void {
    const existing = method === 'ANY' ? this.any : this.explicit.get(method);
    if (existing !== undefined) throw new Error(`route '${target.routeKey}' conflicts with route '${existing.routeKey}'`);
    if (method === 'ANY') this.any = target;
    else this.explicit.set(method, target);
  }
}

/** All fields are initialised in one place so every node has the same hidden class (monomorphic hot loop). */
class TrieNode<T> {
  statics: Map<string, TrieNode<T>> | undefined = undefined;
  param: TrieNode<T> | undefined = undefined;
  exact: MethodTable<T> | undefined = undefined;
  greedy: MethodTable<T> | undefined = undefined;
}

/** Compiles routes into a matcher; throws on an invalid key or two routes with the same method and path pattern. */
export function compileRouteMatcher<T>(routes: readonly MatchableRoute<T>[]): RouteMatcher<T> {
  const root = new TrieNode<T>();
  let fallback: Target<T> | undefined;
  for (const route of routes) {
    let key;
    try {
      key = parseHttpRouteKey(route.routeKey);
    } catch (error) {
      throw new Error(`invalid route key '${route.routeKey}': ${(error as Error).message}`, { cause: error });
    }
    if (key.kind === '$default') {
      if (fallback !== undefined) throw new Error(`duplicate route key '$default'`);
      fallback = new Target(route.routeKey, route.value, [], [], undefined, -1);
      continue;
    }
    let node = root;
    const slots: number[] = [];
    const names: string[] = [];
    let greedyName: string | undefined;
    key.segments.forEach((segment, i) => {
      if (segment.kind === 'literal') {
        // Request segments are compared decoded, so literals are too (`caf%C3%A9` matches `/caf%C3%A9` and `/café`).
        const literal = decodeSegment(segment.value);
        const statics = (node.statics ??= new Map());
        let child = statics.get(literal);
        if (child === undefined) statics.set(literal, (child = new TrieNode<T>()));
        node = child;
      } else if (segment.kind === 'param') {
        node = node.param ??= new TrieNode<T>();
        slots.push(i);
        names.push(segment.name);
      } else {
        greedyName = segment.name;
      }
    });
    const target = new Target(route.routeKey, route.value, slots, names, greedyName, key.segments.length - 1);
    const table = greedyName === undefined ? (node.exact ??= new MethodTable<T>()) : (node.greedy ??= new MethodTable<T>());
    table.add(key.method, target);
  }
  const fallbackMatch = fallback?.constant;

  // Per-request state (including a reused segment array) lives in the closure: matching is synchronous and never
  // re-entrant, so one set per compiled matcher is safe and saves allocations on every request.
  const segments: string[] = [];
  let count = 0;
  let method = '';
  let greedyBest: Target<T> | undefined;
  let greedyDepth = -1;

  // Depth-first, literal child before param child: the first full match found is the best one (literal wins at the
  // first differing position). Greedy candidates are recorded on the way: pre-order visits the nodes of one depth in
  // that same preference order, so only a strictly deeper candidate replaces the current one. Each trie node is
  // visited at most once per request, so the work is bounded by min(trie size, branches matching the path).
  const search = (node: TrieNode<T>, i: number): Target<T> | undefined => {
    if (i === count) return node.exact?.pick(method);
    const segment = segments[i]!;
    if (node.greedy !== undefined && i > greedyDepth && (segment !== '' || i < count - 1)) {
      const target = node.greedy.pick(method);
      if (target !== undefined) {
        greedyBest = target;
        greedyDepth = i;
      }
    }
    if (segment === '') return undefined;
    if (node.statics !== undefined) {
      const child = node.statics.get(segment);
      if (child !== undefined) {
        const found = search(child, i + 1);
        if (found !== undefined) return found;
      }
    }
    return node.param === undefined ? undefined : search(node.param, i + 1);
  };

  return (requestMethod, path) => {
    count = splitRequestPath(path, segments);
    method = requestMethod;
    greedyBest = undefined;
    greedyDepth = -1;
    const target = search(root, 0) ?? greedyBest;
    const match = target === undefined ? fallbackMatch : (target.constant ?? withParameters(target, segments, count));
    greedyBest = undefined;
    // The scratch array holds on to the last request's segments; drop them after an unusually long path.
    if (segments.length > 64) segments.length = 0;
    return match;
  };
}

function withParameters<T>(target: Target<T>, segments: readonly string[], count: number): RouteMatch<T> {
  const pathParameters: Record<string, string> = {};
  for (let k = 0; k < target.paramSlots.length; k++) {
    setParameter(pathParameters, target.paramNames[k]!, segments[target.paramSlots[k]!]!);
  }
  if (target.greedyName !== undefined) setParameter(pathParameters, target.greedyName, segments.slice(target.greedySlot, count).join('/'));
  return { value: target.value, routeKey: target.routeKey, pathParameters };
}

function setParameter(parameters: Record<string, string>, name: string, value: string): void {
  // `{__proto__}` is a legal parameter name; plain assignment would change the prototype instead of adding a key.
  if (name === '__proto__') Object.defineProperty(parameters, name, { value, enumerable: true, writable: true, configurable: true });
  else parameters[name] = value;
}
