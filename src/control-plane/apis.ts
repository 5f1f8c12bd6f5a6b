/**
 * Apis: CreateApi (with quick create), GetApi, GetApis, UpdateApi, DeleteApi, DeleteCorsConfiguration.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html
 */
import { isoSeconds } from '../model/ids.js';
import { checkSelectionExpression, SelectionExpressionError } from '../model/selection-expression.js';
import type { StoredResource } from '../store/store.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { applyApiChange } from './deployments.js';
import { apiNotActedOn, quickCreateNotActedOn } from '../model/not-acted-on.js';
import { listPage, loadApi, patch, refuseDomainReferences, refuseNotActedOn } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { apiNotFound, BadRequestException } from './errors.js';
import type { Input } from './input.js';
import { CLEARED_BY_EMPTY } from './input.js';
import { quickCreateIntegration, quickTargetUpdate } from './integrations.js';
import type { ApiRecord, CorsConfiguration, IntegrationRecord, RouteRecord, StageRecord } from '../model/resources.js';
import { checkRouteKeySyntax, routeConflict } from './routes.js';
import { checkTags } from './tags.js';

/** The only route selection expression of HTTP APIs, as AWS stores and returns it. */
export const HTTP_ROUTE_SELECTION_EXPRESSION = '$request.method $request.path';
const HTTP_RSE_ACCEPTED = [HTTP_ROUTE_SELECTION_EXPRESSION, '${request.method} ${request.path}'];
const API_KEY_SELECTION_EXPRESSIONS = ['$request.header.x-api-key', '$context.authorizer.usageIdentifierKey'];
const CORS_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', '*'];

/** Renders an API with its data-plane endpoint. */
export function renderApi(ctx: ControlPlaneContext, api: Omit<ApiRecord, 'tags'> & { tags?: Record<string, string> }): Record<string, unknown> {
  return { ...api, apiEndpoint: ctx.endpoints.apiEndpoint(api.apiId, api.protocolType) };
}

function checkRouteSelectionExpression(protocolType: string, expression: string | undefined): string {
  if (protocolType === 'HTTP') {
    if (expression !== undefined && !HTTP_RSE_ACCEPTED.includes(expression)) {
      throw new BadRequestException(`Unsupported route selection expression for HTTP APIs: ${expression}. Use ${HTTP_ROUTE_SELECTION_EXPRESSION}`);
    }
    return HTTP_ROUTE_SELECTION_EXPRESSION;
  }
  if (expression === undefined) throw new BadRequestException('routeSelectionExpression is required for WebSocket APIs');
  try {
    checkSelectionExpression(expression, ['request.body', 'request.header', 'request.querystring', 'context']);
  } catch (err) {
    if (err instanceof SelectionExpressionError) throw new BadRequestException(`Invalid route selection expression: ${err.message}`);
    throw err;
  }
  return expression;
}

function checkApiKeySelectionExpression(expression: string | undefined): string {
  if (expression === undefined) return API_KEY_SELECTION_EXPRESSIONS[0] as string;
  if (!API_KEY_SELECTION_EXPRESSIONS.includes(expression)) {
    throw new BadRequestException(`Invalid API key selection expression ${expression}: must be one of ${API_KEY_SELECTION_EXPRESSIONS.join(', ')}`);
  }
  return expression;
}

/** Validates a CORS configuration (SPEC §E.6). */
export function checkCors(cors: CorsConfiguration): void {
  if (cors.allowCredentials && cors.allowOrigins?.includes('*')) {
    throw new BadRequestException("allow-credentials is not supported if 'allow-origin' is *");
  }
  for (const method of cors.allowMethods ?? []) {
    if (!CORS_METHODS.includes(method.toUpperCase())) {
      throw new BadRequestException(`Invalid CORS allowMethods value ${method}: must be one of ${CORS_METHODS.join(', ')}`);
    }
  }
  for (const origin of cors.allowOrigins ?? []) {
    if (origin !== '*' && !/^[a-z][a-z0-9+.-]*:\/\/(\*|[^/*\s]+)$/i.test(origin)) {
      throw new BadRequestException(`Invalid CORS allowOrigins value ${origin}: use *, a scheme wildcard such as https://*, or an origin such as https://www.example.com`);
    }
  }
}

/** Quick create (HTTP APIs): an integration for `target`, a route for it, and the auto-deployed `$default` stage. */
function quickCreateSteps(ctx: ControlPlaneContext, apiId: string, input: Input, now: string, withStage: boolean): Step[] {
  const routeKey = (input.routeKey as string | undefined) ?? '$default';
  checkRouteKeySyntax('HTTP', routeKey);
  const integration: IntegrationRecord = {
    ...quickCreateIntegration(input.target as string, input.credentialsArn as string | undefined),
    integrationId: ctx.ids('integration'),
    apiGatewayManaged: true,
    createdDate: now,
  };
  const route: RouteRecord = {
    routeId: ctx.ids('route'),
    routeKey,
    authorizationType: 'NONE',
    apiKeyRequired: false,
    target: `integrations/${integration.integrationId}`,
    apiGatewayManaged: true,
    createdDate: now,
  };
  // TODO(parity): the stage gets its auto-deployment once deployments land (stages/deployments issue)
  const stage: StageRecord = {
    stageName: '$default',
    autoDeploy: true,
    defaultRouteSettings: { detailedMetricsEnabled: false },
    routeSettings: {},
    stageVariables: {},
    tags: {},
    apiGatewayManaged: true,
    createdDate: now,
    lastUpdatedDate: now,
  };
  const steps: Step[] = [
    { write: { op: 'insert', kind: 'integration', scope: apiId, id: integration.integrationId, data: integration } },
    {
      write: { op: 'insert', kind: 'route', scope: apiId, id: route.routeId, key: routeKey, data: route },
      onError: { CONFLICT: () => routeConflict(routeKey) },
    },
  ];
  if (withStage) steps.push({ write: { op: 'insert', kind: 'stage', scope: apiId, id: stage.stageName, data: stage } });
  return steps;
}

function checkQuickCreateMembers(input: Input): void {
  if (input.target === undefined && (input.routeKey !== undefined || input.credentialsArn !== undefined)) {
    throw new BadRequestException('routeKey and credentialsArn are part of quick create and require target');
  }
}

/**
 * CreateApi: POST /v2/apis. Members the model documents for the other protocol are accepted and
 * stored (README "Fidelity"); quick create (`target`) makes HTTP APIs only.
 */
export const createApi: OperationHandler = async (input, ctx) => {
  const protocolType = input.protocolType as 'HTTP' | 'WEBSOCKET';
  const quickCreate = protocolType === 'HTTP';
  if (quickCreate) checkQuickCreateMembers(input);
  const now = isoSeconds(ctx.clock());
  const cors = input.corsConfiguration as CorsConfiguration | undefined;
  if (cors) checkCors(cors);
  checkTags(input.tags as Record<string, string> | undefined);
  const api: ApiRecord = {
    apiId: ctx.ids('api'),
    name: input.name as string,
    protocolType,
    routeSelectionExpression: checkRouteSelectionExpression(protocolType, input.routeSelectionExpression as string | undefined),
    apiKeySelectionExpression: checkApiKeySelectionExpression(input.apiKeySelectionExpression as string | undefined),
    createdDate: now,
    disableExecuteApiEndpoint: (input.disableExecuteApiEndpoint as boolean | undefined) ?? false,
    ipAddressType: (input.ipAddressType as string | undefined) ?? 'ipv4',
    tags: (input.tags as Record<string, string> | undefined) ?? {},
    // Stored only when given: AWS leaves it out otherwise (the AWS CLI's get-apis and create-api examples).
    ...patch({}, input, ['description', 'version', 'corsConfiguration', 'disableSchemaValidation']),
  };
  refuseNotActedOn(ctx, [...apiNotActedOn(api), ...quickCreateNotActedOn(protocolType, input)]);
  const steps: Step[] = [{ write: { op: 'insert', kind: 'api', scope: ctx.scope, id: api.apiId, data: api } }];
  if (quickCreate && input.target !== undefined) steps.push(...quickCreateSteps(ctx, api.apiId, input, now, true));
  await applyApiChange(ctx, api.apiId, steps, { created: true });
  // CreateApi's answer leaves out tags that were not given (the AWS CLI's create-api examples); GetApi shows {}.
  const { tags, ...untagged } = api;
  return { body: renderApi(ctx, input.tags === undefined ? untagged : { ...untagged, tags }), createdAt: api.createdDate };
};

/** GetApi: GET /v2/apis/{apiId} */
export const getApi: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  return { body: renderApi(ctx, api.data), createdAt: api.data.createdDate };
};

/** GetApis: GET /v2/apis */
export const getApis: OperationHandler = async (input, ctx) =>
  listPage(ctx, 'api', ctx.scope, input, (item) => renderApi(ctx, item.data as unknown as ApiRecord));

const UPDATABLE = ['name', 'description', 'disableExecuteApiEndpoint', 'disableSchemaValidation', 'corsConfiguration', 'version', 'ipAddressType'];

async function quickCreateUpdateSteps(ctx: ControlPlaneContext, api: ApiRecord, input: Input, now: string): Promise<Step[]> {
  if (input.target === undefined && input.routeKey === undefined && input.credentialsArn === undefined) return [];
  const integrations = await ctx.store.listAll<IntegrationRecord>('integration', api.apiId);
  const managed = integrations.find((i) => i.data.apiGatewayManaged);
  if (!managed) {
    checkQuickCreateMembers(input);
    const hasDefaultStage = (await ctx.store.get('stage', api.apiId, '$default')) !== undefined;
    return quickCreateSteps(ctx, api.apiId, input, now, !hasDefaultStage);
  }
  const steps: Step[] = [];
  const updated = quickTargetUpdate(managed.data, input.target as string | undefined, input.credentialsArn as string | undefined);
  steps.push({ write: { op: 'update', kind: 'integration', scope: api.apiId, id: managed.id, data: updated, ifVersion: managed.version } });
  if (input.routeKey !== undefined) {
    const routeKey = input.routeKey as string;
    checkRouteKeySyntax('HTTP', routeKey);
    const routes = await ctx.store.listAll<RouteRecord>('route', api.apiId);
    const route = routes.find((r) => r.data.apiGatewayManaged) as StoredResource<RouteRecord> | undefined;
    if (route) {
      steps.push({
        write: { op: 'update', kind: 'route', scope: api.apiId, id: route.id, key: routeKey, data: { ...route.data, routeKey }, ifVersion: route.version },
        onError: { CONFLICT: () => routeConflict(routeKey) },
      });
    }
  }
  return steps;
}

/** UpdateApi: PATCH /v2/apis/{apiId} */
export const updateApi: OperationHandler = async (input, ctx) => {
  const current = await loadApi(ctx, input.apiId as string);
  const api = current.data;
  const next: ApiRecord = patch(api, input, UPDATABLE.filter((m) => m !== 'corsConfiguration'), CLEARED_BY_EMPTY.UpdateApiRequest);
  // The members given replace those stored; the others stay (the AWS CLI's update-api example).
  if (input.corsConfiguration !== undefined) next.corsConfiguration = { ...(api.corsConfiguration ?? {}), ...(input.corsConfiguration as CorsConfiguration) };
  if (input.routeSelectionExpression !== undefined) {
    next.routeSelectionExpression = checkRouteSelectionExpression(api.protocolType, input.routeSelectionExpression as string);
  }
  if (input.apiKeySelectionExpression !== undefined) {
    next.apiKeySelectionExpression = checkApiKeySelectionExpression(input.apiKeySelectionExpression as string);
  }
  if (next.corsConfiguration) checkCors(next.corsConfiguration);
  refuseNotActedOn(ctx, [...apiNotActedOn(next), ...quickCreateNotActedOn(api.protocolType, input)]);
  const now = isoSeconds(ctx.clock());
  const steps: Step[] = [
    { write: { op: 'update', kind: 'api', scope: ctx.scope, id: api.apiId, data: next, ifVersion: current.version } },
    ...(api.protocolType === 'HTTP' ? await quickCreateUpdateSteps(ctx, api, input, now) : []),
  ];
  await applyApiChange(ctx, api.apiId, steps);
  return { body: renderApi(ctx, next), createdAt: next.createdDate };
};

/**
 * DeleteApi: DELETE /v2/apis/{apiId} — deletes every child resource with it; refused while a
 * custom domain's API mapping or routing rule points at it (the checks run in the delete's batch).
 */
export const deleteApi: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  // AWS's text for mappings (gruntwork-io/cloud-nuke#370); routing rules are refused the same way.
  const inUse = (what: string) => new BadRequestException(`Deleting API ${api.id} failed. Please remove all ${what} for the API from your custom domain names.`);
  await applySteps(
    ctx.store,
    [{ write: { op: 'delete', kind: 'api', scope: ctx.scope, id: api.id, cascade: api.id }, onError: { NOT_FOUND: () => apiNotFound(ctx.caller.accountId, api.id) } }],
    refuseDomainReferences(ctx, 'apiId', api.id, inUse),
  );
};

/** DeleteCorsConfiguration: DELETE /v2/apis/{apiId}/cors */
export const deleteCorsConfiguration: OperationHandler = async (input, ctx) => {
  const current = await loadApi(ctx, input.apiId as string);
  const { corsConfiguration: _removed, ...rest } = current.data;
  await applyApiChange(ctx, current.id, [{ write: { op: 'update', kind: 'api', scope: ctx.scope, id: current.id, data: rest, ifVersion: current.version } }]);
};
