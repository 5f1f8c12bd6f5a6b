/**
 * Deployments: CreateDeployment, GetDeployment, GetDeployments, UpdateDeployment, DeleteDeployment,
 * and auto-deployment. A deployment freezes the API's whole configuration into a snapshot; a
 * stage serves the deployment it points at, never the live configuration.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html
 */
import { isoSeconds } from '../model/ids.js';
import type { Derive, StoredResource, StoreReader, WriteOp } from '../store/store.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { listPage, loadApi, loadChild, patch } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { CLEARED_BY_EMPTY } from './input.js';
import { apiNotFound, BadRequestException, childNotFound } from './errors.js';
import type {
  ApiRecord,
  AuthorizerRecord,
  DeploymentRecord,
  DeploymentSnapshot,
  IntegrationRecord,
  IntegrationResponseRecord,
  ModelRecord,
  RouteRecord,
  RouteResponseRecord,
  StageRecord,
} from '../model/resources.js';

/** AWS's description of deployments made by auto-deploy stages. */
export const AUTO_DEPLOY_DESCRIPTION = 'Automatic deployment triggered by changes to the Api configuration';

/**
 * AWS's refusal to deploy an API without routes: CreateDeployment's 400, and the reason an
 * auto-deploy stage records ("Deployment attempt failed: ..."), seen in public AWS outputs.
 */
export function noRoutesMessage(protocolType: string): string {
  return protocolType === 'HTTP' ? 'Unable to deploy API because no routes exist in this API' : 'At least one route is required before deploying the Api.';
}

const data = <T>(items: readonly StoredResource<T>[]) => items.map((i) => i.data);

/** Reads the API's configuration (committed, or inside a batch's transaction) as a deployment snapshot. */
export async function snapshotApi(reader: StoreReader, api: ApiRecord): Promise<DeploymentSnapshot> {
  const scope = api.apiId;
  const [routes, integrations, authorizers, models] = await Promise.all([
    reader.listAll<RouteRecord>('route', scope),
    reader.listAll<IntegrationRecord>('integration', scope),
    reader.listAll<AuthorizerRecord>('authorizer', scope),
    reader.listAll<ModelRecord>('model', scope),
  ]);
  const routeResponses: Record<string, RouteResponseRecord[]> = {};
  const integrationResponses: Record<string, IntegrationResponseRecord[]> = {};
  if (api.protocolType === 'WEBSOCKET') {
    for (const r of routes) routeResponses[r.id] = data(await reader.listAll<RouteResponseRecord>('routeResponse', `${scope}/routes/${r.id}`));
    for (const i of integrations) {
      integrationResponses[i.id] = data(await reader.listAll<IntegrationResponseRecord>('integrationResponse', `${scope}/integrations/${i.id}`));
    }
  }
  return { api, routes: data(routes), integrations: data(integrations), authorizers: data(authorizers), models: data(models), routeResponses, integrationResponses };
}

function deploymentOf(ctx: ControlPlaneContext, snapshot: DeploymentSnapshot, autoDeployed: boolean, description: string | undefined): DeploymentRecord {
  return {
    deploymentId: ctx.ids('deployment'),
    deploymentStatus: 'DEPLOYED',
    autoDeployed,
    createdDate: isoSeconds(ctx.clock()),
    ...(description === undefined ? {} : { description }),
    snapshot,
  };
}

const insertDeployment = (apiId: string, deployment: DeploymentRecord): WriteOp => ({
  op: 'insert', kind: 'deployment', scope: apiId, id: deployment.deploymentId, data: deployment,
});

/** Points a stage (as read inside the transaction) at a deployment. */
function pointStage(stage: StoredResource<StageRecord>, changes: Partial<StageRecord>, now: string): WriteOp {
  return { op: 'update', kind: 'stage', scope: stage.scope, id: stage.id, data: { ...stage.data, ...changes, lastUpdatedDate: now } };
}

/**
 * The derive step that deploys the API, as its batch leaves it, to its auto-deploy stages (or to
 * `stageName` only), with one deployment for all of them. As on AWS, each stage records the
 * outcome in `lastDeploymentStatusMessage`; an API without routes is not deployed.
 */
export function autoDeploy(ctx: ControlPlaneContext, apiId: string, stageName?: string): Derive {
  return async (reader) => {
    const api = await reader.get<ApiRecord>('api', ctx.scope, apiId);
    if (!api) return [];
    const stages = (await reader.listAll<StageRecord>('stage', apiId)).filter((s) => s.data.autoDeploy && (stageName === undefined || s.id === stageName));
    if (stages.length === 0) return [];
    const snapshot = await snapshotApi(reader, api.data);
    const now = isoSeconds(ctx.clock());
    if (snapshot.routes.length === 0) {
      const lastDeploymentStatusMessage = `Deployment attempt failed: ${noRoutesMessage(api.data.protocolType)}`;
      return stages.map((s) => pointStage(s, { lastDeploymentStatusMessage }, now));
    }
    const deployment = deploymentOf(ctx, snapshot, true, AUTO_DEPLOY_DESCRIPTION);
    const { deploymentId } = deployment;
    const lastDeploymentStatusMessage = `Successfully deployed stage with deployment ID '${deploymentId}'`;
    return [insertDeployment(apiId, deployment), ...stages.map((s) => pointStage(s, { deploymentId, lastDeploymentStatusMessage }, now))];
  };
}

/**
 * Applies a change to an API's configuration. The API is locked first, so concurrent changes of
 * one API serialise and each auto-deployment sees every change committed before it; the API's
 * auto-deploy stages (or `stageName` only) are redeployed in the same transaction, so a change
 * is answered 2xx only once it is stored and deployed. `created`: the batch inserts the API itself.
 */
export function applyApiChange(
  ctx: ControlPlaneContext,
  apiId: string,
  steps: readonly Step[],
  options: { readonly created?: boolean; readonly stageName?: string } = {},
): Promise<StoredResource[]> {
  const lock = options.created ? [] : [apiLock(ctx, apiId)];
  return applySteps(ctx.store, [...lock, ...steps], autoDeploy(ctx, apiId, options.stageName));
}

/** The step that locks an API for a change of its configuration or stages (NotFound when it is gone). */
export function apiLock(ctx: ControlPlaneContext, apiId: string): Step {
  return { write: { op: 'lock', kind: 'api', scope: ctx.scope, id: apiId }, onError: { NOT_FOUND: () => apiNotFound(ctx.caller.accountId, apiId) } };
}

async function loadStage(ctx: ControlPlaneContext, apiId: string, stageName: string): Promise<StoredResource<StageRecord>> {
  const stage = await ctx.store.get<StageRecord>('stage', apiId, stageName);
  if (!stage) throw childNotFound('Stage', stageName);
  return stage;
}

/**
 * CreateDeployment: POST /v2/apis/{apiId}/deployments — optionally points `stageName` at it. The
 * snapshot is read inside the write's transaction, under the API's lock.
 */
export const createDeployment: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  const stageName = input.stageName as string | undefined;
  const stage = stageName === undefined ? undefined : await loadStage(ctx, api.id, stageName);
  if (stage?.data.autoDeploy) {
    throw new BadRequestException(`Stage ${stageName} has autoDeploy enabled: it is deployed automatically and cannot be deployed to explicitly`);
  }
  let deployment: DeploymentRecord | undefined;
  await applySteps(
    ctx.store,
    [apiLock(ctx, api.id)],
    async (reader) => {
      const snapshot = await snapshotApi(reader, api.data);
      if (snapshot.routes.length === 0) throw new BadRequestException(noRoutesMessage(api.data.protocolType));
      deployment = deploymentOf(ctx, snapshot, false, input.description as string | undefined);
      const current = stageName === undefined ? undefined : await reader.get<StageRecord>('stage', api.id, stageName);
      if (stageName !== undefined && !current) throw childNotFound('Stage', stageName);
      const now = isoSeconds(ctx.clock());
      return [insertDeployment(api.id, deployment), ...(current ? [pointStage(current, { deploymentId: deployment.deploymentId }, now)] : [])];
    },
  );
  const created = deployment as DeploymentRecord;
  return { body: created as unknown as Record<string, unknown>, createdAt: created.createdDate };
};

/** GetDeployment: GET /v2/apis/{apiId}/deployments/{deploymentId} */
export const getDeployment: OperationHandler = async (input, ctx) => {
  const { item: deployment } = await loadChild<DeploymentRecord>(ctx, input, 'deployment', 'deploymentId', 'Deployment');
  return { body: deployment.data as unknown as Record<string, unknown>, createdAt: deployment.data.createdDate };
};

/** GetDeployments: GET /v2/apis/{apiId}/deployments */
export const getDeployments: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  return listPage(ctx, 'deployment', api.id, input);
};

/** UpdateDeployment: PATCH /v2/apis/{apiId}/deployments/{deploymentId} — the description only. */
export const updateDeployment: OperationHandler = async (input, ctx) => {
  const { api, item: current } = await loadChild<DeploymentRecord>(ctx, input, 'deployment', 'deploymentId', 'Deployment');
  const deployment = patch(current.data, input, ['description'], CLEARED_BY_EMPTY.UpdateDeploymentRequest);
  await applySteps(ctx.store, [
    { write: { op: 'update', kind: 'deployment', scope: api.apiId, id: current.id, data: deployment, ifVersion: current.version } },
  ]);
  return { body: deployment as unknown as Record<string, unknown>, createdAt: deployment.createdDate };
};

/** DeleteDeployment: DELETE /v2/apis/{apiId}/deployments/{deploymentId} — refused while a stage serves it. */
export const deleteDeployment: OperationHandler = async (input, ctx) => {
  const { api, item: deployment } = await loadChild<DeploymentRecord>(ctx, input, 'deployment', 'deploymentId', 'Deployment');
  await applySteps(ctx.store, [
    {
      write: { op: 'checkUnreferenced', kind: 'stage', scope: api.apiId, field: 'deploymentId', value: deployment.id },
      onError: { IN_USE: () => new BadRequestException('Active stages pointing to this deployment must be moved or deleted') },
    },
    { write: { op: 'delete', kind: 'deployment', scope: api.apiId, id: deployment.id }, onError: { NOT_FOUND: () => childNotFound('Deployment', deployment.id) } },
  ]);
};
