/**
 * resolve-stage: finds the API and stage a request is for (SPEC §E.1) and the path routes are
 * matched against. `Host: {apiId}.execute-api.*` or path `/_aws/execute-api/{apiId}/...`; the
 * first path segment selects a named stage, otherwise the `$default` stage serves the whole path.
 */
import { apiIdFromHost } from '../../surfaces.js';
import { decodeSegment } from '../router/path-segments.js';
import { forbidden, notFound } from '../errors.js';
import type { Invocation } from '../invocation.js';
import type { StageRegistry } from '../stage-registry.js';

/** The path-style prefix, for clients where `*.localhost` does not resolve. */
export const PATH_STYLE_PREFIX = '/_aws/execute-api/';

/** The API id and the remaining raw path of a data-plane request. */
export function targetOf(host: string | undefined, rawPath: string): { apiId: string; path: string } | undefined {
  if (rawPath.startsWith(PATH_STYLE_PREFIX)) {
    const rest = rawPath.slice(PATH_STYLE_PREFIX.length);
    const slash = rest.indexOf('/');
    const apiId = slash === -1 ? rest : rest.slice(0, slash);
    return apiId ? { apiId: apiId.toLowerCase(), path: slash === -1 ? '/' : rest.slice(slash) } : undefined;
  }
  const apiId = apiIdFromHost(host);
  return apiId === undefined ? undefined : { apiId, path: rawPath };
}

/** Where a request goes: an execute-api address (stage from the path) or a custom domain's mapping. */
export type RequestTarget = {
  readonly apiId: string;
  readonly stageName?: string;
  readonly routePath?: string;
  readonly basePathMatched?: string;
  readonly routingRuleIdMatched?: string;
  readonly strippedBasePath?: string;
};

/**
 * Sets `inv.stage` and `inv.routePath`, or throws 404 (403 when the default endpoint is disabled).
 * The caller first waits for `registry.settled(apiId)` when a rebuild of the API is in flight
 * (read-your-writes); the common case, nothing in flight, costs no promise.
 */
export function resolveStage(inv: Invocation, target: RequestTarget, registry: StageRegistry): void {
  const { apiId } = target;
  const stages = registry.get(apiId);
  if (!stages) throw notFound(`no API ${apiId} with a deployed stage`);
  if (target.stageName !== undefined) {
    const stage = stages.get(target.stageName);
    if (!stage) throw notFound(`the API mapping names stage ${target.stageName}, which has no deployment`);
    inv.stage = stage;
    inv.routePath = target.routePath ?? '/';
    if (target.basePathMatched !== undefined) inv.basePathMatched = target.basePathMatched;
    if (target.routingRuleIdMatched !== undefined) inv.routingRuleIdMatched = target.routingRuleIdMatched;
    if (target.strippedBasePath !== undefined) inv.strippedBasePath = target.strippedBasePath;
    return;
  }
  const path = inv.request.path;
  const end = path.indexOf('/', 1);
  const first = decodeSegment(end === -1 ? path.slice(1) : path.slice(1, end));
  const named = first !== '$default' ? stages.get(first) : undefined;
  if (named) {
    inv.stage = named;
    inv.routePath = end === -1 ? '/' : path.slice(end);
  } else {
    const fallback = stages.get('$default');
    if (!fallback) throw notFound(`no stage ${first} and no $default stage`);
    inv.stage = fallback;
    inv.routePath = path;
  }
  // The default endpoint is disabled per deployment, as on AWS (TRAPS 35).
  if (inv.stage.api.disableExecuteApiEndpoint) throw forbidden({}, 'the default execute-api endpoint is disabled');
}
