/**
 * Routes: CreateRoute, GetRoute, GetRoutes, UpdateRoute, DeleteRoute, DeleteRouteRequestParameter.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html
 */
import { isoSeconds } from '../model/ids.js';
import { checkWebSocketRouteKey, parseHttpRouteKey, RouteKeyError } from '../model/route-key.js';
import { checkSelectionExpression, SelectionExpressionError } from '../model/selection-expression.js';
import type { Step } from './batch.js';
import { applyApiChange } from './deployments.js';
import { CLEARED_BY_EMPTY } from './input.js';
import type { StoreReader } from '../store/store.js';
import { routeNotActedOn } from '../model/not-acted-on.js';
import { listPage, loadApi, loadChild, patch, refuseNotActedOn } from './common.js';
import type { OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { ApiRecord, AuthorizerRecord, ModelRecord, RouteRecord } from '../model/resources.js';

/** AWS's 409 for a duplicate route key. */
export function routeConflict(routeKey: string): ConflictException {
  return new ConflictException(`Route with key ${routeKey} already exists for this API`);
}

/** Checks route key syntax for the API's protocol. */
export function checkRouteKeySyntax(protocolType: string, routeKey: string): void {
  try {
    if (protocolType === 'HTTP') parseHttpRouteKey(routeKey);
    else checkWebSocketRouteKey(routeKey);
  } catch (err) {
    if (err instanceof RouteKeyError) throw new BadRequestException(`Invalid route key ${routeKey}: ${err.message}`);
    throw err;
  }
}

const TARGET = /^integrations\/([A-Za-z0-9]+)$/;
const ROUTE_PARAMETER = /^route\.request\.(header|querystring|path)\.[^\s.][^\s]*$/;
const AUTHORIZER_KIND = { JWT: 'JWT', CUSTOM: 'REQUEST' } as const;
const INVALID_AUTHORIZER = {
  JWT: 'Invalid authorizer ID specified. Setting the authorization type to JWT requires a valid JWT authorizer.',
  CUSTOM: 'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.',
} as const;
const MAX_SCOPES = 10;

function checkExpression(name: string, expression: string | undefined): void {
  if (expression === undefined) return;
  try {
    checkSelectionExpression(expression, ['request.body', 'request.header', 'request.querystring', 'context', 'default']);
  } catch (err) {
    if (err instanceof SelectionExpressionError) throw new BadRequestException(`Invalid ${name}: ${err.message}`);
    throw err;
  }
}

/** Validates a complete route (after defaults or an update's merge) and returns the checks its write needs. */
export async function checkRoute(reader: StoreReader, api: ApiRecord, route: RouteRecord): Promise<Step[]> {
  const apiId = api.apiId;
  checkRouteKeySyntax(api.protocolType, route.routeKey);
  const type = route.authorizationType;
  if (api.protocolType === 'WEBSOCKET') {
    if (type === 'JWT') throw new BadRequestException('Authorization type JWT is supported only for HTTP APIs');
    if (type !== 'NONE' && route.routeKey !== '$connect') {
      throw new BadRequestException('Currently, authorization is restricted to the $connect route only');
    }
  }
  const steps: Step[] = [];
  if (type === 'JWT' || type === 'CUSTOM') {
    // AWS's refusal for a missing, unknown or other-type authorizer (terraform-provider-aws route_test.go ExpectError).
    const invalid = () => new BadRequestException(INVALID_AUTHORIZER[type]);
    if (route.authorizerId === undefined) throw invalid();
    const authorizer = await reader.get<AuthorizerRecord>('authorizer', apiId, route.authorizerId);
    if (!authorizer || authorizer.data.authorizerType !== AUTHORIZER_KIND[type]) throw invalid();
    steps.push({ write: { op: 'check', kind: 'authorizer', scope: apiId, id: route.authorizerId }, onError: { NOT_FOUND: invalid } });
  } else if (route.authorizerId !== undefined) {
    throw new BadRequestException(`authorizerId can be set only for authorization types JWT and CUSTOM, not ${type}`);
  }
  if (route.authorizationScopes && route.authorizationScopes.length > 0) {
    if (type !== 'JWT') throw new BadRequestException('authorizationScopes are supported only for routes with authorization type JWT');
    if (route.authorizationScopes.length > MAX_SCOPES) throw new BadRequestException(`A route can have at most ${MAX_SCOPES} authorization scopes`);
  }
  if (route.target !== undefined) {
    const m = TARGET.exec(route.target);
    if (!m) throw new BadRequestException(`Invalid target ${route.target}: must be integrations/{integrationId}`);
    const integrationId = m[1] as string;
    steps.push({ write: { op: 'check', kind: 'integration', scope: apiId, id: integrationId }, onError: { NOT_FOUND: () => childNotFound('Integration', integrationId) } });
  }
  for (const key of Object.keys(route.requestParameters ?? {})) {
    if (!ROUTE_PARAMETER.test(key)) {
      throw new BadRequestException(`Invalid request parameter key ${key}: must be route.request.header|querystring|path.{name}`);
    }
  }
  if (route.requestModels && Object.keys(route.requestModels).length > 0) {
    const models = new Set((await reader.listAll<ModelRecord>('model', apiId)).map((m) => m.data.name));
    for (const name of Object.values(route.requestModels)) {
      if (!models.has(name)) throw new BadRequestException(`Invalid model ${name} in requestModels: no model of that name exists in API ${apiId}`);
    }
  }
  checkExpression('modelSelectionExpression', route.modelSelectionExpression);
  checkExpression('routeResponseSelectionExpression', route.routeResponseSelectionExpression);
  return steps;
}

const MEMBERS = [
  'routeKey', 'target', 'authorizationType', 'authorizerId', 'authorizationScopes', 'apiKeyRequired', 'operationName',
  'requestParameters', 'requestModels', 'modelSelectionExpression', 'routeResponseSelectionExpression',
];

/** CreateRoute: POST /v2/apis/{apiId}/routes */
export const createRoute: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  const route: RouteRecord = patch(
    { routeId: ctx.ids('route'), routeKey: '', authorizationType: 'NONE', apiKeyRequired: false, createdDate: isoSeconds(ctx.clock()) },
    input,
    MEMBERS,
  );
  const checks = await checkRoute(ctx.store, api.data, route);
  refuseNotActedOn(ctx, routeNotActedOn(api.data.protocolType, route));
  await applyApiChange(ctx, api.id, [
    ...checks,
    {
      write: { op: 'insert', kind: 'route', scope: api.id, id: route.routeId, key: route.routeKey, data: route },
      onError: { CONFLICT: () => routeConflict(route.routeKey) },
    },
  ]);
  return { body: route as unknown as Record<string, unknown>, createdAt: route.createdDate };
};


/** GetRoute: GET /v2/apis/{apiId}/routes/{routeId} */
export const getRoute: OperationHandler = async (input, ctx) => {
  const { item: route } = await loadChild<RouteRecord>(ctx, input, 'route', 'routeId', 'Route');
  return { body: route.data as unknown as Record<string, unknown>, createdAt: route.data.createdDate };
};

/** GetRoutes: GET /v2/apis/{apiId}/routes */
export const getRoutes: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  return listPage(ctx, 'route', api.id, input);
};

/** UpdateRoute: PATCH /v2/apis/{apiId}/routes/{routeId} */
export const updateRoute: OperationHandler = async (input, ctx) => {
  const { api, item: current } = await loadChild<RouteRecord>(ctx, input, 'route', 'routeId', 'Route');
  const route: RouteRecord = patch(current.data, input, MEMBERS, CLEARED_BY_EMPTY.UpdateRouteRequest);
  // A change to an authorization type that takes no authorizer detaches it (and its scopes), as on
  // AWS, unless an authorizer is named in the same call; `""` detaches it too (CLEARED_BY_EMPTY).
  const takesAuthorizer = route.authorizationType === 'JWT' || route.authorizationType === 'CUSTOM';
  if (!takesAuthorizer && input.authorizationType !== undefined && !input.authorizerId) {
    delete route.authorizerId;
    delete route.authorizationScopes;
  }
  const checks = await checkRoute(ctx.store, api, route);
  refuseNotActedOn(ctx, routeNotActedOn(api.protocolType, route));
  await applyApiChange(ctx, api.apiId, [
    ...checks,
    {
      write: { op: 'update', kind: 'route', scope: api.apiId, id: current.id, key: route.routeKey, data: route, ifVersion: current.version },
      onError: { CONFLICT: () => routeConflict(route.routeKey), NOT_FOUND: () => childNotFound('Route', current.id) },
    },
  ]);
  return { body: route as unknown as Record<string, unknown>, createdAt: route.createdDate };
};

/** DeleteRoute: DELETE /v2/apis/{apiId}/routes/{routeId} — with its route responses. */
export const deleteRoute: OperationHandler = async (input, ctx) => {
  const { api, item: route } = await loadChild<RouteRecord>(ctx, input, 'route', 'routeId', 'Route');
  await applyApiChange(ctx, api.apiId, [
    {
      write: { op: 'delete', kind: 'route', scope: api.apiId, id: route.id, cascade: `${api.apiId}/routes/${route.id}` },
      onError: { NOT_FOUND: () => childNotFound('Route', route.id) },
    },
  ]);
};

/** DeleteRouteRequestParameter: DELETE /v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey} */
export const deleteRouteRequestParameter: OperationHandler = async (input, ctx) => {
  const { api, item: route } = await loadChild<RouteRecord>(ctx, input, 'route', 'routeId', 'Route');
  const key = input.requestParameterKey as string;
  const parameters = { ...(route.data.requestParameters ?? {}) };
  if (!Object.hasOwn(parameters, key)) throw childNotFound('RequestParameter', key);
  delete parameters[key];
  await applyApiChange(ctx, api.apiId, [
    { write: { op: 'update', kind: 'route', scope: api.apiId, id: route.id, data: { ...route.data, requestParameters: parameters }, ifVersion: route.version } },
  ]);
};
