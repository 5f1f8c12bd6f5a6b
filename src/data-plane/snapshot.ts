/**
 * Compiles (stage, deployment snapshot) into an immutable CompiledStage, for HTTP and WebSocket APIs
 * alike: per route its integration (one registry for every type), authorizer (one compiler and
 * result cache), throttle bucket and, on WebSocket APIs, its validation and two-way parts; then the
 * HTTP route matcher or the WebSocket message routing. Everything per-request work needs is resolved
 * here, once per deployment, so the hot path does look-ups only.
 */
import { describeIntegration } from './integrations/describe.js';
import type { AccountRegion } from '../model/account-region.js';
import type { AuthorizerRecord, DeploymentSnapshot, IntegrationRecord, RouteRecord, StageRecord } from '../model/resources.js';
import type { CompiledAccessLog, CompiledAuthorizer, CompiledCors, CompiledIntegration, CompiledRoute, CompiledStage } from './invocation.js';
import { internalServerError } from './errors.js';
import { compileRouteMatcher } from './router/route-matcher.js';
import { compileWebSocketRouting, webSocketRouteParts } from './router/websocket-routes.js';
import type { Throttle, ThrottleSettings } from './throttle.js';
import { bucketFor } from './throttle.js';
import { own } from '../model/own.js';

/** How the parts of a stage are compiled; injected so each part lives in its own module. */
export interface StageCompilers {
  /** An integration of the snapshot's API (its protocol and integration responses are in `snapshot`). */
  integration(record: IntegrationRecord, snapshot: DeploymentSnapshot): CompiledIntegration;
  /** The authorizer of a route, or a compiled stand-in that refuses requests loudly. */
  authorizer(route: RouteRecord, record: AuthorizerRecord | undefined, stage: StageRecord): CompiledAuthorizer | undefined;
  cors(snapshot: DeploymentSnapshot): CompiledCors | undefined;
  accessLog(stage: StageRecord): CompiledAccessLog | undefined;
  /** A route's throttle for its limits; `scope` names it in the cluster. Default: a node-local token bucket. */
  throttle?(scope: string, settings: ThrottleSettings): Throttle | undefined;
}

const TARGET = /^integrations\/(.+)$/;

/** The integration id a route's `target` names (`integrations/{id}`), or undefined. */
export const integrationIdOf = (target: string | undefined): string | undefined => (target === undefined ? undefined : TARGET.exec(target)?.[1]);

/** A route's throttle settings: its route settings over the stage's defaults. */
export function routeThrottleSettings(stage: StageRecord, routeKey: string): ThrottleSettings {
  return { ...(stage.defaultRouteSettings as ThrottleSettings), ...((own(stage.routeSettings, routeKey) ?? {}) as ThrottleSettings) };
}

/** A route's throttle, per node or (with `--redis`) per cluster. */
function routeThrottle(stage: StageRecord, routeKey: string, compilers: StageCompilers, scope: string): Throttle | undefined {
  const settings = routeThrottleSettings(stage, routeKey);
  return compilers.throttle ? compilers.throttle(`${scope}:${routeKey}`, settings) : bucketFor(settings);
}

/** Compiles one stage of an API from the deployment it points at. */
export function compileStage(
  apiId: string,
  place: AccountRegion,
  stage: StageRecord,
  deploymentId: string,
  snapshot: DeploymentSnapshot,
  compilers: StageCompilers,
): CompiledStage {
  const http = snapshot.api.protocolType === 'HTTP';
  const scope = `${place.accountId}:${place.region}:${apiId}:${stage.stageName}`;
  const integrations = new Map<string, CompiledIntegration>();
  const labels = new Map<string, string>();
  for (const record of snapshot.integrations) {
    integrations.set(record.integrationId, compilers.integration(record, snapshot));
    labels.set(record.integrationId, describeIntegration(record));
  }
  const authorizers = new Map(snapshot.authorizers.map((a) => [a.authorizerId, a]));
  const unsupported: string[] = [];
  const wsParts = http ? undefined : webSocketRouteParts(snapshot, unsupported);
  const routes = snapshot.routes.map((route): CompiledRoute => {
    const integrationId = integrationIdOf(route.target);
    return {
      route,
      routeKey: route.routeKey,
      integration: integrationId === undefined ? undefined : integrations.get(integrationId),
      ...(integrationId !== undefined && labels.has(integrationId) ? { integrationLabel: labels.get(integrationId) } : {}),
      // WebSocket APIs authorize `$connect` only: it protects the whole connection (SPEC §F.5).
      authorizer: http || route.routeKey === '$connect' ? compilers.authorizer(route, route.authorizerId === undefined ? undefined : authorizers.get(route.authorizerId), stage) : undefined,
      throttle: routeThrottle(stage, route.routeKey, compilers, scope),
      ...(wsParts ? { websocket: wsParts(route) } : {}),
    };
  });
  const matcher = http ? compileRouteMatcher(routes.map((value) => ({ routeKey: value.routeKey, value }))) : undefined;
  const websocket = http ? undefined : compileWebSocketRouting(snapshot, routes, routeThrottle(stage, '$connect', compilers, scope), unsupported);
  return Object.freeze({
    apiId,
    accountId: place.accountId,
    region: place.region,
    stageName: stage.stageName,
    deploymentId,
    api: snapshot.api,
    snapshot,
    stageRecord: stage,
    stageVariables: Object.freeze({ ...stage.stageVariables }),
    cors: compilers.cors(snapshot),
    accessLog: compilers.accessLog(stage),
    match: matcher
      ? (method: string, path: string) => {
          const m = matcher(method, path);
          return m && { route: m.value, pathParameters: m.pathParameters };
        }
      : () => undefined,
    websocket,
  });
}

/**
 * A stage whose deployment cannot be compiled (a bug, or a snapshot a newer version wrote):
 * every request answers 500 with the reason in the log and `$context.error`, instead of the API
 * silently keeping its previous stages.
 */
export function refusingStage(apiId: string, place: AccountRegion, stage: StageRecord, deploymentId: string, snapshot: DeploymentSnapshot, reason: string): CompiledStage {
  const refusal: CompiledRoute = {
    route: { routeId: '', routeKey: '$default', authorizationType: 'NONE', apiKeyRequired: false, createdDate: '' },
    routeKey: '$default',
    integration: {
      invoke: () => Promise.reject(internalServerError(`stage ${stage.stageName} cannot be served: ${reason}`)),
    },
    authorizer: undefined,
    throttle: undefined,
  };
  return Object.freeze({
    apiId,
    accountId: place.accountId,
    region: place.region,
    stageName: stage.stageName,
    deploymentId,
    api: snapshot.api,
    snapshot,
    stageRecord: stage,
    stageVariables: Object.freeze({ ...stage.stageVariables }),
    cors: undefined,
    accessLog: undefined,
    match: () => ({ route: refusal, pathParameters: undefined }),
    websocket:
      snapshot.api?.protocolType === 'WEBSOCKET'
        ? {
            routes: new Map([['$connect', refusal], ['$default', refusal]]),
            selectRouteKey: () => '$default',
            selectRoute: () => refusal,
            connectThrottle: undefined,
            apiKeyOf: () => undefined,
            unsupported: [],
          }
        : undefined,
  });
}
