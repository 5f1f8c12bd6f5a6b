/**
 * ImportApi, ReimportApi and ExportApi: HTTP APIs from and to OpenAPI definitions. Imported
 * resources pass the same validation as CreateApi/CreateAuthorizer/CreateIntegration/CreateRoute
 * and are written in one atomic batch.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html
 */
import { isoSeconds } from '../model/ids.js';
import { OPERATIONS } from '../model/service-model.js';
import { overlayReader } from '../store/overlay.js';
import type { ResourceKind, WriteOp } from '../store/store.js';
import { HTTP_ROUTE_SELECTION_EXPRESSION, checkCors, renderApi } from './apis.js';
import { checkAuthorizer } from './authorizers.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { applyApiChange, autoDeploy } from './deployments.js';
import { authorizerNotActedOn, integrationNotActedOn, routeNotActedOn } from '../model/not-acted-on.js';
import { loadApi, refuseNotActedOn } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound } from './errors.js';
import type { Input } from './input.js';
import { bindInput } from './input.js';
import { checkIntegration, withDefaults } from './integrations.js';
import type { ApiConfiguration } from './openapi/export.js';
import { exportDefinition, OUTPUT_TYPES, serializeDefinition } from './openapi/export.js';
import type { JsonObject } from './openapi/extensions.js';
import { IMPORT_EXPORT_VERSION } from './openapi/extensions.js';
import type { BasePathMode, ImportedDefinition } from './openapi/import.js';
import { BASE_PATH_MODES, convertDefinition, parseDefinition } from './openapi/import.js';
import type { ApiRecord, AuthorizerRecord, CorsConfiguration, DeploymentRecord, IntegrationRecord, RouteRecord, StageRecord } from '../model/resources.js';
import { checkRoute, routeConflict } from './routes.js';

const bad = (message: string) => new BadRequestException(message);

const HTTP_TIMEOUT_DEFAULT = 30000;

/** Import, reimport and export are defined for HTTP APIs only (AWS: "Supported only for HTTP APIs"). */
function requireHttp(api: ApiRecord, operation: string): void {
  if (api.protocolType !== 'HTTP') throw bad(`${operation} is supported only for HTTP APIs; ${api.apiId} is a WebSocket API`);
}

/** Runs `f`, prefixing a BadRequestException's message with where the definition failed. */
async function within<T>(where: string, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof BadRequestException) throw bad(`${where}: ${err.message}`);
    throw err;
  }
}

/** Validates members against an operation's input shape, as that operation's request would be. */
function validate(operation: string, apiId: string, members: JsonObject): Input {
  const spec = OPERATIONS.find((op) => op.name === operation);
  if (!spec) throw new Error(`unknown operation ${operation}`);
  const { apiId: _apiId, ...input } = bindInput(spec, { ApiId: apiId }, new URLSearchParams(), Buffer.from(JSON.stringify(members)));
  return input;
}

/** Parses and converts ImportApi/ReimportApi's `body`, honouring `basepath` and `failOnWarnings`. */
function readDefinition(input: Input): ImportedDefinition {
  const mode = (input.basepath as string | undefined) ?? 'ignore';
  if (!(BASE_PATH_MODES as readonly string[]).includes(mode)) throw bad(`Invalid basepath ${mode}: must be one of ${BASE_PATH_MODES.join(', ')}`);
  const definition = convertDefinition(parseDefinition(input.body as string), mode as BasePathMode);
  const { warnings } = definition;
  // AWS's text, then the warnings one per tab-indented line (terraform-provider-aws api_test.go OpenAPI_failOnWarnings).
  if (input.failOnWarnings === true && warnings.length > 0) throw bad(`Warnings found during import:\n\t${warnings.join('\n\t')}`);
  return definition;
}

/** The API members the definition sets, validated as CreateApi validates them. */
async function apiMembers(definition: ImportedDefinition): Promise<Partial<ApiRecord>> {
  return within('Invalid API definition', () => {
    const { protocolType: _protocolType, ...members } = validate('CreateApi', '', { ...definition.api, protocolType: 'HTTP' });
    if (members.corsConfiguration) checkCors(members.corsConfiguration as CorsConfiguration);
    return { ...members, ...(definition.warnings.length > 0 ? { warnings: [...definition.warnings] } : {}) } as Partial<ApiRecord>;
  });
}

const insert = (kind: ResourceKind, scope: string, id: string, data: object, key?: string): Step['write'] => ({
  op: 'insert', kind, scope, id, data, ...(key === undefined ? {} : { key }),
});

/** Validated inserts for the definition's authorizers, integrations and routes (in that order). */
async function childSteps(ctx: ControlPlaneContext, api: ApiRecord, definition: ImportedDefinition, now: string): Promise<Step[]> {
  const apiId = api.apiId;
  const steps: Step[] = [];
  const authorizerIds = new Map<string, string>();
  for (const a of definition.authorizers) {
    const authorizer = await within(`Authorizer ${a.name}`, () => {
      const record = { authorizerId: ctx.ids('authorizer'), identitySource: [], createdDate: now, ...validate('CreateAuthorizer', apiId, a.members) } as unknown as AuthorizerRecord;
      checkAuthorizer(api, record);
      refuseNotActedOn(ctx, authorizerNotActedOn(api.protocolType, record));
      return record;
    });
    authorizerIds.set(a.name, authorizer.authorizerId);
    steps.push({ write: insert('authorizer', apiId, authorizer.authorizerId, authorizer) });
  }
  const integrationIds = new Map<string, string>();
  for (const i of definition.integrations) {
    const integration = await within(i.where, () => {
      const input = validate('CreateIntegration', apiId, i.members);
      const draft = { integrationId: ctx.ids('integration'), connectionType: 'INTERNET', timeoutInMillis: HTTP_TIMEOUT_DEFAULT, createdDate: now, ...input } as IntegrationRecord;
      const record = withDefaults(api, draft, input);
      checkIntegration(api, record);
      refuseNotActedOn(ctx, integrationNotActedOn(api.protocolType, record));
      return record;
    });
    integrationIds.set(i.key, integration.integrationId);
    steps.push({ write: insert('integration', apiId, integration.integrationId, integration) });
  }
  // Route checks see the authorizers being imported.
  const checkReader = overlayReader(ctx.store, steps.map((s) => s.write));
  for (const r of definition.routes) {
    const integrationId = r.integration === undefined ? undefined : integrationIds.get(r.integration);
    const authorizerId = r.authorizer === undefined ? undefined : authorizerIds.get(r.authorizer);
    const { route, checks } = await within(`Route ${r.routeKey}`, async () => {
      const route = {
        routeId: ctx.ids('route'),
        routeKey: r.routeKey,
        authorizationType: 'NONE',
        apiKeyRequired: false,
        // Imported routes carry an empty map (the AWS CLI's update-route example shows an imported route).
        requestParameters: {},
        createdDate: now,
        ...validate('CreateRoute', apiId, { routeKey: r.routeKey, ...r.members }),
        ...(integrationId ? { target: `integrations/${integrationId}` } : {}),
        ...(authorizerId ? { authorizerId } : {}),
      } as RouteRecord;
      const checks = await checkRoute(checkReader, api, route);
      refuseNotActedOn(ctx, routeNotActedOn(api.protocolType, route));
      return { route, checks };
    });
    steps.push(...checks, {
      write: insert('route', apiId, route.routeId, route, route.routeKey),
      onError: { CONFLICT: () => routeConflict(route.routeKey) },
    });
  }
  return steps;
}

/** ImportApi: PUT /v2/apis — creates an HTTP API from an OpenAPI definition. */
export const importApi: OperationHandler = async (input, ctx) => {
  const definition = readDefinition(input);
  const members = await apiMembers(definition);
  const now = isoSeconds(ctx.clock());
  const api: ApiRecord = {
    apiId: ctx.ids('api'),
    name: '',
    protocolType: 'HTTP',
    routeSelectionExpression: HTTP_ROUTE_SELECTION_EXPRESSION,
    apiKeySelectionExpression: '$request.header.x-api-key',
    createdDate: now,
    disableExecuteApiEndpoint: false,
    ipAddressType: 'ipv4',
    tags: {},
    ...members,
  };
  const steps = await childSteps(ctx, api, definition, now);
  await applyApiChange(ctx, api.apiId, [{ write: insert('api', ctx.scope, api.apiId, api) }, ...steps], { created: true });
  return { body: renderApi(ctx, api), createdAt: api.createdDate };
};

/**
 * ReimportApi: PUT /v2/apis/{apiId} — replaces the API's routes, integrations, authorizers and
 * CORS configuration with the definition's, keeping its id, stages and deployments.
 */
export const reimportApi: OperationHandler = async (input, ctx) => {
  const current = await loadApi(ctx, input.apiId as string);
  requireHttp(current.data, 'ReimportApi');
  const definition = readDefinition(input);
  const members = await apiMembers(definition);
  const { description: _d, version: _v, corsConfiguration: _c, warnings: _w, importInfo: _i, ...kept } = current.data;
  const api: ApiRecord = { ...kept, ...members };
  const apiId = api.apiId;
  const steps = await childSteps(ctx, api, definition, isoSeconds(ctx.clock()));
  // The old children are listed under the API's lock, inside the transaction, so a route created
  // concurrently cannot survive the reimport; the auto-deployment sees the result.
  await applySteps(ctx.store, [{ write: { op: 'lock', kind: 'api', scope: ctx.scope, id: apiId } }], async (reader) => {
    const [routes, integrations, authorizers] = await Promise.all([
      reader.listAll('route', apiId),
      reader.listAll('integration', apiId),
      reader.listAll('authorizer', apiId),
    ]);
    const ops: WriteOp[] = [
      ...routes.map((r): WriteOp => ({ op: 'delete', kind: 'route', scope: apiId, id: r.id, cascade: `${apiId}/routes/${r.id}` })),
      ...integrations.map((i): WriteOp => ({ op: 'delete', kind: 'integration', scope: apiId, id: i.id, cascade: `${apiId}/integrations/${i.id}` })),
      ...authorizers.map((a): WriteOp => ({ op: 'delete', kind: 'authorizer', scope: apiId, id: a.id })),
      { op: 'update', kind: 'api', scope: ctx.scope, id: apiId, data: api },
      ...steps.map((step) => step.write),
    ];
    return [...ops, ...(await autoDeploy(ctx, apiId)(overlayReader(reader, ops)))];
  });
  return { body: renderApi(ctx, api), createdAt: api.createdDate };
};

async function liveConfiguration(ctx: ControlPlaneContext, api: ApiRecord): Promise<ApiConfiguration> {
  const [routes, integrations, authorizers] = await Promise.all([
    ctx.store.listAll<RouteRecord>('route', api.apiId),
    ctx.store.listAll<IntegrationRecord>('integration', api.apiId),
    ctx.store.listAll<AuthorizerRecord>('authorizer', api.apiId),
  ]);
  return { api, routes: routes.map((r) => r.data), integrations: integrations.map((i) => i.data), authorizers: authorizers.map((a) => a.data) };
}

/** The configuration frozen in the deployment a stage points at. */
async function deployedConfiguration(ctx: ControlPlaneContext, apiId: string, stageName: string): Promise<ApiConfiguration> {
  const stage = await ctx.store.get<StageRecord>('stage', apiId, stageName);
  if (!stage) throw childNotFound('Stage', stageName);
  const deploymentId = stage.data.deploymentId;
  if (!deploymentId) throw bad(`Stage ${stageName} has no deployment to export: deploy the API to it, or export without stageName for the current configuration`);
  const deployment = await ctx.store.get<DeploymentRecord>('deployment', apiId, deploymentId);
  if (!deployment?.data.snapshot) throw bad(`The deployment ${deploymentId} of stage ${stageName} no longer exists`);
  const { api, routes, integrations, authorizers } = deployment.data.snapshot;
  return { api, routes, integrations, authorizers };
}

/** ExportApi: GET /v2/apis/{apiId}/exports/{specification} — the raw OpenAPI 3.0 document. */
export const exportApi: OperationHandler = async (input, ctx) => {
  const specification = input.specification as string;
  if (specification !== 'OAS30') throw bad(`Invalid specification ${specification}: the only supported specification is OAS30`);
  const outputType = input.outputType as string;
  if (outputType !== 'JSON' && outputType !== 'YAML') throw bad(`Invalid outputType ${outputType}: must be JSON or YAML`);
  const exportVersion = input.exportVersion as string | undefined;
  if (exportVersion !== undefined && exportVersion !== IMPORT_EXPORT_VERSION) {
    throw bad(`Invalid exportVersion ${exportVersion}: the only export version is ${IMPORT_EXPORT_VERSION}`);
  }
  const api = await loadApi(ctx, input.apiId as string);
  requireHttp(api.data, 'ExportApi');
  const stageName = input.stageName as string | undefined;
  const config = stageName === undefined ? await liveConfiguration(ctx, api.data) : await deployedConfiguration(ctx, api.id, stageName);
  const doc = exportDefinition(config, {
    endpoint: ctx.endpoints.apiEndpoint(api.id, 'HTTP'),
    ...(stageName === undefined ? {} : { stageName }),
    includeExtensions: input.includeExtensions !== false,
  });
  return { body: Buffer.from(serializeDefinition(doc, outputType), 'utf8'), contentType: OUTPUT_TYPES[outputType] };
};
