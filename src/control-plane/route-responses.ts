/**
 * RouteResponses (WebSocket APIs): CreateRouteResponse, GetRouteResponse, GetRouteResponses,
 * UpdateRouteResponse, DeleteRouteResponse. Only `$default` keys exist; a route with one and
 * `routeResponseSelectionExpression: $default` is two-way.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-response.html
 */
import { isoSeconds } from '../model/ids.js';
import type { StoredResource } from '../store/store.js';
import { applyApiChange } from './deployments.js';
import { listPage, loadApi, loadChild, loadInScope, patch } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { Input } from './input.js';
import { CLEARED_BY_EMPTY } from './input.js';
import type { ApiRecord, ModelRecord, RouteRecord, RouteResponseRecord } from '../model/resources.js';

const RESPONSE_PARAMETER = /^route\.response\.header\.[^\s]+$/;

async function loadRoute(ctx: ControlPlaneContext, input: Input): Promise<{ api: ApiRecord; route: StoredResource<RouteRecord>; scope: string }> {
  // HTTP APIs too: no AWS refusal is known (README "Fidelity"); their data plane does not use them.
  const api = await loadApi(ctx, input.apiId as string);
  const { item: route } = await loadChild<RouteRecord>(ctx, input, 'route', 'routeId', 'Route');
  return { api: api.data, route, scope: `${api.id}/routes/${route.id}` };
}

async function check(ctx: ControlPlaneContext, api: ApiRecord, response: RouteResponseRecord): Promise<void> {
  if (response.routeResponseKey !== '$default') throw new BadRequestException(`Invalid routeResponseKey ${response.routeResponseKey}: only $default is supported`);
  for (const key of Object.keys(response.responseParameters ?? {})) {
    if (!RESPONSE_PARAMETER.test(key)) throw new BadRequestException(`Invalid responseParameters key ${key}: must be route.response.header.{name}`);
  }
  const names = Object.values(response.responseModels ?? {});
  if (names.length > 0) {
    const models = new Set((await ctx.store.listAll<ModelRecord>('model', api.apiId)).map((m) => m.data.name));
    for (const name of names) if (!models.has(name)) throw new BadRequestException(`Invalid model ${name} in responseModels: no model of that name exists in API ${api.apiId}`);
  }
}

const conflict = (key: string) => new ConflictException(`Route response with key ${key} already exists for this route`);
const MEMBERS = ['routeResponseKey', 'modelSelectionExpression', 'responseModels', 'responseParameters'];

/** CreateRouteResponse: POST /v2/apis/{apiId}/routes/{routeId}/routeresponses */
export const createRouteResponse: OperationHandler = async (input, ctx) => {
  const { api, route, scope } = await loadRoute(ctx, input);
  const response: RouteResponseRecord = patch({ routeResponseId: ctx.ids('routeResponse'), routeResponseKey: '', createdDate: isoSeconds(ctx.clock()) }, input, MEMBERS);
  await check(ctx, api, response);
  await applyApiChange(ctx, api.apiId, [
    { write: { op: 'check', kind: 'route', scope: api.apiId, id: route.id }, onError: { NOT_FOUND: () => childNotFound('Route', route.id) } },
    { write: { op: 'insert', kind: 'routeResponse', scope, id: response.routeResponseId, key: response.routeResponseKey, data: response }, onError: { CONFLICT: () => conflict(response.routeResponseKey) } },
  ]);
  return { body: response as unknown as Record<string, unknown>, createdAt: response.createdDate };
};

async function loadResponse(ctx: ControlPlaneContext, input: Input) {
  const loaded = await loadRoute(ctx, input);
  return { ...loaded, response: await loadInScope<RouteResponseRecord>(ctx, 'routeResponse', loaded.scope, input.routeResponseId as string, 'RouteResponse') };
}

/** GetRouteResponse: GET /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId} */
export const getRouteResponse: OperationHandler = async (input, ctx) => {
  const { response } = await loadResponse(ctx, input);
  return { body: response.data as unknown as Record<string, unknown>, createdAt: response.data.createdDate };
};

/** GetRouteResponses: GET /v2/apis/{apiId}/routes/{routeId}/routeresponses */
export const getRouteResponses: OperationHandler = async (input, ctx) => {
  const { scope } = await loadRoute(ctx, input);
  return listPage(ctx, 'routeResponse', scope, input);
};

/** UpdateRouteResponse: PATCH /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId} */
export const updateRouteResponse: OperationHandler = async (input, ctx) => {
  const { api, scope, response: current } = await loadResponse(ctx, input);
  const response = patch(current.data, input, MEMBERS, CLEARED_BY_EMPTY.UpdateRouteResponseRequest);
  await check(ctx, api, response);
  await applyApiChange(ctx, api.apiId, [
    { write: { op: 'update', kind: 'routeResponse', scope, id: current.id, key: response.routeResponseKey, data: response, ifVersion: current.version }, onError: { CONFLICT: () => conflict(response.routeResponseKey) } },
  ]);
  return { body: response as unknown as Record<string, unknown>, createdAt: response.createdDate };
};

/** DeleteRouteResponse: DELETE /v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId} */
export const deleteRouteResponse: OperationHandler = async (input, ctx) => {
  const { api, scope, response } = await loadResponse(ctx, input);
  await applyApiChange(ctx, api.apiId, [{ write: { op: 'delete', kind: 'routeResponse', scope, id: response.id }, onError: { NOT_FOUND: () => childNotFound('RouteResponse', response.id) } }]);
};
