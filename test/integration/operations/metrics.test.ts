/**
 * /_gatehouse/metrics scraped after real requests and parsed from the Prometheus text format:
 * HTTP route 200, unmatched 404, throttled 429, JWT deny 401, Lambda authorizer allow + cache hit,
 * WebSocket connect + message, IntegrationLatency, IntegrationError and ClientError; where it is served (admin listener) and its bearer token.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { call, fixture, lambdaArn } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, sdkClient, startServer } from '../../helpers/server.js';
import type { Upstream } from '../../helpers/upstream.js';
import { startUpstream } from '../../helpers/upstream.js';
import { connect, createWsApi, HANDLERS, waitFor } from '../websocket/ws-helpers.js';
import { parseMetrics, valueOf } from '../../helpers/metrics.js';

const AUTHORIZER_URI = (fn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${lambdaArn(fn)}/invocations`;

describe('operations: /_gatehouse/metrics', () => {
  let s: TestServer;
  let upstream: Upstream;
  let httpApi: string;
  let wsApi: string;
  let wsNoDefault: string;
  let adminUrl: string;
  const token = 'metrics-token-0123456789';
  const scrape = async () => {
    const res = await fetch(`${adminUrl}/_gatehouse/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    return { text, samples: parseMetrics(text) };
  };

  before(async () => {
    upstream = await startUpstream();
    s = await startServer({
      args: ['--admin-port', '0', '--metrics-token', token, '--function', `ws=${HANDLERS}#handler`, '--function', `simple=${fixture('authorizers.mjs')}#simple`],
    });
    adminUrl = s.gatehouse.adminUrl as string;
    const client = sdkClient(adminUrl);
    try {
      httpApi = (await client.send(new CreateApiCommand({ Name: 'metrics', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await client.send(
        new CreateIntegrationCommand({ ApiId: httpApi, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${upstream.origin}/backend`, PayloadFormatVersion: '1.0' }),
      );
      const target = `integrations/${IntegrationId}`;
      const jwt = await client.send(
        new CreateAuthorizerCommand({ ApiId: httpApi, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example', Audience: ['pets'] } }),
      );
      const simple = await client.send(
        new CreateAuthorizerCommand({ ApiId: httpApi, Name: 'simple', AuthorizerType: 'REQUEST', AuthorizerUri: AUTHORIZER_URI('simple'), AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.x-token'], AuthorizerResultTtlInSeconds: 300 }),
      );
      await client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /pets', Target: target }));
      await client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /limited', Target: target }));
      await client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /private', Target: target, AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId }));
      await client.send(new CreateRouteCommand({ ApiId: httpApi, RouteKey: 'GET /simple', Target: target, AuthorizationType: 'CUSTOM', AuthorizerId: simple.AuthorizerId }));
      await client.send(
        new CreateStageCommand({ ApiId: httpApi, StageName: '$default', AutoDeploy: true, RouteSettings: { 'GET /limited': { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 0.001 } } }),
      );
      wsApi = await createWsApi(client, [{ key: '$connect' }, { key: '$default' }, { key: '$disconnect' }, { key: 'fail' }]);
      wsNoDefault = await createWsApi(client, [{ key: '$connect' }, { key: 'only' }]);
    } finally {
      client.destroy();
    }
  });
  after(async () => {
    await s.close();
    await upstream.close();
  });

  it('counts each request under its api, stage and route key, with AWS metric names and exact values', async () => {
    const port = s.gatehouse.port;
    assert.equal((await call(port, httpApi, 'GET', '/pets?id=1')).status, 200);
    assert.equal((await call(port, httpApi, 'GET', '/no/such/path')).status, 404);
    assert.equal((await call(port, httpApi, 'GET', '/limited')).status, 200);
    assert.equal((await call(port, httpApi, 'GET', '/limited')).status, 429);
    assert.equal((await call(port, httpApi, 'GET', '/private')).status, 401);
    assert.equal((await call(port, httpApi, 'GET', '/simple', { headers: { 'x-token': 'let-me-in' } })).status, 200);
    assert.equal((await call(port, httpApi, 'GET', '/simple', { headers: { 'x-token': 'let-me-in' } })).status, 200);
    const socket = await connect(port, wsApi);
    socket.ws.send('hello');
    await waitFor('the message reached the integration', () =>
      ((globalThis as { __gatehouseWsEvents?: { requestContext: { eventType: string; apiId: string } }[] }).__gatehouseWsEvents ?? []).find((e) => e.requestContext.apiId === wsApi && e.requestContext.eventType === 'MESSAGE'),
    );

    // A message whose Lambda throws (IntegrationError), and one no route takes (ClientError: 403 Forbidden).
    socket.ws.send('{"action":"fail"}');
    assert.equal(JSON.parse(await socket.next()).message, 'Internal server error');
    const unrouted = await connect(port, wsNoDefault);
    unrouted.ws.send('hello');
    assert.equal(JSON.parse(await unrouted.next()).message, 'Forbidden');
    await unrouted.close();

    const { text, samples } = await scrape();
    const r = (route: string) => ({ api_id: httpApi, stage: '$default', route });
    assert.equal(valueOf(samples, 'gatehouse_count', { ...r('GET /pets'), status_class: '2xx' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_count', { ...r('-'), status_class: '4xx' }), 1, 'a request that matched no route counts under route "-"');
    assert.equal(valueOf(samples, 'gatehouse_count', { ...r('GET /limited'), status_class: '2xx' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_count', { ...r('GET /limited'), status_class: '4xx' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_count', { ...r('GET /private'), status_class: '4xx' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_count', { ...r('GET /simple'), status_class: '2xx' }), 2);
    assert.equal(valueOf(samples, 'gatehouse_4xx', r('GET /pets')), 0);
    assert.equal(valueOf(samples, 'gatehouse_4xx', r('GET /limited')), 1);
    assert.equal(valueOf(samples, 'gatehouse_4xx', r('-')), 1);
    assert.equal(valueOf(samples, 'gatehouse_5xx', r('GET /pets')), 0);
    assert.equal(valueOf(samples, 'gatehouse_throttled_total', r('GET /limited')), 1);
    assert.equal(valueOf(samples, 'gatehouse_throttled_total', r('GET /pets')), undefined);
    assert.equal(valueOf(samples, 'gatehouse_authorizer_decisions_total', { ...r('GET /private'), decision: 'deny' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_authorizer_decisions_total', { ...r('GET /simple'), decision: 'allow' }), 2);
    assert.equal(valueOf(samples, 'gatehouse_authorizer_cache_hits_total', r('GET /simple')), 1, 'the second request was decided from the result cache');
    assert.equal(valueOf(samples, 'gatehouse_latency_seconds_count', r('GET /pets')), 1);
    assert.equal(valueOf(samples, 'gatehouse_latency_seconds_bucket', { ...r('GET /pets'), le: '+Inf' }), 1);
    assert.equal(valueOf(samples, 'gatehouse_integration_latency_seconds_count', r('GET /pets')), 1);
    assert.equal(valueOf(samples, 'gatehouse_integration_latency_seconds_count', r('GET /limited')), 1, 'the throttled request never reached the integration');
    assert.equal(valueOf(samples, 'gatehouse_integration_latency_seconds_count', r('-')), undefined);
    const w = (route: string) => ({ api_id: wsApi, stage: 'prod', route });
    assert.equal(valueOf(samples, 'gatehouse_connect_count', w('$connect')), 1);
    assert.equal(valueOf(samples, 'gatehouse_message_count', w('$default')), 1);
    assert.equal(valueOf(samples, 'gatehouse_integration_latency_seconds_count', w('$default')), 1, 'WebSocket IntegrationLatency');
    assert.equal(valueOf(samples, 'gatehouse_integration_latency_seconds_count', w('$connect')), 1);
    assert.equal(valueOf(samples, 'gatehouse_integration_error', w('$default')), 0);
    assert.equal(valueOf(samples, 'gatehouse_integration_error', w('fail')), 1, 'the throwing handler is an IntegrationError');
    assert.equal(valueOf(samples, 'gatehouse_execution_error', w('fail')), 0);
    assert.equal(valueOf(samples, 'gatehouse_client_error', w('fail')), 0);
    // The event's route key is `$default`, the key AWS's selection falls back to (and the access log writes).
    assert.equal(valueOf(samples, 'gatehouse_client_error', { api_id: wsNoDefault, stage: 'prod', route: '$default' }), 1, 'a message no route takes is a ClientError');
    assert.equal(valueOf(samples, 'gatehouse_websocket_connections', {}), 1);
    assert.ok(!text.includes('/no/such/path'), 'raw paths are never label values');
    assert.ok(samples.some((x) => x.name === 'process_cpu_user_seconds_total'), 'the process metrics are there');

    await socket.close();
    let open: number | undefined;
    for (let i = 0; i < 100 && open !== 0; i++) {
      open = valueOf((await scrape()).samples, 'gatehouse_websocket_connections', {});
      if (open !== 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(open, 0, 'the closed connection is no longer counted');
  });

  it('is served on the admin listener only, behind its bearer token', async () => {
    const onMain = await rawRequest(s.url, 'GET', '/_gatehouse/metrics', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(onMain.status, 404);
    assert.deepEqual(onMain.json, { message: 'The metrics are served on the admin listener (--admin-port)' });
    const anonymous = await rawRequest(adminUrl, 'GET', '/_gatehouse/metrics');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="gatehouse-metrics"');
    assert.equal((await rawRequest(adminUrl, 'GET', '/_gatehouse/metrics', { headers: { authorization: `Bearer ${token}x` } })).status, 401);
  });

  it('is open on the main port without --admin-port and --metrics-token', async () => {
    const plain = await startServer();
    try {
      const res = await fetch(`${plain.url}/_gatehouse/metrics`);
      assert.equal(res.status, 200);
      const samples = parseMetrics(await res.text());
      assert.equal(valueOf(samples, 'gatehouse_websocket_connections', {}), 0);
    } finally {
      await plain.close();
    }
  });
});
