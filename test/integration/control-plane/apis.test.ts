import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateApiCommand,
  CreateRouteCommand,
  DeleteApiCommand,
  DeleteCorsConfigurationCommand,
  GetApiCommand,
  GetApisCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRoutesCommand,
  UpdateApiCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsAws } from '../../helpers/assert-aws.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:pets';

describe('Apis', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  it('CreateApi HTTP fills AWS defaults and an endpoint that reaches this server', async () => {
    const api = await s.client.send(new CreateApiCommand({ Name: 'pets', ProtocolType: 'HTTP' }));
    assert.match(api.ApiId ?? '', /^[a-z0-9]{10}$/);
    assert.equal(api.Name, 'pets');
    assert.equal(api.ProtocolType, 'HTTP');
    assert.equal(api.RouteSelectionExpression, '$request.method $request.path');
    assert.equal(api.ApiKeySelectionExpression, '$request.header.x-api-key');
    assert.equal(api.DisableExecuteApiEndpoint, false);
    // CreateApi leaves out tags not given; GetApi shows {} (the AWS CLI's create-api, get-api and update-api examples).
    assert.equal(api.Tags, undefined);
    assert.deepEqual((await s.client.send(new GetApiCommand({ ApiId: api.ApiId }))).Tags, {});
    assert.ok(api.CreatedDate instanceof Date && Math.abs(api.CreatedDate.getTime() - Date.now()) < 60_000);
    assert.equal(api.ApiEndpoint, `http://localhost:${s.gatehouse.port}/_aws/execute-api/${api.ApiId}`);
    assert.equal(api.DisableSchemaValidation, undefined, 'not set, not echoed');
  });

  it('CreateApi WEBSOCKET requires a route selection expression and echoes it', async () => {
    await rejectsAws(
      s.client.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET' })),
      'BadRequestException',
      'routeSelectionExpression is required for WebSocket APIs',
      400,
    );
    const api = await s.client.send(
      new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }),
    );
    assert.equal(api.RouteSelectionExpression, '$request.body.action');
    // Left out unless given (the AWS CLI's get-apis example shows a WebSocket API without it).
    assert.equal(api.DisableSchemaValidation, undefined);
    assert.match(api.ApiEndpoint ?? '', /^ws:\/\/localhost:\d+\/_aws\/execute-api\/[a-z0-9]{10}$/);
  });

  it('CreateApi validates protocol-specific members and expressions', async () => {
    await rejectsAws(
      s.client.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', RouteSelectionExpression: '$request.body.action' })),
      'BadRequestException',
      'Unsupported route selection expression for HTTP APIs: $request.body.action. Use $request.method $request.path',
    );
    // Members the model documents for the other protocol are accepted, stored and echoed: no AWS
    // refusal is known (README "Fidelity"); AWS ignores them there, and so does Gatehouse.
    const wsCors = await s.client.send(
      new CreateApiCommand({ Name: 'ws-cors', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.a', CorsConfiguration: { AllowOrigins: ['*'] } }),
    );
    assert.deepEqual(wsCors.CorsConfiguration, { AllowOrigins: ['*'] });
    const httpValidation = await s.client.send(new CreateApiCommand({ Name: 'http-validation', ProtocolType: 'HTTP', DisableSchemaValidation: true }));
    assert.equal((await s.client.send(new GetApiCommand({ ApiId: httpValidation.ApiId }))).DisableSchemaValidation, true);
    await rejectsAws(
      s.client.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['*'], AllowCredentials: true } })),
      'BadRequestException',
      "allow-credentials is not supported if 'allow-origin' is *",
    );
    await rejectsAws(
      s.client.send(new CreateApiCommand({ Name: 'x'.repeat(129), ProtocolType: 'HTTP' })),
      'BadRequestException',
      /^1 validation error detected: Value 'x+\.\.\.' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128$/,
    );
    await rejectsAws(
      s.client.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', RouteKey: 'GET /' })),
      'BadRequestException',
      'routeKey and credentialsArn are part of quick create and require target',
    );
    await rejectsAws(
      s.client.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', Target: 'not a target' })),
      'BadRequestException',
      'Invalid target not a target: must be an absolute http or https URL',
    );
    const { Items } = await s.client.send(new GetApisCommand({}));
    assert.ok(!Items?.some((a) => a.Name === 'x'), 'no failed CreateApi left anything behind');
  });

  it('CreateApi quick create makes a managed integration, route and $default stage', async () => {
    const api = await s.client.send(new CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: LAMBDA, RouteKey: 'GET /pets' }));
    const { Items: routes } = await s.client.send(new GetRoutesCommand({ ApiId: api.ApiId }));
    const { Items: integrations } = await s.client.send(new GetIntegrationsCommand({ ApiId: api.ApiId }));
    assert.equal(integrations?.length, 1);
    const integration = integrations?.[0];
    assert.equal(integration?.IntegrationType, 'AWS_PROXY');
    assert.equal(integration?.IntegrationUri, LAMBDA);
    assert.equal(integration?.PayloadFormatVersion, '2.0');
    assert.equal(integration?.IntegrationMethod, 'POST');
    assert.equal(integration?.ApiGatewayManaged, true);
    assert.deepEqual(
      routes?.map((r) => [r.RouteKey, r.Target, r.ApiGatewayManaged]),
      [['GET /pets', `integrations/${integration?.IntegrationId}`, true]],
    );
    const stage = await s.gatehouse.store.get('stage', api.ApiId as string, '$default');
    assert.equal((stage?.data as { autoDeploy?: boolean }).autoDeploy, true, 'the $default auto-deploy stage is stored');

    const http = await s.client.send(new CreateApiCommand({ Name: 'quick-http', ProtocolType: 'HTTP', Target: 'https://example.com/base' }));
    const { Items: httpIntegrations } = await s.client.send(new GetIntegrationsCommand({ ApiId: http.ApiId }));
    assert.deepEqual(
      httpIntegrations?.map((i) => [i.IntegrationType, i.IntegrationMethod, i.PayloadFormatVersion, i.IntegrationUri]),
      [['HTTP_PROXY', 'ANY', '1.0', 'https://example.com/base']],
    );
    const { Items: httpRoutes } = await s.client.send(new GetRoutesCommand({ ApiId: http.ApiId }));
    assert.deepEqual(httpRoutes?.map((r) => r.RouteKey), ['$default']);
  });

  it('UpdateApi changes members, keeps the rest, and updates a quick-created target', async () => {
    const api = await s.client.send(new CreateApiCommand({ Name: 'upd', ProtocolType: 'HTTP', Target: LAMBDA, Description: 'first' }));
    const updated = await s.client.send(
      new UpdateApiCommand({ ApiId: api.ApiId, Name: 'upd2', CorsConfiguration: { AllowOrigins: ['https://a.example'], MaxAge: 60 }, Target: 'https://b.example', RouteKey: 'ANY /{proxy+}' }),
    );
    assert.equal(updated.Name, 'upd2');
    assert.equal(updated.Description, 'first');
    assert.deepEqual(updated.CorsConfiguration, { AllowOrigins: ['https://a.example'], MaxAge: 60 });
    const { Items: integrations } = await s.client.send(new GetIntegrationsCommand({ ApiId: api.ApiId }));
    assert.deepEqual(integrations?.map((i) => [i.IntegrationType, i.IntegrationUri]), [['HTTP_PROXY', 'https://b.example']]);
    const { Items: routes } = await s.client.send(new GetRoutesCommand({ ApiId: api.ApiId }));
    assert.deepEqual(routes?.map((r) => r.RouteKey), ['ANY /{proxy+}']);
    await s.client.send(new DeleteCorsConfigurationCommand({ ApiId: api.ApiId }));
    assert.equal((await s.client.send(new GetApiCommand({ ApiId: api.ApiId }))).CorsConfiguration, undefined);
  });

  it('GetApi and DeleteApi of an unknown API answer AWS NotFoundException', async () => {
    const err = await rejectsAws(
      s.client.send(new GetApiCommand({ ApiId: 'nope123456' })),
      'NotFoundException',
      'Invalid API identifier specified 000000000000:nope123456',
      404,
    );
    assert.equal((err as { ResourceType?: string }).ResourceType, 'Api');
    await rejectsAws(s.client.send(new DeleteApiCommand({ ApiId: 'nope123456' })), 'NotFoundException', 'Invalid API identifier specified 000000000000:nope123456');
    await rejectsAws(s.client.send(new UpdateApiCommand({ ApiId: 'nope123456', Name: 'n' })), 'NotFoundException', 'Invalid API identifier specified 000000000000:nope123456');
  });

  it('DeleteApi removes the API and every child', async () => {
    const api = await s.client.send(new CreateApiCommand({ Name: 'gone', ProtocolType: 'HTTP', Target: LAMBDA }));
    const route = await s.client.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /x' }));
    await s.client.send(new DeleteApiCommand({ ApiId: api.ApiId }));
    await rejectsAws(s.client.send(new GetApiCommand({ ApiId: api.ApiId })), 'NotFoundException', `Invalid API identifier specified 000000000000:${api.ApiId}`);
    await rejectsAws(s.client.send(new GetRouteCommand({ ApiId: api.ApiId, RouteId: route.RouteId })), 'NotFoundException', /Invalid API identifier/);
    assert.deepEqual(await s.gatehouse.store.listAll('route', api.ApiId as string), []);
    assert.deepEqual(await s.gatehouse.store.listAll('integration', api.ApiId as string), []);
    assert.equal(await s.gatehouse.store.get('stage', api.ApiId as string, '$default'), undefined);
  });

  it('every response carries x-amzn-RequestId', async () => {
    const ok = await rawRequest(s.url, 'GET', '/v2/apis');
    const missing = await rawRequest(s.url, 'GET', '/v2/apis/nope123456');
    for (const res of [ok, missing]) assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(missing.headers.get('x-amzn-errortype'), 'NotFoundException');
  });
});
