/**
 * Stages: CreateStage, GetStage, GetStages, UpdateStage, DeleteStage, DeleteAccessLogSettings,
 * DeleteRouteSettings, ResetAuthorizersCache.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html
 */
import { isoSeconds } from '../model/ids.js';
import { apiStageRef } from '../model/account-region.js';
import { overlayReader } from '../store/overlay.js';
import type { StoredResource, StoreReader, WriteOp } from '../store/store.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { stageNotActedOn } from '../model/not-acted-on.js';
import { listPage, loadApi, loadChild, patch, refuseDomainReferences, refuseNotActedOn } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { CLEARED_BY_EMPTY } from './input.js';
import { apiLock, applyApiChange, autoDeploy } from './deployments.js';
import { BadRequestException, childNotFound, ConflictException, NotFoundException } from './errors.js';
import type { ApiRecord, RouteRecord, StageRecord } from '../model/resources.js';

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

/**
 * Route keys a stage's routeSettings may name without a route of that key (terraform-provider-aws
 * stage_test.go applies them on AWS); any other unknown key is AWS's 404.
 */
const ROUTE_SETTINGS_WITHOUT_ROUTE = { HTTP: ['$default'], WEBSOCKET: ['$default', '$connect', '$disconnect'] } as const;

/** Validates a complete stage; `deploymentId` is refused for auto-deploy stages when the request itself names one. */
async function checkStage(reader: StoreReader, api: ApiRecord, stage: StageRecord, requestedDeploymentId: unknown): Promise<void> {
  if (stage.stageName !== '$default' && !STAGE_NAME.test(stage.stageName)) {
    throw bad(`Invalid stage name ${stage.stageName}: use $default or 1-128 letters, digits, hyphens and underscores`);
  }
  if (stage.autoDeploy && requestedDeploymentId !== undefined && requestedDeploymentId !== '') {
    throw bad('A stage with autoDeploy enabled cannot be given a deploymentId: it is deployed automatically');
  }
  for (const [name, value] of Object.entries(stage.stageVariables)) {
    if (!VARIABLE_NAME.test(name)) throw bad(`Invalid stage variable name ${name}: use 1-64 letters, digits and underscores`);
    if (!VARIABLE_VALUE.test(value)) throw bad(`Invalid value for stage variable ${name}: use letters, digits and - . _ ~ : / ? # & = ,`);
  }
  checkRouteSettings(api, 'defaultRouteSettings', stage.defaultRouteSettings);
  const keys = Object.keys(stage.routeSettings);
  if (keys.length > 0) {
    const routes = new Set((await reader.listAll<RouteRecord>('route', api.apiId)).map((r) => r.data.routeKey));
    const reserved: readonly string[] = ROUTE_SETTINGS_WITHOUT_ROUTE[api.protocolType];
    for (const key of keys) {
      if (!routes.has(key) && !reserved.includes(key)) throw new NotFoundException(`Unable to find Route by key ${key} within the provided RouteSettings`);
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

/** The stage as a batch wrote it (its derived auto-deployment included): the last write of it. */
function writtenStage(written: readonly StoredResource[], stageName: string): StageRecord {
  const stage = [...written].reverse().find((r) => r.kind === 'stage' && r.id === stageName);
  return stage?.data as unknown as StageRecord;
}

const deploymentCheck = (apiId: string, deploymentId: string): Step => ({
  write: { op: 'check', kind: 'deployment', scope: apiId, id: deploymentId },
  onError: { NOT_FOUND: () => childNotFound('Deployment', deploymentId) },
});

/** CreateStage: POST /v2/apis/{apiId}/stages — an auto-deploy stage is deployed in the same transaction. */
export const createStage: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
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
  // AWS leaves autoDeploy out when it is off (the AWS CLI's create-stage and get-stage examples).
  if (!stage.autoDeploy) delete (stage as { autoDeploy?: boolean }).autoDeploy;
  await checkStage(ctx.store, api.data, stage, input.deploymentId);
  refuseNotActedOn(ctx, stageNotActedOn(api.data.protocolType, stage));
  const steps: Step[] = stage.deploymentId === undefined ? [] : [deploymentCheck(api.id, stage.deploymentId)];
  steps.push({
    write: { op: 'insert', kind: 'stage', scope: api.id, id: stage.stageName, data: stage },
    onError: { CONFLICT: () => new ConflictException(`Stage ${stage.stageName} already exists`) },
  });
  const written = await applyApiChange(ctx, api.id, steps, { stageName: stage.stageName });
  return { body: writtenStage(written, stage.stageName) as unknown as Record<string, unknown>, createdAt: stage.createdDate };
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

/** Stage variables merge on update; a variable set to `""` is removed (terraform-provider-aws stage_test.go, stageVariables steps). */
function mergeStageVariables(current: Readonly<Record<string, string>>, update: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (update === undefined) return { ...current };
  const out = { ...current, ...update };
  for (const [name, value] of Object.entries(update)) if (value === '') delete out[name];
  return out;
}

/**
 * UpdateStage: PATCH /v2/apis/{apiId}/stages/{stageName} — route settings merge per route key.
 * The update is computed from the stage as it is under the API's lock, so it never races an
 * auto-deployment's write of the same stage; turning autoDeploy on deploys the stage at once.
 */
export const updateStage: OperationHandler = async (input, ctx) => {
  const { api, item: loaded } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  const stageName = loaded.id;
  const written = await applySteps(ctx.store, [apiLock(ctx, api.apiId)], async (reader) => {
    const current = await reader.get<StageRecord>('stage', api.apiId, stageName);
    if (!current) throw childNotFound('Stage', stageName);
    const stage: StageRecord = patch(current.data, input, ['autoDeploy', 'deploymentId', 'description', 'accessLogSettings', 'clientCertificateId'], CLEARED_BY_EMPTY.UpdateStageRequest);
    stage.lastUpdatedDate = isoSeconds(ctx.clock());
    stage.stageVariables = mergeStageVariables(current.data.stageVariables, input.stageVariables as Record<string, string> | undefined);
    if (input.defaultRouteSettings !== undefined) stage.defaultRouteSettings = { ...stage.defaultRouteSettings, ...(input.defaultRouteSettings as object) };
    if (input.routeSettings !== undefined) stage.routeSettings = { ...stage.routeSettings, ...(input.routeSettings as StageRecord['routeSettings']) };
    const enablingAutoDeploy = stage.autoDeploy === true && current.data.autoDeploy !== true;
    if (!stage.autoDeploy) delete (stage as { autoDeploy?: boolean }).autoDeploy;
    await checkStage(reader, api, stage, input.deploymentId);
    refuseNotActedOn(ctx, stageNotActedOn(api.protocolType, stage));
    const ops: WriteOp[] = [];
    if (stage.deploymentId !== undefined && stage.deploymentId !== current.data.deploymentId) {
      if (!(await reader.get('deployment', api.apiId, stage.deploymentId))) throw childNotFound('Deployment', stage.deploymentId);
      // The check also holds the deployment until commit (a concurrent DeleteDeployment waits).
      ops.push(deploymentCheck(api.apiId, stage.deploymentId).write);
    }
    ops.push({ op: 'update', kind: 'stage', scope: api.apiId, id: stageName, data: stage });
    if (!enablingAutoDeploy) return ops;
    return [...ops, ...(await autoDeploy(ctx, api.apiId, stageName)(overlayReader(reader, ops)))];
  });
  const stage = writtenStage(written, stageName);
  return { body: stage as unknown as Record<string, unknown>, createdAt: stage.createdDate };
};

/**
 * DeleteStage: DELETE /v2/apis/{apiId}/stages/{stageName} — refused while an API mapping or a
 * routing rule of a custom domain name points at the stage (AWS refuses deleting a mapped API
 * with this wording, and REST API stages with base path mappings likewise).
 */
export const deleteStage: OperationHandler = async (input, ctx) => {
  const { api, item: stage } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  const inUse = (what: string) => new BadRequestException(`Deleting stage ${stage.id} failed. Please remove all ${what} for the stage from your custom domain names.`);
  await applySteps(
    ctx.store,
    [apiLock(ctx, api.apiId), { write: { op: 'delete', kind: 'stage', scope: api.apiId, id: stage.id }, onError: { NOT_FOUND: () => childNotFound('Stage', stage.id) } }],
    refuseDomainReferences(ctx, 'apiStage', apiStageRef(api.apiId, stage.id), inUse),
  );
};

/**
 * Rewrites a stage under its API's lock, from the stage as it is then: a write that never races an
 * auto-deployment of the same stage (a concurrent CreateRoute would otherwise make it a 409, which
 * Terraform, applying resources in parallel, would report as a failure).
 */
export async function changeStage(
  ctx: ControlPlaneContext,
  apiId: string,
  stageName: string,
  change: (stage: StageRecord) => StageRecord,
): Promise<StageRecord> {
  const written = await applySteps(ctx.store, [apiLock(ctx, apiId)], async (reader) => {
    const current = await reader.get<StageRecord>('stage', apiId, stageName);
    if (!current) throw childNotFound('Stage', stageName);
    return [{ op: 'update', kind: 'stage', scope: apiId, id: stageName, data: change(current.data) }];
  });
  return writtenStage(written, stageName);
}

/** DeleteAccessLogSettings: DELETE /v2/apis/{apiId}/stages/{stageName}/accesslogsettings */
export const deleteAccessLogSettings: OperationHandler = async (input, ctx) => {
  const { api, item } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  await changeStage(ctx, api.apiId, item.id, ({ accessLogSettings: _removed, ...rest }) => ({ ...rest, lastUpdatedDate: isoSeconds(ctx.clock()) }));
};

/** DeleteRouteSettings: DELETE /v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey} */
export const deleteRouteSettings: OperationHandler = async (input, ctx) => {
  const { api, item } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  const routeKey = input.routeKey as string;
  await changeStage(ctx, api.apiId, item.id, (stage) => {
    if (!Object.hasOwn(stage.routeSettings, routeKey)) throw childNotFound('RouteSettings', routeKey);
    const routeSettings = { ...stage.routeSettings };
    delete routeSettings[routeKey];
    return { ...stage, routeSettings, lastUpdatedDate: isoSeconds(ctx.clock()) };
  });
};

/**
 * ResetAuthorizersCache: DELETE /v2/apis/{apiId}/stages/{stageName}/cache/authorizers.
 * Bumps the stage's cache generation; every node's data plane recompiles the stage from the
 * change feed and drops that stage's authorizer cache with it.
 */
export const resetAuthorizersCache: OperationHandler = async (input, ctx) => {
  const { api, item } = await loadChild<StageRecord>(ctx, input, 'stage', 'stageName', 'Stage');
  await changeStage(ctx, api.apiId, item.id, (stage) => ({
    ...stage,
    authorizerCacheGeneration: ((stage as { authorizerCacheGeneration?: number }).authorizerCacheGeneration ?? 0) + 1,
  }) as StageRecord);
};

