import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateApiMappingCommand, CreateDomainNameCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, DeleteApiMappingCommand,
  GetApiMappingsCommand, UpdateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { call, fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

describe('data plane: custom domain names through API mappings', () => {
  let s: TestServer;
  let orders: string;
  let users: string;
  const api = async (name: string, version: '1.0' | '2.0') => {
    const apiId = (await s.client.send(new CreateApiCommand({ Name: name, ProtocolType: 'HTTP' }))).ApiId as string;
    const { IntegrationId } = await s.client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: version }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'ANY /{proxy+}', Target: `integrations/${IntegrationId}` }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /', Target: `integrations/${IntegrationId}` }));
    await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'live', AutoDeploy: true }));
    return apiId;
  };

  before(async () => {
    s = await startServer({ args: ['--function', `echo=${fixture('echo.mjs')}`] });
    orders = await api('orders', '2.0');
    users = await api('users', '1.0');
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'api.example.com', DomainNameConfigurations: [{ EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }] }));
    await s.client.send(new CreateApiMappingCommand({ DomainName: 'api.example.com', ApiId: orders, Stage: 'live', ApiMappingKey: 'orders/v1' }));
    await s.client.send(new CreateApiMappingCommand({ DomainName: 'api.example.com', ApiId: users, Stage: 'live', ApiMappingKey: '' }));
  });
  after(() => s.close());

  const viaDomain = (path: string) => call(s.gatehouse.port, '', 'GET', path, { host: 'api.example.com' });

  it('the longest matching mapping key wins and is stripped before routing; 2.0 rawPath leaves it out', async () => {
    const res = await viaDomain('/orders/v1/items/7');
    assert.equal(res.status, 200, res.text);
    const event = res.json<any>();
    assert.equal(event.requestContext.apiId, orders);
    assert.equal(event.routeKey, 'ANY /{proxy+}');
    assert.deepEqual(event.pathParameters, { proxy: 'items/7' });
    assert.equal(event.rawPath, '/items/7');
    assert.equal(event.requestContext.stage, 'live');
    assert.equal(event.requestContext.domainName, 'api.example.com');
  });

  it('the empty key is the catch-all; 1.0 path keeps the mapping key', async () => {
    const root = await viaDomain('/');
    assert.equal(root.json<any>().requestContext.apiId, users);
    assert.equal(root.json<any>().resource, '/');
    const other = await viaDomain('/orders/v2/x');
    assert.equal(other.json<any>().requestContext.apiId, users, 'orders/v2 is not orders/v1');
    assert.equal(other.json<any>().path, '/orders/v2/x');
  });

  it('custom domains keep working with the default endpoint disabled; mappings apply at once', async () => {
    await s.client.send(new UpdateApiCommand({ ApiId: orders, DisableExecuteApiEndpoint: true }));
    assert.equal((await viaDomain('/orders/v1/items/1')).status, 200);
    assert.equal((await call(s.gatehouse.port, orders, 'GET', '/live/items/1')).status, 403);
    const mappings = await s.client.send(new GetApiMappingsCommand({ DomainName: 'api.example.com' }));
    const root = mappings.Items?.find((m) => m.ApiMappingKey === undefined || m.ApiMappingKey === '');
    await s.client.send(new DeleteApiMappingCommand({ DomainName: 'api.example.com', ApiMappingId: root?.ApiMappingId }));
    const unmapped = await viaDomain('/users');
    assert.equal(unmapped.status, 404);
    assert.equal(unmapped.text, '{"message":"Not Found"}');
  });
});
