/**
 * Route explain: which route a request (HTTP APIs) or a message (WebSocket APIs) selects on a
 * compiled stage, the routes considered in AWS's priority order with why each matched or lost, and
 * the authorizer and integration that would run. Nothing here decides a match: every yes/no comes
 * from the data plane's own route matcher (router/route-matcher.ts) or the stage's compiled
 * WebSocket route selection; the reasons only put the matcher's answers into words.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
import type { CompiledRoute, CompiledStage } from '../data-plane/invocation.js';
import { describeIntegration } from '../data-plane/integrations/describe.js';
import { pathProblem } from '../data-plane/request-path.js';
import { decodeSegment, splitRequestPath } from '../data-plane/router/path-segments.js';
import { compileRouteMatcher } from '../data-plane/router/route-matcher.js';
import { integrationIdOf, routeThrottleSettings } from '../data-plane/snapshot.js';
import type { RouteSegment } from '../model/route-key.js';
import { parseHttpRouteKey } from '../model/route-key.js';

/** One route considered. */
export interface ExplainCandidate {
  readonly routeKey: string;
  /** `matched`: the selected route; `lost`: it matches too, but a route above it wins; `no-match`: it does not match. */
  readonly outcome: 'matched' | 'lost' | 'no-match';
  readonly reason: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
}

/** The routes of an HTTP API ranked for one request. */
export interface HttpRanking {
  /** The selected route, or null (the gateway answers 404). */
  readonly routeKey: string | null;
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** Matching routes in priority order (the selected one first), then those that do not match. */
  readonly candidates: readonly ExplainCandidate[];
}

type Pattern = { readonly kind: '$default' } | { readonly kind: 'route'; readonly method: string; readonly segments: readonly RouteSegment[] };

const tierOf = (p: Pattern) => (p.kind === '$default' ? 2 : p.segments.at(-1)?.kind === 'greedy' ? 1 : 0);
const segmentText = (s: RouteSegment) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? `{${s.name}}` : `{${s.name}+}`);

/** Why `winner` is preferred to `loser` (both match), in the words of AWS's priority rules. */
function whyLost(winner: Pattern, winnerKey: string, loser: Pattern): string {
  if (loser.kind === '$default') return `$default is used only when no other route matches; ${winnerKey} does`;
  if (winner.kind === '$default') return `${winnerKey} was selected`;
  const [tw, tl] = [tierOf(winner), tierOf(loser)];
  if (tw < tl) return `a greedy {proxy+} route is considered only when no route without one matches; ${winnerKey} does`;
  if (winner.segments.length !== loser.segments.length) {
    return `${winnerKey} has the longer path before its greedy segment (${winner.segments.length - 1} segments, not ${loser.segments.length - 1})`;
  }
  for (let i = 0; i < winner.segments.length; i++) {
    const [w, l] = [winner.segments[i] as RouteSegment, loser.segments[i] as RouteSegment];
    if ((w.kind === 'literal') !== (l.kind === 'literal')) {
      return `at segment ${i + 1} ${winnerKey} has the literal '${segmentText(w)}' where this route has ${segmentText(l)}: the first literal wins`;
    }
  }
  if (loser.method === 'ANY') return `same path; the explicit method ${winner.method} wins over ANY`;
  return `${winnerKey} is preferred by the matcher`;
}

/** Why a route's path pattern does not fit the request path (the matcher said it does not). */
function whyNoPathMatch(segments: readonly RouteSegment[], request: readonly string[]): string {
  const greedy = segments.at(-1)?.kind === 'greedy';
  const fixed = greedy ? segments.length - 1 : segments.length;
  for (let i = 0; i < Math.min(fixed, request.length); i++) {
    const s = segments[i] as RouteSegment;
    const r = request[i] as string;
    if (r === '') return `segment ${i + 1} of the path is empty, which ${segmentText(s)} never matches`;
    if (s.kind === 'literal' && decodeSegment(s.value) !== r) return `segment ${i + 1} is '${r}', not '${s.value}'`;
  }
  if (greedy) {
    if (request.length <= fixed) return `needs at least ${fixed + 1} path segments (the greedy {${segmentText(segments.at(-1) as RouteSegment).slice(1, -2)}+} takes one or more), the path has ${request.length}`;
    return `the greedy segment's value would be empty`;
  }
  if (request.length !== fixed) return `has ${fixed} path segment${fixed === 1 ? '' : 's'}, the path has ${request.length}`;
  return 'the path does not match the pattern';
}

/**
 * Ranks `routeKeys` (valid HTTP route keys, no two alike) for `method` and `path` (stage stripped):
 * whether each matches is asked of the route matcher compiled for that route alone, and the order of
 * the matching ones of the matcher compiled for them all (its pick, then its pick of the rest, ...).
 */
export function rankHttpRoutes(routeKeys: readonly string[], method: string, path: string): HttpRanking {
  const patterns = new Map<string, Pattern>(routeKeys.map((key) => [key, parseHttpRouteKey(key) as Pattern]));
  const segments: string[] = [];
  const request = segments.slice(0, splitRequestPath(path, segments));
  const matching: string[] = [];
  const misses: ExplainCandidate[] = [];
  for (const key of routeKeys) {
    const pattern = patterns.get(key) as Pattern;
    if (compileRouteMatcher([{ routeKey: key, value: key }])(method, path) !== undefined) {
      matching.push(key);
      continue;
    }
    if (pattern.kind === '$default') continue; // $default always matches alone
    const anyMethod = compileRouteMatcher([{ routeKey: `ANY ${key.slice(key.indexOf(' ') + 1)}`, value: key }])(method, path) !== undefined;
    const reason = anyMethod
      ? `the path fits, but the route takes ${pattern.method} only${method === pattern.method.toLowerCase() ? ' (methods are case-sensitive)' : ''}, not ${method}`
      : whyNoPathMatch(pattern.segments, request);
    misses.push({ routeKey: key, outcome: 'no-match', reason });
  }
  // The matcher's own order: its pick among the matching routes, then its pick among the rest, and so on.
  const ordered: { key: string; parameters: Readonly<Record<string, string>> | undefined }[] = [];
  let remaining = matching;
  while (remaining.length > 0) {
    const pick = compileRouteMatcher(remaining.map((key) => ({ routeKey: key, value: key })))(method, path);
    if (!pick) break;
    ordered.push({ key: pick.value, parameters: pick.pathParameters });
    remaining = remaining.filter((key) => key !== pick.value);
  }
  const winner = ordered[0];
  const winnerPattern = winner ? (patterns.get(winner.key) as Pattern) : undefined;
  const candidates: ExplainCandidate[] = ordered.map((c, i) => ({
    routeKey: c.key,
    outcome: i === 0 ? 'matched' : 'lost',
    reason: i === 0 ? matchedReason(patterns.get(c.key) as Pattern, ordered.length) : whyLost(winnerPattern as Pattern, winner?.key as string, patterns.get(c.key) as Pattern),
    ...(c.parameters ? { pathParameters: c.parameters } : {}),
  }));
  // Routes that do not match, in the order AWS would consider them: full paths, greedy paths, $default.
  misses.sort((a, b) => tierOf(patterns.get(a.routeKey) as Pattern) - tierOf(patterns.get(b.routeKey) as Pattern));
  return {
    routeKey: winner?.key ?? null,
    ...(winner?.parameters ? { pathParameters: winner.parameters } : {}),
    candidates: [...candidates, ...misses],
  };
}

function matchedReason(pattern: Pattern, matching: number): string {
  const others = matching > 1 ? `; it ranks first of the ${matching} routes that match` : '';
  if (pattern.kind === '$default') return 'no other route matches, so $default takes the request';
  if (tierOf(pattern) === 1) return `the path falls under the greedy segment${others}`;
  return `every segment matches${others}`;
}

/** What the selected route runs, from the stage's deployment snapshot. */
export interface RouteRuntime {
  readonly authorizer: null | {
    readonly authorizationType: string;
    readonly authorizerId?: string;
    readonly name?: string;
    readonly authorizerType?: string;
    readonly identitySource?: readonly string[];
    readonly authorizationScopes?: readonly string[];
    /** Identity sources the given headers do not carry (a JWT or cached REQUEST authorizer answers 401 without calling anything). */
    readonly missingIdentity?: readonly string[];
    readonly note?: string;
  };
  readonly integration: null | {
    readonly integrationId: string;
    readonly integrationType: string;
    readonly label?: string;
    readonly integrationUri?: string;
    readonly payloadFormatVersion?: string;
  };
  readonly throttling?: { readonly burstLimit?: number; readonly rateLimit?: number };
  readonly apiKeyRequired?: boolean;
}

/** The explain API's answer. */
export interface Explanation {
  readonly apiId: string;
  readonly stage: string;
  readonly protocolType: string;
  readonly deploymentId: string;
  readonly request: { readonly method: string; readonly path: string } | { readonly message: string };
  readonly routeKey: string | null;
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** WebSocket APIs: the API's expression and what it evaluated to on the message. */
  readonly routeSelection?: { readonly expression: string; readonly value: string };
  readonly candidates: readonly ExplainCandidate[];
  readonly authorizer: RouteRuntime['authorizer'];
  readonly integration: RouteRuntime['integration'];
  readonly throttling?: RouteRuntime['throttling'];
  readonly apiKeyRequired?: boolean;
  /** What the gateway answers before or instead of the route (a 404 without target, a 400 path, a CORS preflight). */
  readonly notes: readonly string[];
}

/** The authorizer, integration and throttling of `route` on `stage`; `headers` (lower-case names), when given, are checked for the identity sources. */
export function routeRuntime(stage: CompiledStage, route: Pick<CompiledRoute, 'route' | 'routeKey'>, headers?: Readonly<Record<string, string>>): RouteRuntime {
  const record = route.route;
  const type = record.authorizationType || 'NONE';
  const authorizer = record.authorizerId ? stage.snapshot.authorizers.find((a) => a.authorizerId === record.authorizerId) : undefined;
  const http = stage.api.protocolType === 'HTTP';
  // Header identity sources the given headers lack (header names compare case-insensitively).
  const missing = (authorizer?.identitySource ?? []).filter((source) => {
    const name = /^\$request\.header\.(.+)$/i.exec(source)?.[1]?.toLowerCase();
    return name !== undefined && headers !== undefined && headers[name] === undefined;
  });
  const integrationId = integrationIdOf(record.target);
  const integration = integrationId ? stage.snapshot.integrations.find((i) => i.integrationId === integrationId) : undefined;
  const settings = routeThrottleSettings(stage.stageRecord, route.routeKey);
  const throttling = {
    ...(typeof settings.throttlingBurstLimit === 'number' ? { burstLimit: settings.throttlingBurstLimit } : {}),
    ...(typeof settings.throttlingRateLimit === 'number' ? { rateLimit: settings.throttlingRateLimit } : {}),
  };
  return {
    authorizer:
      type === 'NONE'
        ? null
        : {
            authorizationType: type,
            ...(authorizer
              ? { authorizerId: authorizer.authorizerId, name: authorizer.name, authorizerType: authorizer.authorizerType, identitySource: authorizer.identitySource }
              : {}),
            ...(record.authorizationScopes?.length ? { authorizationScopes: record.authorizationScopes } : {}),
            ...(http && missing.length > 0 ? { missingIdentity: missing } : {}),
            ...(!http && route.routeKey !== '$connect' ? { note: 'WebSocket APIs authorize $connect only; this route runs with the connection\'s authorization' } : {}),
          },
    integration: integration
      ? {
          integrationId: integration.integrationId,
          integrationType: integration.integrationType,
          label: describeIntegration(integration),
          ...(integration.integrationUri ? { integrationUri: integration.integrationUri } : {}),
          ...(http ? { payloadFormatVersion: integration.payloadFormatVersion } : {}),
        }
      : null,
    ...(Object.keys(throttling).length > 0 ? { throttling } : {}),
    ...(record.apiKeyRequired ? { apiKeyRequired: true } : {}),
  };
}

/** Explains an HTTP request on an HTTP API's compiled stage; `path` is the path after the stage (a query is ignored). */
export function explainHttpRequest(stage: CompiledStage, method: string, rawPath: string, headers: Readonly<Record<string, string>> = {}): Explanation {
  const path = (rawPath.split('?')[0] as string) || '/';
  const ranking = rankHttpRoutes(
    stage.snapshot.routes.map((r) => r.routeKey),
    method,
    path,
  );
  // The stage's own matcher decides; the ranking agrees with it (the explain property test holds them together).
  const selected = stage.match(method, path);
  const notes: string[] = [];
  const problem = pathProblem(path);
  if (problem) notes.push(`the gateway refuses this path before routing (400): ${problem}`);
  if (method === 'OPTIONS' && stage.api.corsConfiguration && headers.origin !== undefined && headers['access-control-request-method'] !== undefined) {
    notes.push('a CORS preflight: the API has a CORS configuration, so the gateway answers it itself (204) before routing and authorization');
  }
  if (!selected) notes.push('no route matches: the gateway answers 404 {"message":"Not Found"}');
  else if (!selected.route.integration) notes.push(`route ${selected.route.routeKey} has no integration: the gateway answers 404`);
  const runtime = selected ? routeRuntime(stage, selected.route, headers) : { authorizer: null, integration: null };
  return {
    apiId: stage.apiId,
    stage: stage.stageName,
    protocolType: stage.api.protocolType,
    deploymentId: stage.deploymentId,
    request: { method, path },
    routeKey: selected?.route.routeKey ?? null,
    ...(selected?.pathParameters ? { pathParameters: selected.pathParameters } : {}),
    candidates: ranking.candidates,
    ...runtime,
    notes,
  };
}

/** Explains a message on a WebSocket API's compiled stage: the route selection expression on its body. */
export function explainWebSocketMessage(stage: CompiledStage, message: string): Explanation {
  const routing = stage.websocket;
  const expression = stage.api.routeSelectionExpression ?? '';
  const value = routing ? routing.selectRouteKey(message) : '$default';
  const selected = routing?.selectRoute(message);
  const exact = value.startsWith('$') && value !== '$default' ? undefined : routing?.routes.get(value);
  const notes: string[] = [];
  let json = true;
  try {
    JSON.parse(message);
  } catch {
    json = false;
  }
  if (!json) notes.push('the message is not JSON: the route selection expression cannot be evaluated, so it goes to $default');
  if (!selected) notes.push('no route takes the message and there is no $default route: the client gets {"message":"Forbidden"}');
  else if (!selected.integration) notes.push(`route ${selected.routeKey} has no integration`);
  if (selected?.websocket?.validateMessage && !selected.websocket.validateMessage(message)) {
    notes.push(`the message fails the request model of ${selected.routeKey}: the client gets {"message":"Invalid request body"}`);
  }
  const candidates: ExplainCandidate[] = [];
  const keys = [...(routing?.routes.keys() ?? [])];
  const custom = keys.filter((k) => !k.startsWith('$'));
  for (const key of [...custom.filter((k) => k === value), ...custom.filter((k) => k !== value), ...keys.filter((k) => k === '$default'), ...keys.filter((k) => k === '$connect' || k === '$disconnect')]) {
    let outcome: ExplainCandidate['outcome'];
    let reason: string;
    if (key === '$connect' || key === '$disconnect') {
      outcome = 'no-match';
      reason = `runs on the ${key === '$connect' ? 'handshake' : 'close'} of a connection, never for a message`;
    } else if (key === '$default') {
      outcome = selected?.routeKey === '$default' ? 'matched' : 'lost';
      reason = outcome === 'matched' ? `no route has the key '${value}', so $default takes the message` : `used only when no route has the selected key; ${value} does`;
    } else if (exact && key === value) {
      outcome = 'matched';
      reason = `${expression} evaluated to '${value}'`;
    } else {
      outcome = 'no-match';
      reason = `${expression} evaluated to '${value}', not '${key}'`;
    }
    candidates.push({ routeKey: key, outcome, reason });
  }
  const runtime = selected ? routeRuntime(stage, selected) : { authorizer: null, integration: null };
  return {
    apiId: stage.apiId,
    stage: stage.stageName,
    protocolType: stage.api.protocolType,
    deploymentId: stage.deploymentId,
    request: { message },
    routeKey: selected?.routeKey ?? null,
    routeSelection: { expression, value },
    candidates,
    ...runtime,
    notes,
  };
}
