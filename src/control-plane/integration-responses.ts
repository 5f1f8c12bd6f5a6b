/**
 * IntegrationResponses (WebSocket APIs): CreateIntegrationResponse, GetIntegrationResponse,
 * GetIntegrationResponses, UpdateIntegrationResponse, DeleteIntegrationResponse. Keys are
 * `$default` or a `/regex/` matched against the integration's status code or error message.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-responses.html
 */
import { isoSeconds } from '../model/ids.js';
import { checkSelectionExpression, SelectionExpressionError } from '../model/selection-expression.js';
import type { StoredResource } from '../store/store.js';
import { applyApiChange } from './deployments.js';
import { listPage, loadApi, loadChild, loadInScope, patch } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { Input } from './input.js';
import { CLEARED_BY_EMPTY } from './input.js';
import type { ApiRecord, IntegrationRecord, IntegrationResponseRecord } from '../model/resources.js';

const RESPONSE_PARAMETER_KEY = /^route\.response\.header\.[^\s]+$/;

async function loadIntegration(ctx: ControlPlaneContext, input: Input): Promise<{ api: ApiRecord; integration: StoredResource<IntegrationRecord>; scope: string }> {
  // HTTP APIs too: no AWS refusal is known (README "Fidelity"); their data plane does not use them.
  const api = await loadApi(ctx, input.apiId as string);
  const { item: integration } = await loadChild<IntegrationRecord>(ctx, input, 'integration', 'integrationId', 'Integration');
  return { api: api.data, integration, scope: `${api.id}/integrations/${integration.id}` };
}

function check(response: IntegrationResponseRecord): void {
  const key = response.integrationResponseKey;
  if (key !== '$default') {
    const m = /^\/(.+)\/$/.exec(key);
    if (!m) throw new BadRequestException(`Invalid integrationResponseKey ${key}: use $default or a /regex/`);
    try {
      new RegExp(m[1] as string);
    } catch (err) {
      throw new BadRequestException(`Invalid integrationResponseKey ${key}: ${(err as Error).message}`);
    }
  }
  for (const k of Object.keys(response.responseParameters ?? {})) {
    if (!RESPONSE_PARAMETER_KEY.test(k)) throw new BadRequestException(`Invalid responseParameters key ${k}: must be route.response.header.{name}`);
  }
  if (response.templateSelectionExpression !== undefined) {
    try {
      checkSelectionExpression(response.templateSelectionExpression, ['integration.response', 'request.body', 'context', 'default']);
    } catch (err) {
      if (err instanceof SelectionExpressionError) throw new BadRequestException(`Invalid templateSelectionExpression: ${err.message}`);
      throw err;
    }
  }
}

const conflict = (key: string) => new ConflictException(`Integration response with key ${key} already exists for this integration`);
const MEMBERS = ['integrationResponseKey', 'contentHandlingStrategy', 'responseParameters', 'responseTemplates', 'templateSelectionExpression'];

/** CreateIntegrationResponse: POST /v2/apis/{apiId}/integrations/{integrationId}/integrationresponses */
export const createIntegrationResponse: OperationHandler = async (input, ctx) => {
  const { api, integration, scope } = await loadIntegration(ctx, input);
  const response: IntegrationResponseRecord = patch(
    { integrationResponseId: ctx.ids('integrationResponse'), integrationResponseKey: '', createdDate: isoSeconds(ctx.clock()) },
    input,
    MEMBERS,
  );
  check(response);
  await applyApiChange(ctx, api.apiId, [
    { write: { op: 'check', kind: 'integration', scope: api.apiId, id: integration.id }, onError: { NOT_FOUND: () => childNotFound('Integration', integration.id) } },
    {
      write: { op: 'insert', kind: 'integrationResponse', scope, id: response.integrationResponseId, key: response.integrationResponseKey, data: response },
      onError: { CONFLICT: () => conflict(response.integrationResponseKey) },
    },
  ]);
  return { body: response as unknown as Record<string, unknown>, createdAt: response.createdDate };
};

async function loadResponse(ctx: ControlPlaneContext, input: Input) {
  const loaded = await loadIntegration(ctx, input);
  return { ...loaded, response: await loadInScope<IntegrationResponseRecord>(ctx, 'integrationResponse', loaded.scope, input.integrationResponseId as string, 'IntegrationResponse') };
}

/** GetIntegrationResponse: GET .../integrationresponses/{integrationResponseId} */
export const getIntegrationResponse: OperationHandler = async (input, ctx) => {
  const { response } = await loadResponse(ctx, input);
  return { body: response.data as unknown as Record<string, unknown>, createdAt: response.data.createdDate };
};

/** GetIntegrationResponses: GET .../integrationresponses */
export const getIntegrationResponses: OperationHandler = async (input, ctx) => {
  const { scope } = await loadIntegration(ctx, input);
  return listPage(ctx, 'integrationResponse', scope, input);
};

/** UpdateIntegrationResponse: PATCH .../integrationresponses/{integrationResponseId} */
export const updateIntegrationResponse: OperationHandler = async (input, ctx) => {
  const { api, scope, response: current } = await loadResponse(ctx, input);
  const response = patch(current.data, input, MEMBERS, CLEARED_BY_EMPTY.UpdateIntegrationResponseRequest);
  check(response);
  await applyApiChange(ctx, api.apiId, [
    {
      write: { op: 'update', kind: 'integrationResponse', scope, id: current.id, key: response.integrationResponseKey, data: response, ifVersion: current.version },
      onError: { CONFLICT: () => conflict(response.integrationResponseKey) },
    },
  ]);
  return { body: response as unknown as Record<string, unknown>, createdAt: response.createdDate };
};

/** DeleteIntegrationResponse: DELETE .../integrationresponses/{integrationResponseId} */
export const deleteIntegrationResponse: OperationHandler = async (input, ctx) => {
  const { api, scope, response } = await loadResponse(ctx, input);
  await applyApiChange(ctx, api.apiId, [
    { write: { op: 'delete', kind: 'integrationResponse', scope, id: response.id }, onError: { NOT_FOUND: () => childNotFound('IntegrationResponse', response.id) } },
  ]);
};
