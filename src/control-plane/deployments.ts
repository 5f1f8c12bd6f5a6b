/**
 * Deployments: CreateDeployment, GetDeployment, GetDeployments, UpdateDeployment, DeleteDeployment,
 * and auto-deployment. A deployment freezes the API's whole configuration into a snapshot; a
 * stage serves the deployment it points at, never the live configuration.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html
 */
import { isoSeconds } from '../model/ids.js';
import type { StoredResource } from '../store/store.js';
import type { Step } from './batch.js';
import { applySteps } from './batch.js';
import { listPage, loadApi, loadChild, patch } from './common.js';
import type { ControlPlaneContext, OperationHandler } from './context.js';
import { BadRequestException, childNotFound } from './errors.js';
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
} from './records.js';

/** AWS's description of deployments made by auto-deploy stages. */
export const AUTO_DEPLOY_DESCRIPTION = 'Automatic deployment triggered by changes to the Api configuration';

const data = <T>(items: readonly StoredResource<T>[]) => items.map((i) => i.data);

/** Reads the API's live configuration as a deployment snapshot. */
export async function snapshotApi(ctx: ControlPlaneContext, api: ApiRecord): Promise<DeploymentSnapshot> {
  const { store } = ctx;
  const scope = api.apiId;
  const [routes, integrations, authorizers, models] = await Promise.all([
    store.listAll<RouteRecord>('route', scope),
    store.listAll<IntegrationRecord>('integration', scope),
    store.listAll<AuthorizerRecord>('authorizer', scope),
    store.listAll<ModelRecord>('model', scope),
  ]);
  const routeResponses: Record<string, RouteResponseRecord[]> = {};
  const integrationResponses: Record<string, IntegrationResponseRecord[]> = {};
  if (api.protocolType === 'WEBSOCKET') {
    for (const r of routes) routeResponses[r.id] = data(await store.listAll<RouteResponseRecord>('routeResponse', `${scope}/routes/${r.id}`));
    for (const i of integrations) {
      integrationResponses[i.id] = data(await store.listAll<IntegrationResponseRecord>('integrationResponse', `${scope}/integrations/${i.id}`));
    }
  }
  return { api, routes: data(routes), integrations: data(integrations), authorizers: data(authorizers), models: data(models), routeResponses, integrationResponses };
}

/** A new deployment of the API's live configuration (not yet written). */
export async function newDeployment(ctx: ControlPlaneContext, api: ApiRecord, autoDeployed: boolean, description?: string): Promise<DeploymentRecord> {
  return {
    deploymentId: ctx.ids('deployment'),
    deploymentStatus: 'DEPLOYED',
    autoDeployed,
    createdDate: isoSeconds(ctx.clock()),
    ...(description === undefined ? {} : { description }),
    snapshot: await snapshotApi(ctx, api),
  };
}

/** The steps that point a stage at a deployment. */
export function pointStage(stage: StoredResource<StageRecord>, deploymentId: string, now: string): Step {
  return {
    write: {
      op: 'update',
      kind: 'stage',
      scope: stage.scope,
      id: stage.id,
      data: { ...stage.data, deploymentId, lastUpdatedDate: now },
      ifVersion: stage.version,
    },
  };
}

/**
 * Deploys the API's current configuration to each of its auto-deploy stages (one deployment for
 * all of them), as AWS does after every change to an API with auto-deploy stages.
 */
export async function autoDeploy(ctx: ControlPlaneContext, apiId: string): Promise<void> {
  const api = await ctx.store.get<ApiRecord>('api', '', apiId);
  if (!api) return;
  const stages = (await ctx.store.listAll<StageRecord>('stage', apiId)).filter((s) => s.data.autoDeploy);
  if (stages.length === 0) return;
  const deployment = await newDeployment(ctx, api.data, true, AUTO_DEPLOY_DESCRIPTION);
  const now = isoSeconds(ctx.clock());
  await applySteps(ctx.store, [
    { write: { op: 'insert', kind: 'deployment', scope: apiId, id: deployment.deploymentId, data: deployment } },
    ...stages.map((s) => pointStage(s, deployment.deploymentId, now)),
  ]);
}

async function loadStage(ctx: ControlPlaneContext, apiId: string, stageName: string): Promise<StoredResource<StageRecord>> {
  const stage = await ctx.store.get<StageRecord>('stage', apiId, stageName);
  if (!stage) throw childNotFound('Stage', stageName);
  return stage;
}

/** CreateDeployment: POST /v2/apis/{apiId}/deployments — optionally points `stageName` at it. */
export const createDeployment: OperationHandler = async (input, ctx) => {
  const api = await loadApi(ctx, input.apiId as string);
  const stageName = input.stageName as string | undefined;
  const stage = stageName === undefined ? undefined : await loadStage(ctx, api.id, stageName);
  if (stage?.data.autoDeploy) {
    throw new BadRequestException(`Stage ${stageName} has autoDeploy enabled: it is deployed automatically and cannot be deployed to explicitly`);
  }
  const deployment = await newDeployment(ctx, api.data, false, input.description as string | undefined);
  const steps: Step[] = [
    { write: { op: 'check', kind: 'api', scope: '', id: api.id } },
    { write: { op: 'insert', kind: 'deployment', scope: api.id, id: deployment.deploymentId, data: deployment } },
  ];
  if (stage) steps.push(pointStage(stage, deployment.deploymentId, isoSeconds(ctx.clock())));
  await applySteps(ctx.store, steps);
  return { body: deployment as unknown as Record<string, unknown>, createdAt: deployment.createdDate };
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
  const deployment = patch(current.data, input, ['description']);
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
