import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateRouteCommand,
  CreateStageCommand,
  DeleteAccessLogSettingsCommand,
  DeleteDeploymentCommand,
  DeleteRouteSettingsCommand,
  DeleteStageCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetStageCommand,
  GetStagesCommand,
  ResetAuthorizersCacheCommand,
  UpdateDeploymentCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import type { DeploymentRecord, StageRecord } from '../../../src/model/resources.js';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

describe('Stages and Deployments', () => {
  let s: TestServer;
  let apiId: string;
  const snapshotOf = async (deploymentId: string) => (await s.gatehouse.store.get<DeploymentRecord>('deployment', apiId, deploymentId))?.data.snapshot;
  before(async () => {
    s = await startServer();
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'staged', ProtocolType: 'HTTP' }))).ApiId as string;
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /pets' }));
  });
  after(() => s.close());

  it('CreateStage fills AWS defaults for HTTP stages', async () => {
    const stage = await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev', StageVariables: { backend: 'https://b.example' }, Tags: { team: 'pets' } }));
    assert.equal(stage.StageName, 'dev');
    // AWS leaves autoDeploy out when it is off (the AWS CLI's create-stage and get-stage examples).
    assert.equal(stage.AutoDeploy, undefined);
    assert.deepEqual(stage.DefaultRouteSettings, { DetailedMetricsEnabled: false });
    assert.deepEqual(stage.RouteSettings, {});
    assert.deepEqual(stage.StageVariables, { backend: 'https://b.example' });
    assert.deepEqual(stage.Tags, { team: 'pets' });
    assert.equal(stage.DeploymentId, undefined);
    assert.ok(stage.CreatedDate instanceof Date && stage.LastUpdatedDate instanceof Date);
    await rejectsAws(s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'dev' })), 'ConflictException', 'Stage dev already exists', 409);
  });

  it('CreateStage validation', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ StageName: 'bad name' }, 'Invalid stage name bad name: use $default or 1-128 letters, digits, hyphens and underscores'],
      [{ StageName: 'logs', DefaultRouteSettings: { LoggingLevel: 'INFO' } }, 'Execution logs are not supported on protocolType HTTP'],
      [{ StageName: 'trace', DefaultRouteSettings: { DataTraceEnabled: true } }, 'Execution logs are not supported on protocolType HTTP'],
      [{ StageName: 'auto', AutoDeploy: true, DeploymentId: 'abc123' }, 'A stage with autoDeploy enabled cannot be given a deploymentId: it is deployed automatically'],
      [{ StageName: 'vars', StageVariables: { 'a-b': 'x' } }, 'Invalid stage variable name a-b: use 1-64 letters, digits and underscores'],
      [{ StageName: 'vals', StageVariables: { a: 'has space' } }, 'Invalid value for stage variable a: use letters, digits and - . _ ~ : / ? # & = ,'],
      [{ StageName: 'rs', RouteSettings: { 'GET /nope': { ThrottlingBurstLimit: 1 } } }, 'Unable to find Route by key GET /nope within the provided RouteSettings'],
      [{ StageName: 'neg', DefaultRouteSettings: { ThrottlingRateLimit: -1 } }, 'Invalid defaultRouteSettings.throttlingRateLimit -1: must not be negative'],
      [{ StageName: 'log1', AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:g', Format: '$context.status' } }, 'accessLogSettings.format must include $context.requestId or $context.extendedRequestId'],
      [{ StageName: 'log2', AccessLogSettings: { DestinationArn: 'my-logs', Format: '$context.requestId' } }, 'Invalid accessLogSettings.destinationArn my-logs: must be a CloudWatch Logs log group ARN'],
      [{ StageName: 'dep', DeploymentId: 'nope12' }, 'Invalid Deployment identifier specified nope12'],
    ];
    for (const [input, message] of cases) {
      const err = await rejectsAws(s.client.send(new CreateStageCommand({ ApiId: apiId, ...input } as never)), /^(Invalid Deployment|Unable to find Route)/.test(message) ? 'NotFoundException' : 'BadRequestException', message);
      assert.ok(err);
    }
    await rejectsAws(s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'logs' })), 'NotFoundException', 'Invalid stage identifier specified');
  });

  it('a deployment is a snapshot: a non-auto stage keeps serving what was deployed', async () => {
    const deployment = await s.client.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'dev', Description: 'first' }));
    assert.match(deployment.DeploymentId ?? '', /^[a-z0-9]{6}$/);
    assert.equal(deployment.DeploymentStatus, 'DEPLOYED');
    assert.equal(deployment.AutoDeployed, false);
    assert.equal((await s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }))).DeploymentId, deployment.DeploymentId);

    const { Items } = await s.client.send(new GetDeploymentsCommand({ ApiId: apiId }));
    assert.ok(Items?.some((d) => d.DeploymentId === deployment.DeploymentId));
    const route = (await s.gatehouse.store.listAll<{ routeKey: string; routeId: string }>('route', apiId))[0];
    await s.client.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route?.id, RouteKey: 'GET /cats' }));
    const snapshot = await snapshotOf(deployment.DeploymentId as string);
    assert.deepEqual(snapshot?.routes.map((r) => r.routeKey), ['GET /pets'], 'the deployment kept the configuration it froze');
    assert.equal((await s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }))).DeploymentId, deployment.DeploymentId, 'a non-auto stage is not redeployed');
    const second = await s.client.send(new CreateDeploymentCommand({ ApiId: apiId }));
    assert.deepEqual((await snapshotOf(second.DeploymentId as string))?.routes.map((r) => r.routeKey), ['GET /cats']);
    await s.client.send(new UpdateRouteCommand({ ApiId: apiId, RouteId: route?.id, RouteKey: 'GET /pets' }));
  });

  it('an auto-deploy stage is deployed at creation and after every change', async () => {
    const stage = await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'auto', AutoDeploy: true }));
    assert.ok(stage.DeploymentId, 'deployed at creation');
    const first = await s.client.send(new GetDeploymentCommand({ ApiId: apiId, DeploymentId: stage.DeploymentId }));
    assert.equal(first.AutoDeployed, true);
    assert.equal(first.Description, 'Automatic deployment triggered by changes to the Api configuration');
    const devBefore = (await s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }))).DeploymentId;
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'POST /pets' }));
    const after = await s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'auto' }));
    assert.notEqual(after.DeploymentId, stage.DeploymentId);
    assert.deepEqual((await snapshotOf(after.DeploymentId as string))?.routes.map((r) => r.routeKey).sort(), ['GET /pets', 'POST /pets']);
    assert.equal((await s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }))).DeploymentId, devBefore, 'only auto-deploy stages move');
    await rejectsAws(
      s.client.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'auto' })),
      'BadRequestException',
      'Stage auto has autoDeploy enabled: it is deployed automatically and cannot be deployed to explicitly',
    );
  });

  it('quick create deploys its $default stage', async () => {
    const quick = await s.client.send(new CreateApiCommand({ Name: 'q', ProtocolType: 'HTTP', Target: 'https://example.com' }));
    const stage = await s.client.send(new GetStageCommand({ ApiId: quick.ApiId, StageName: '$default' }));
    assert.equal(stage.AutoDeploy, true);
    assert.equal(stage.ApiGatewayManaged, true);
    assert.ok(stage.DeploymentId);
    const { Items } = await s.client.send(new GetStagesCommand({ ApiId: quick.ApiId }));
    assert.deepEqual(Items?.map((i) => i.StageName), ['$default']);
  });

  it('UpdateStage merges route settings; Delete*Settings remove them', async () => {
    const updated = await s.client.send(
      new UpdateStageCommand({
        ApiId: apiId, StageName: 'dev', Description: 'd', DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5.5 },
        RouteSettings: { 'GET /pets': { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 1 } },
        AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:access', Format: '$context.requestId $context.status' },
      }),
    );
    assert.deepEqual(updated.DefaultRouteSettings, { DetailedMetricsEnabled: false, ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5.5 });
    assert.deepEqual(updated.RouteSettings, { 'GET /pets': { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 1 } });
    await s.client.send(new DeleteRouteSettingsCommand({ ApiId: apiId, StageName: 'dev', RouteKey: 'GET /pets' }));
    await s.client.send(new DeleteAccessLogSettingsCommand({ ApiId: apiId, StageName: 'dev' }));
    const got = await s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }));
    assert.deepEqual(got.RouteSettings, {});
    assert.equal(got.AccessLogSettings, undefined);
    await rejectsAws(s.client.send(new DeleteRouteSettingsCommand({ ApiId: apiId, StageName: 'dev', RouteKey: 'GET /pets' })), 'NotFoundException', 'Invalid RouteSettings identifier specified GET /pets');
    await rejectsAws(s.client.send(new UpdateStageCommand({ ApiId: apiId, StageName: 'dev', DeploymentId: 'zzzzzz' })), 'NotFoundException', 'Invalid Deployment identifier specified zzzzzz');
  });

  it('ResetAuthorizersCache bumps the stage cache generation; unknown stage 404', async () => {
    await s.client.send(new ResetAuthorizersCacheCommand({ ApiId: apiId, StageName: 'dev' }));
    const stage = await s.gatehouse.store.get<StageRecord & { authorizerCacheGeneration?: number }>('stage', apiId, 'dev');
    assert.equal(stage?.data.authorizerCacheGeneration, 1);
    await rejectsAws(s.client.send(new ResetAuthorizersCacheCommand({ ApiId: apiId, StageName: 'nope' })), 'NotFoundException', 'Invalid stage identifier specified');
  });

  it('DeleteDeployment is refused while a stage serves it; UpdateDeployment changes the description', async () => {
    const stage = await s.client.send(new GetStageCommand({ ApiId: apiId, StageName: 'dev' }));
    await rejectsAws(
      s.client.send(new DeleteDeploymentCommand({ ApiId: apiId, DeploymentId: stage.DeploymentId })),
      'BadRequestException',
      'Active stages pointing to this deployment must be moved or deleted',
    );
    const updated = await s.client.send(new UpdateDeploymentCommand({ ApiId: apiId, DeploymentId: stage.DeploymentId, Description: 'renamed' }));
    assert.equal(updated.Description, 'renamed');
    await s.client.send(new DeleteStageCommand({ ApiId: apiId, StageName: 'dev' }));
    await s.client.send(new DeleteDeploymentCommand({ ApiId: apiId, DeploymentId: stage.DeploymentId }));
    await rejectsAws(s.client.send(new GetDeploymentCommand({ ApiId: apiId, DeploymentId: stage.DeploymentId })), 'NotFoundException', `Invalid Deployment identifier specified ${stage.DeploymentId}`);
  });
});
