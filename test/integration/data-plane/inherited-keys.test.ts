/**
 * Stage variables and request headers named like a property every JavaScript object inherits
 * (`constructor`, `toString`, `__proto__`) that the stage or request does not have are absent: never
 * Object's function text forwarded to the backend. Regression tests beside the management API fuzzer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { call, fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import type { Upstream } from '../../helpers/upstream.js';
import { startUpstream } from '../../helpers/upstream.js';

describe('inherited property names in the data plane', () => {
  let s: TestServer;
  let upstream: Upstream;
  let apiId: string;
  before(async () => {
    s = await startServer({ args: ['--function', `inherited=${fixture('behaviours.mjs')}#inherited`] });
    upstream = await startUpstream();
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'inherited', ProtocolType: 'HTTP' }))).ApiId as string;
    const integration = await s.client.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'GET',
        IntegrationUri: `${upstream.origin}/up/\${stageVariables.constructor}/x`,
        PayloadFormatVersion: '1.0',
        RequestParameters: {
          'append:header.x-from-header': '$request.header.constructor',
          'append:header.x-from-variable': '$stageVariables.toString',
          'append:header.x-set': '$stageVariables.set',
        },
      }),
    );
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /items', Target: `integrations/${integration.IntegrationId}` }));
    const lambda = await s.client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('inherited'), PayloadFormatVersion: '1.0' }));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /lambda', Target: `integrations/${lambda.IntegrationId}` }));
    await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true, StageVariables: { set: 'yes' } }));
  });
  after(async () => {
    await s.close();
    await upstream.close();
  });

  it('an unset ${stageVariables.constructor} in the integration URI is empty, and unset mapping sources send nothing', async () => {
    const res = await call(s.gatehouse.port, apiId, 'GET', '/items');
    assert.equal(res.status, 200, res.text);
    const seen = upstream.requests.at(-1);
    assert.equal(seen?.path, '/up//x');
    assert.equal(seen?.headers['x-from-header'], undefined);
    assert.equal(seen?.headers['x-from-variable'], undefined);
    assert.equal(seen?.headers['x-set'], 'yes');
  });

  it('request headers named constructor are forwarded, and a backend response header named constructor or toString comes back as sent', async () => {
    // fetch, whose Headers are a map (node:http's client would merge `constructor` with Object's own member)
    const res = await fetch(`${s.url}/_aws/execute-api/${apiId}/items`, { headers: { constructor: 'in', 'x-upstream-header': 'constructor=out, tostring=t' } });
    assert.equal(res.status, 200, await res.text());
    assert.deepEqual(upstream.requests.at(-1)?.rawHeaders.filter((_, i, all) => all[i - 1] === 'constructor'), ['in']);
    assert.equal(res.headers.get('constructor'), 'out');
    assert.equal(res.headers.get('tostring'), 't');
  });

  it('a Lambda answer (payload 1.0) with headers named constructor and __proto__ is passed on as the function gave them', async () => {
    const res = await fetch(`${s.url}/_aws/execute-api/${apiId}/lambda`);
    assert.equal(res.status, 200, await res.text());
    assert.equal(res.headers.get('constructor'), 'c');
    assert.equal(res.headers.get('__proto__'), 'p1, p2');
    assert.equal(res.headers.get('tostring'), 't1, t2');
  });
});
