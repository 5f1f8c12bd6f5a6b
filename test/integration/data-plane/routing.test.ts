import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, DeleteRouteCommand, UpdateApiCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { call, fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const ACCESS_LOG = join(tmpdir(), `gatehouse-routing-access-${process.pid}.log`);

describe('data plane: stages, route matching, deployments', () => {
  let s: TestServer;
  let apiId: string;
  let integrationId: string;
  const route = async (key: string) => (await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${integrationId}` }))).RouteId as string;

  before(async () => {
    s = await startServer({ args: ['--function', `echo=${fixture('echo.mjs')}`, '--access-log', ACCESS_LOG] });
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'routing', ProtocolType: 'HTTP' }))).ApiId as string;
    integrationId = (await s.client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }))).IntegrationId as string;
    for (const key of ['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default', 'GET /', 'HEAD /head', 'POST /pets/dog/{id}']) await route(key);
    await s.client.send(
      new CreateStageCommand({
        ApiId: apiId, StageName: '$default', AutoDeploy: true,
        AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:routing', Format: '$context.requestId $context.routeKey' },
      }),
    );
  });
  after(async () => {
    await s.close();
    rmSync(ACCESS_LOG, { force: true });
  });

  const routeKeyOf = async (method: string, path: string) => {
    const res = await call(s.gatehouse.port, apiId, method, path);
    assert.equal(res.status, 200, `${method} ${path}: ${res.text}`);
    return res.json<{ routeKey: string; pathParameters?: Record<string, string> }>();
  };

  it('matches the AWS documentation example', async () => {
    const table: [string, string, string][] = [
      ['GET', '/pets/dog/1', 'GET /pets/dog/1'],
      ['GET', '/pets/dog/2', 'GET /pets/dog/{id}'],
      ['GET', '/pets/cat/1', 'GET /pets/{proxy+}'],
      ['POST', '/test/5', 'ANY /{proxy+}'],
      ['POST', '/pets/dog/7', 'POST /pets/dog/{id}'],
      ['GET', '/', 'GET /'],
      ['DELETE', '/', '$default'],
      ['HEAD', '/head', 'HEAD /head'],
    ];
    for (const [method, path, expected] of table) {
      if (method === 'HEAD') {
        // A HEAD response has no body to carry the event: the access log names the matched route.
        const res = await call(s.gatehouse.port, apiId, method, path);
        assert.equal(res.status, 200);
        assert.equal(res.body.length, 0);
        await new Promise((r) => setTimeout(r, 50));
        assert.ok(readFileSync(ACCESS_LOG, 'utf8').split('\n').includes(`${res.headers['apigw-requestid']} ${expected}`), `${method} ${path} matched ${expected}`);
        continue;
      }
      assert.equal((await routeKeyOf(method, path)).routeKey, expected, `${method} ${path}`);
    }
  });

  it('passes decoded path parameters and tolerates a trailing slash', async () => {
    assert.deepEqual((await routeKeyOf('GET', '/pets/dog/caf%C3%A9')).pathParameters, { id: 'café' });
    assert.deepEqual((await routeKeyOf('GET', '/pets/a/b/c')).pathParameters, { proxy: 'a/b/c' });
    assert.equal((await routeKeyOf('GET', '/pets/dog/1/')).routeKey, 'GET /pets/dog/1');
  });

  it('a named stage strips its segment before matching; rawPath keeps it', async () => {
    await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }));
    const notYet = await call(s.gatehouse.port, apiId, 'GET', '/prod/pets/dog/1');
    assert.equal((notYet.json() as { routeKey: string }).routeKey, 'ANY /{proxy+}', 'a stage with no deployment serves nothing: the $default stage answers with the whole path');
    await s.client.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }));
    const event = await routeKeyOf('GET', '/prod/pets/dog/1?x=1');
    assert.equal(event.routeKey, 'GET /pets/dog/1');
    const e = event as unknown as { rawPath: string; rawQueryString: string; requestContext: { stage: string; http: { path: string } } };
    assert.equal(e.rawPath, '/prod/pets/dog/1');
    assert.equal(e.rawQueryString, 'x=1');
    assert.equal(e.requestContext.stage, 'prod');
    assert.equal(e.requestContext.http.path, '/prod/pets/dog/1');
  });

  it('a non-auto stage keeps serving its deployment after the API changes', async () => {
    const routeId = await route('GET /fresh');
    assert.equal((await routeKeyOf('GET', '/fresh')).routeKey, 'GET /fresh', 'the auto-deploy $default stage sees the new route at once');
    assert.equal((await routeKeyOf('GET', '/prod/fresh')).routeKey, 'ANY /{proxy+}', 'prod still serves its deployment');
    await s.client.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }));
    assert.equal((await routeKeyOf('GET', '/prod/fresh')).routeKey, 'GET /fresh');
    await s.client.send(new DeleteRouteCommand({ ApiId: apiId, RouteId: routeId }));
    assert.equal((await routeKeyOf('GET', '/prod/fresh')).routeKey, 'GET /fresh', 'deleting the route does not touch the deployment');
    assert.equal((await routeKeyOf('GET', '/fresh')).routeKey, 'ANY /{proxy+}');
  });

  it('unknown API, unknown stage without $default, and path-style addressing', async () => {
    const unknown = await call(s.gatehouse.port, 'zzzzzzzzzz', 'GET', '/x');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text, '{"message":"Not Found"}');
    assert.equal(unknown.headers['content-type'], 'application/json');
    assert.ok(unknown.headers['apigw-requestid']);
    const other = (await s.client.send(new CreateApiCommand({ Name: 'nostage', ProtocolType: 'HTTP' }))).ApiId as string;
    assert.equal((await call(s.gatehouse.port, other, 'GET', '/')).status, 404);
    const pathStyle = await fetch(`${s.url}/_aws/execute-api/${apiId}/prod/pets/dog/1`);
    assert.equal(pathStyle.status, 200);
    assert.equal(((await pathStyle.json()) as { routeKey: string }).routeKey, 'GET /pets/dog/1');
  });

  it('stage variables reach the event; disableExecuteApiEndpoint applies after a deployment', async () => {
    await s.client.send(new UpdateStageCommand({ ApiId: apiId, StageName: 'prod', StageVariables: { color: 'blue' } }));
    const event = (await routeKeyOf('GET', '/prod/pets/dog/1')) as unknown as { stageVariables: Record<string, string> };
    assert.deepEqual(event.stageVariables, { color: 'blue' }, 'stage settings apply without a deployment');
    await s.client.send(new UpdateApiCommand({ ApiId: apiId, DisableExecuteApiEndpoint: true }));
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/prod/pets/dog/1')).status, 200, 'prod still runs its deployment');
    const disabled = await call(s.gatehouse.port, apiId, 'GET', '/pets/dog/1');
    assert.equal(disabled.status, 403, 'the auto-deployed $default stage has the new setting');
    assert.equal(disabled.text, '{"message":"Forbidden"}');
    await s.client.send(new UpdateApiCommand({ ApiId: apiId, DisableExecuteApiEndpoint: false }));
  });
});
