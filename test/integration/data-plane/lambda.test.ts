import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { asyncResourcesDuring, describeResources } from '../../helpers/async-resources.js';
import { call, fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const FUNCTIONS = ['throws', 'hangs', 'garbage', 'plain', 'text', 'cookies', 'binary', 'v1'];

describe('data plane: Lambda proxy integrations', () => {
  let s: TestServer;
  let apiId: string;
  const add = async (key: string, fn: string, version: '1.0' | '2.0', timeout?: number) => {
    const { IntegrationId } = await s.client.send(
      new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn(fn), PayloadFormatVersion: version, ...(timeout ? { TimeoutInMillis: timeout } : {}) }),
    );
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${IntegrationId}` }));
  };

  before(async () => {
    const args = ['--function', `echo=${fixture('echo.mjs')}`];
    for (const fn of FUNCTIONS) args.push('--function', `${fn}=${fixture('behaviours.mjs')}#${fn}`);
    s = await startServer({ args });
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'lambda', ProtocolType: 'HTTP' }))).ApiId as string;
    await add('POST /v2/{id}', 'echo', '2.0');
    await add('POST /v1/{id}', 'v1', '1.0');
    for (const fn of FUNCTIONS.filter((f) => f !== 'v1')) await add(`GET /${fn}`, fn, '2.0', fn === 'hangs' ? 200 : undefined);
    await add('GET /missing', 'not-registered', '2.0');
    await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
  });
  after(() => s.close());

  it('a function URI naming ${stageVariables.fn} calls the function the stage names, and the new one after UpdateStage', async () => {
    const { IntegrationId } = await s.client.send(
      new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('${stageVariables.fn}'), PayloadFormatVersion: '2.0' }),
    );
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /by-variable', Target: `integrations/${IntegrationId}` }));
    await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'vars', AutoDeploy: true, StageVariables: { fn: 'text' } }));
    const first = await call(s.gatehouse.port, apiId, 'GET', '/vars/by-variable');
    assert.deepEqual([first.status, first.text], [200, 'Hello']);
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/vars/by-variable')).text, 'Hello', 'the same function again');
    await s.client.send(new UpdateStageCommand({ ApiId: apiId, StageName: 'vars', StageVariables: { fn: 'cookies' } }));
    const after = await call(s.gatehouse.port, apiId, 'GET', '/vars/by-variable');
    assert.deepEqual([after.status, after.text, after.headers['x-answer']], [201, 'made', '42']);
  });

  it("a request to an in-process function makes two promises in the data plane: the handler's own and one reaction to it", async () => {
    // Each promise also runs the function scope's async hooks on Node 20 (function-scope.ts), so the Lambda
    // path tells outcomes through callbacks (invokeThen); the promise form made five per request.
    await add('GET /promises', 'echo', '2.0');
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/promises')).status, 200, 'deployed and warm');
    const made = await asyncResourcesDuring(['PROMISE'], async () => assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/promises')).status, 200));
    const dataPlane = made.filter((r) => r.frames.some((f) => f.includes('/dist/src/data-plane/')));
    assert.equal(dataPlane.length, 2, describeResources(dataPlane));
  });

  it('payload 2.0: cookies, joined headers and query strings, text body', async () => {
    const res = await call(s.gatehouse.port, apiId, 'POST', '/v2/42?a=1&a=2&b=x%20y', {
      headers: { cookie: ['c1=v1; c2=v2', 'c3=v3'], 'x-multi': ['one', 'two'], 'content-type': 'application/json', 'User-Agent': 'tests' },
      body: '{"hello":"world"}',
    });
    assert.equal(res.status, 200);
    assert.ok(res.headers['apigw-requestid']);
    const event = res.json<Record<string, any>>();
    assert.equal(event.version, '2.0');
    assert.equal(event.routeKey, 'POST /v2/{id}');
    assert.equal(event.rawPath, '/v2/42');
    assert.equal(event.rawQueryString, 'a=1&a=2&b=x%20y');
    assert.deepEqual(event.cookies, ['c1=v1', 'c2=v2', 'c3=v3']);
    assert.equal(event.headers.cookie, undefined, 'cookies move out of headers');
    assert.equal(event.headers['x-multi'], 'one,two');
    assert.equal(event.headers['user-agent'], 'tests');
    assert.deepEqual(event.queryStringParameters, { a: '1,2', b: 'x y' });
    assert.deepEqual(event.pathParameters, { id: '42' });
    assert.equal(event.body, '{"hello":"world"}');
    assert.equal(event.isBase64Encoded, false);
    const rc = event.requestContext;
    assert.equal(rc.apiId, apiId);
    assert.equal(rc.stage, '$default');
    assert.equal(rc.routeKey, 'POST /v2/{id}');
    assert.equal(rc.requestId, res.headers['apigw-requestid']);
    assert.equal(rc.domainName, `${apiId}.execute-api.localhost`);
    assert.equal(rc.domainPrefix, apiId);
    assert.equal(rc.accountId, '000000000000');
    assert.deepEqual({ method: rc.http.method, path: rc.http.path, protocol: rc.http.protocol, userAgent: rc.http.userAgent }, { method: 'POST', path: '/v2/42', protocol: 'HTTP/1.1', userAgent: 'tests' });
    assert.match(rc.time, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(typeof rc.timeEpoch, 'number');
    assert.equal(event.stageVariables, undefined, 'absent members are omitted in 2.0');
  });

  it('payload 2.0: a binary body is base64-encoded', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    const res = await call(s.gatehouse.port, apiId, 'POST', '/v2/bin', { headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const event = res.json<{ body: string; isBase64Encoded: boolean }>();
    assert.equal(event.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(event.body, 'base64'), bytes);
  });

  it('payload 1.0: nulls, multi-value maps, received header casing; response multi-value headers', async () => {
    const res = await call(s.gatehouse.port, apiId, 'POST', '/v1/7', { headers: { 'X-Custom': 'A' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-single'], 's');
    assert.equal(res.headers['x-multi'], 'a, b');
    const event = res.json<Record<string, any>>();
    assert.equal(event.version, '1.0');
    assert.equal(event.resource, '/v1/{id}');
    assert.equal(event.path, '/v1/7');
    assert.equal(event.httpMethod, 'POST');
    assert.equal(event.headers['X-Custom'], 'A');
    assert.deepEqual(event.multiValueHeaders['X-Custom'], ['A']);
    assert.equal(event.queryStringParameters, null);
    assert.equal(event.multiValueQueryStringParameters, null);
    assert.equal(event.stageVariables, null);
    assert.equal(event.body, null);
    assert.deepEqual(event.pathParameters, { id: '7' });
    assert.equal(event.requestContext.resourcePath, '/v1/{id}');
  });

  it('payload 2.0 responses: inferred JSON, a plain string, cookies, base64 bodies', async () => {
    const plain = await call(s.gatehouse.port, apiId, 'GET', '/plain');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'application/json');
    assert.equal(plain.text, '{"message":"hi"}');
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/text')).text, 'Hello');
    const cookies = await call(s.gatehouse.port, apiId, 'GET', '/cookies');
    assert.equal(cookies.status, 201);
    assert.deepEqual(cookies.headers['set-cookie'], ['a=1; Path=/', 'b=2']);
    assert.equal(cookies.headers['x-answer'], '42');
    assert.equal(cookies.text, 'made');
    const binary = await call(s.gatehouse.port, apiId, 'GET', '/binary');
    assert.deepEqual([...binary.body], [0x89, 0x50, 0x4e, 0x47, 0, 255]);
  });

  it('a handler that throws, hangs or returns garbage answers as AWS does, and the server lives on', async () => {
    const throws = await call(s.gatehouse.port, apiId, 'GET', '/throws');
    assert.equal(throws.status, 500);
    assert.equal(throws.text, '{"message":"Internal Server Error"}');
    const hangs = await call(s.gatehouse.port, apiId, 'GET', '/hangs');
    assert.equal(hangs.status, 503);
    assert.equal(hangs.text, '{"message":"Service Unavailable"}');
    const garbage = await call(s.gatehouse.port, apiId, 'GET', '/garbage');
    assert.equal(garbage.status, 500);
    const missing = await call(s.gatehouse.port, apiId, 'GET', '/missing');
    assert.equal(missing.status, 500);
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/plain')).status, 200, 'still serving');
  });
});

describe('data plane: parameter mapping on Lambda integrations', () => {
  it('applies responseParameters to the function result; refuses requestParameters loudly (500), never ignores them', async () => {
    const s = await startServer({ args: ['--function', `plain=${fixture('behaviours.mjs')}#plain`] });
    try {
      const apiId = (await s.client.send(new CreateApiCommand({ Name: 'mapped', ProtocolType: 'HTTP' }))).ApiId as string;
      const mapped = await s.client.send(
        new CreateIntegrationCommand({
          ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('plain'), PayloadFormatVersion: '2.0',
          ResponseParameters: { '200': { 'overwrite:statuscode': '202', 'append:header.x-mapped': 'yes' } },
        }),
      );
      const requestMapped = await s.client.send(
        new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('plain'), PayloadFormatVersion: '2.0', RequestParameters: { 'overwrite:header.x-a': 'b' } }),
      );
      await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /mapped', Target: `integrations/${mapped.IntegrationId}` }));
      await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /request-mapped', Target: `integrations/${requestMapped.IntegrationId}` }));
      await s.client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
      const res = await call(s.gatehouse.port, apiId, 'GET', '/mapped');
      assert.equal(res.status, 202);
      assert.equal(res.headers['x-mapped'], 'yes');
      assert.equal(res.text, '{"message":"hi"}');
      const refused = await call(s.gatehouse.port, apiId, 'GET', '/request-mapped');
      assert.equal(refused.status, 500);
      assert.equal(refused.text, '{"message":"Internal Server Error"}');
    } finally {
      await s.close();
    }
  });
});
