/**
 * Stages: CreateStage, GetStage, GetStages, UpdateStage, DeleteStage, DeleteAccessLogSettings,
 * DeleteRouteSettings, ResetAuthorizersCache.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html
 */
import { isoSeconds } from '../model/ids.js';
import type { StoredResource } from '../store/store.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { listPage, loadApi, loadChild, patch, rejectOtherProtocolMembers } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { AUTO_DEPLOY_DESCRIPTION, newDeployment } from './deployments.js';
import { BadRequestException, childNotFound, ConflictException } from './errors.js';
import type { ApiRecord, RouteRecord, StageRecord } from './records.js';

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]+$/;
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:(logs:[a-z0-9-]+:\d{12}:log-group:[.\-_/#A-Za-z0-9]+|firehose:[a-z0-9-]+:\d{12}:deliverystream\/[A-Za-z0-9_.-]+)(:\*)?$/;
const MAX_ACCESS_LOG_FORMAT = 3 * 1024;

const bad = (message: string) => new BadRequestException(message);

/** The route settings AWS fills in for a new stage of each protocol. */
function defaultRouteSettings(protocolType: string): Record<string, unknown> {
  return protocolType === 'HTTP'
    ? { detailedMetricsEnabled: false }
    : { dataTraceEnabled: false, detailedMetricsEnabled: false, loggingLevel: 'OFF' };
}

function checkRouteSettings(api: ApiRecord, where: string, settings: Record<string, unknown>): void {
  if (api.protocolType === 'HTTP' && (settings.loggingLevel !== undefined || settings.dataTraceEnabled !== undefined)) {
    throw bad('Execution logs are not supported on protocolType HTTP');
  }
  for (const limit of ['throttlingBurstLimit', 'throttlingRateLimit'] as const) {
    const value = settings[limit];
    if (typeof value === 'number' && value < 0) throw bad(`Invalid ${where}.${limit} ${value}: must not be negative`);
  }
}

async function checkStage(ctx: ControlPlaneContext, api: ApiRecord, stage: StageRecord): Promise<void> {
  if (stage.stageName !== '$default' && !STAGE_NAME.test(stage.stageName)) {
    throw bad(`Invalid stage name ${stage.stageName}: use $default or 1-128 letters, digits, hyphens and underscores`);
  }
  if (stage.autoDeploy && stage.deploymentId !== undefined && stage.deploymentId !== '') {
    throw bad('A stage with autoDeploy enabled cannot be given a deploymentId: it is deployed automatically');
  }
  for (const [name, value] of Object.entries(stage.stageVariables)) {
    if (!VARIABLE_NAME.test(name)) throw bad(`Invalid stage variable name ${name}: use 1-64 letters, digits and underscores`);
    if (!VARIABLE_VALUE.test(value)) throw bad(`Invalid value for stage variable ${name}: use letters, digits and - . _ ~ : / ? # & = ,`);
  }
  checkRouteSettings(api, 'defaultRouteSettings', stage.defaultRouteSettings);
  const keys = Object.keys(stage.routeSettings);
  if (keys.length > 0) {
    const routes = new Set((await ctx.store.listAll<RouteRecord>('route', api.apiId)).map((r) => r.data.routeKey));
    for (const key of keys) {
      if (!routes.has(key)) throw bad(`Unable to find Route by key ${key} within the provided RouteSettings`);
      checkRouteSettings(api, `routeSettings.${key}`, stage.routeSettings[key] as Record<string, unknown>);
    }
  }
  const log = stage.accessLogSettings;
  if (log) {
    if (log.destinationArn !== undefined && !LOG_GROUP_ARN.test(log.destinationArn)) {
      throw bad(`Invalid accessLogSettings.destinationArn ${log.destinationArn}: must be a CloudWatch Logs log group ARN`);
    }
    if (log.format !== undefined) {
      if (!log.format.includes('$context.requestId') && !log.format.includes('$context.extendedRequestId')) {
        throw bad('accessLogSettings.format must include $context.requestId or $context.extendedRequestId');
      }
      if (Buffer.byteLength(log.format) > MAX_ACCESS_LOG_FORMAT) throw bad('accessLogSettings.format must be at most 3 KB');
      if (log.format.includes('\n')) throw bad('accessLogSettings.format must be a single line');
    }
    if ((log.destinationArn === undefined) !== (log.format === undefined)) throw bad('accessLogSettings needs both destinationArn and format');
  }
}

const MEMBERS = ['stageName', 'autoDeploy', 'deploymentId', 'description', 'stageVariables', 'accessLogSettings', 'clientCertificateId', 'tags'];

/** CreateStage: POST /v2/apis/{apiId}/stages — an auto-deploy stage is deployed at once. */
export const createStage: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  rejectOtherProtocolMembers('CreateStageRequest', input, api.data.protocolType);
  const now = isoSeconds(ctx.clock());
  const stage: StageRecord = patch(
    {
      stageName: '',
      autoDeploy: false,
      defaultRouteSettings: { ...defaultRouteSettings(api.data.protocolType), ...((input.defaultRouteSettings as object | undefined) ?? {}) },
      routeSettings: (input.routeSettings as StageRecord['routeSettings'] | undefined) ?? {},
      stageVariables: {},
      tags: {},
      createdDate: now,
      lastUpdatedDate: now,
    },
    input,
    MEMBERS,
  );
  await checkStage(ctx, api.data, stage);
  const steps: Step[] = [{ write: { op: 'check', kind: 'api', scope: '', id: api.id } }];
  if (stage.deploymentId !== undefined) {
    const deploymentId = stage.deploymentId;
    steps.push({ write: { op: 'check', kind: 'deployment', scope: api.id, id: deploymentId }, onError: { NOT_FOUND: () => childNotFound('Deployment', deploymentId) } });
  }
  if (stage.autoDeploy) {
    const deployment = await newDeployment(ctx, api.data, true, AUTO_DEPLOY_DESCRIPTION);
    stage.deploymentId = deployment.deploymentId;
    steps.push({ write: { op: 'insert', kind: 'deployment', scope: api.id, id: deployment.deploymentId, data: deployment } });
  }
  steps.push({
    write: { op: 'insert', kind: 'stage', scope: api.id, id: stage.stageName, data: stage },
    onError: { CONFLICT: () => new ConflictException(`Stage ${stage.stageName} already exists`) },
  });
  await applySteps(ctx.store, steps);
  return { body: stage as unknown as Record<string, unknown>, createdAt: stage.createdDate };
};


/** GetStage: GET /v2/apis/{apiId}/stages/{stageName} */
export const getStage: OperationHandler = async (input, ctx) => {
  const { item: stage } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  return { body: stage.data as unknown as Record<string, unknown>, createdAt: stage.data.createdDate };
};

/** GetStages: GET /v2/apis/{apiId}/stages */
export const getStages: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  return listPage(ctx, 'stage', api.id, input);
};

/** UpdateStage: PATCH /v2/apis/{apiId}/stages/{stageName} — route settings merge per route key. */
export const updateStage: OperationHandler = async (input, ctx) => {
  const { api, item: current } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  rejectOtherProtocolMembers('UpdateStageRequest', input, api.protocolType);
  const now = isoSeconds(ctx.clock());
  const stage: StageRecord = patch(current.data, input, ['autoDeploy', 'deploymentId', 'description', 'stageVariables', 'accessLogSettings', 'clientCertificateId']);
  stage.lastUpdatedDate = now;
  if (input.defaultRouteSettings !== undefined) stage.defaultRouteSettings = { ...stage.defaultRouteSettings, ...(input.defaultRouteSettings as object) };
  if (input.routeSettings !== undefined) stage.routeSettings = { ...stage.routeSettings, ...(input.routeSettings as StageRecord['routeSettings']) };
  // Turning auto-deploy on drops an explicit deployment; the stage is redeployed below.
  const enablingAutoDeploy = stage.autoDeploy && !current.data.autoDeploy;
  if (enablingAutoDeploy && input.deploymentId === undefined) delete stage.deploymentId;
  await checkStage(ctx, api, stage);
  const steps: Step[] = [];
  if (input.deploymentId !== undefined) {
    const deploymentId = input.deploymentId as string;
    steps.push({ write: { op: 'check', kind: 'deployment', scope: api.apiId, id: deploymentId }, onError: { NOT_FOUND: () => childNotFound('Deployment', deploymentId) } });
  }
  if (enablingAutoDeploy) {
    const deployment = await newDeployment(ctx, api, true, AUTO_DEPLOY_DESCRIPTION);
    stage.deploymentId = deployment.deploymentId;
    steps.push({ write: { op: 'insert', kind: 'deployment', scope: api.apiId, id: deployment.deploymentId, data: deployment } });
  }
  steps.push({ write: { op: 'update', kind: 'stage', scope: api.apiId, id: current.id, data: stage, ifVersion: current.version } });
  await applySteps(ctx.store, steps);
  return { body: stage as unknown as Record<string, unknown>, createdAt: stage.createdDate };
};

/** DeleteStage: DELETE /v2/apis/{apiId}/stages/{stageName} */
export const deleteStage: OperationHandler = async (input, ctx) => {
  const { api, item: stage } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  await applySteps(ctx.store, [{ write: { op: 'delete', kind: 'stage', scope: api.apiId, id: stage.id }, onError: { NOT_FOUND: () => childNotFound('Stage', stage.id) } }]);
};

async function updateStageRecord(ctx: ControlPlaneContext, api: ApiRecord, current: StoredResource<StageRecord>, stage: StageRecord): Promise<void> {
  await applySteps(ctx.store, [
    { write: { op: 'update', kind: 'stage', scope: api.apiId, id: current.id, data: { ...stage, lastUpdatedDate: isoSeconds(ctx.clock()) }, ifVersion: current.version } },
  ]);
}

/** DeleteAccessLogSettings: DELETE /v2/apis/{apiId}/stages/{stageName}/accesslogsettings */
export const deleteAccessLogSettings: OperationHandler = async (input, ctx) => {
  const { api, item: stage } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  const { accessLogSettings: _removed, ...rest } = stage.data;
  await updateStageRecord(ctx, api, stage, rest);
};

/** DeleteRouteSettings: DELETE /v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey} */
export const deleteRouteSettings: OperationHandler = async (input, ctx) => {
  const { api, item: stage } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  const routeKey = input.routeKey as string;
  if (!(routeKey in stage.data.routeSettings)) throw childNotFound('RouteSettings', routeKey);
  const routeSettings = { ...stage.data.routeSettings };
  delete routeSettings[routeKey];
  await updateStageRecord(ctx, api, stage, { ...stage.data, routeSettings });
};

/**
 * ResetAuthorizersCache: DELETE /v2/apis/{apiId}/stages/{stageName}/cache/authorizers.
 * Bumps the stage's cache generation; every node's data plane recompiles the stage from the
 * change feed and drops that stage's authorizer cache with it.
 */
export const resetAuthorizersCache: OperationHandler = async (input, ctx) => {
  const { api, item: stage } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  const generation = ((stage.data as { authorizerCacheGeneration?: number }).authorizerCacheGeneration ?? 0) + 1;
  await applySteps(ctx.store, [
    { write: { op: 'update', kind: 'stage', scope: api.apiId, id: stage.id, data: { ...stage.data, authorizerCacheGeneration: generation }, ifVersion: stage.version } },
  ]);
};

