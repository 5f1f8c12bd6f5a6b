import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, UpdateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { asyncResourcesDuring, creator, describeResources } from '../../helpers/async-resources.js';
import { call } from '../../helpers/data-plane.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';
import type { EchoedRequest, Upstream } from '../../helpers/upstream.js';
import { startUpstream } from '../../helpers/upstream.js';

describe('data plane: HTTP proxy, parameter mapping, CORS, throttling, access logs', () => {
  let s: TestServer;
  let up: Upstream;
  let apiId: string;
  let logDir: string;
  const proxy = async (key: string, uri: string, extra: Record<string, unknown> = {}) => {
    const { IntegrationId } = await s.client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: uri, ...extra } as never));
    await s.client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${IntegrationId}` }));
  };

  before(async () => {
    up = await startUpstream();
    logDir = mkdtempSync(join(tmpdir(), 'gatehouse-access-'));
    s = await startServer({ args: ['--access-log', join(logDir, 'access.log')] });
    apiId = (await s.client.send(new CreateApiCommand({ Name: 'proxy', ProtocolType: 'HTTP' }))).ApiId as string;
    await proxy('$default', up.origin);
    await proxy('GET /pets/{id}', `${up.origin}/backend/pets/{id}?from=gateway`);
    await proxy('ANY /files/{proxy+}', `${up.origin}/store/{proxy}`);
    await proxy('GET /mapped/{name}', `${up.origin}/m`, {
      RequestParameters: {
        'overwrite:header.x-user': '$request.header.x-name',
        'append:querystring.tag': 'static',
        'overwrite:path': '/renamed/$request.path.name',
        'remove:header.x-secret': "''",
      },
      ResponseParameters: { '200': { 'overwrite:statuscode': '202', 'append:header.x-served-by': 'gatehouse', 'overwrite:header.x-echo-method': '$response.header.x-method' } },
    });
    await proxy('GET /slow', up.origin, { TimeoutInMillis: 150 });
    await proxy('GET /limited/{id}', up.origin);
    await proxy('GET /down', 'http://127.0.0.1:1/');
    await s.client.send(
      new CreateStageCommand({
        ApiId: apiId, StageName: '$default', AutoDeploy: true,
        RouteSettings: { 'GET /limited/{id}': { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 0.001 } },
        AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:access', Format: '$context.requestId $context.httpMethod $context.routeKey $context.status $context.integrationStatus $context.unknownThing' },
      }),
    );
  });
  after(async () => {
    await s.close();
    await up.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  const echo = (text: string) => JSON.parse(text) as EchoedRequest;

  it('$default forwards the whole path and query; headers pass with x-forwarded-*', async () => {
    const res = await call(s.gatehouse.port, apiId, 'PUT', '/any/where?q=1&q=2', { headers: { 'x-custom': 'v', connection: 'keep-alive' }, body: 'payload' });
    assert.equal(res.status, 200);
    const e = echo(res.text);
    assert.equal(e.method, 'PUT');
    assert.equal(e.url, '/any/where?q=1&q=2');
    assert.equal(e.headers['x-custom'], 'v');
    assert.equal(e.headers.host, `127.0.0.1:${up.port}`);
    assert.match(String(e.headers['x-forwarded-for']), /127\.0\.0\.1/);
    assert.equal(e.headers['x-forwarded-proto'], 'http');
    assert.match(String(e.headers['x-amzn-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(e.body, 'payload');
  });

  it('a proxied request makes one microtask of the data plane: no promise, no Node timer (its timeout is a shared deadline queue entry)', async () => {
    // Every async resource pays the function scope's hooks on Node 20 once an in-process function has run.
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/pets/7')).status, 200, 'warm: pools and deadline queue made');
    const made = await asyncResourcesDuring(['PROMISE', 'Timeout', 'Immediate', 'Microtask'], async () => assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/pets/7')).status, 200));
    const ours = made.filter((r) => creator(r).includes('/dist/src/'));
    // The one: ProxyCall tells the head once undici has parsed what came with it, so a small body goes out in the same write.
    assert.deepEqual(
      ours.map((r) => [r.type, /ProxyCall\.onHeaders/.test(creator(r))]),
      [['Microtask', true]],
      describeResources(ours),
    );
    assert.ok(made.length > 0, 'the hook saw the resources of the request (the test client, Node, undici)');
  });

  it('route URIs substitute path variables and greedy {proxy}', async () => {
    assert.equal(echo((await call(s.gatehouse.port, apiId, 'GET', '/pets/7?x=y')).text).url, '/backend/pets/7?from=gateway&x=y');
    assert.equal(echo((await call(s.gatehouse.port, apiId, 'POST', '/files/a/b.txt')).text).url, '/store/a/b.txt');
  });

  it('parameter mapping rewrites the request and the response', async () => {
    const res = await call(s.gatehouse.port, apiId, 'GET', '/mapped/rex', { headers: { 'x-name': 'ann', 'x-secret': 's', 'x-upstream-header': 'x-method=GET' } });
    assert.equal(res.status, 202);
    assert.equal(res.headers['x-served-by'], 'gatehouse');
    assert.equal(res.headers['x-echo-method'], 'GET');
    const e = echo(res.text);
    assert.equal(e.path, '/renamed/rex');
    assert.equal(e.query, 'tag=static');
    assert.equal(e.headers['x-user'], 'ann');
    assert.equal(e.headers['x-secret'], undefined);
  });

  it('upstream timeouts are 503, refused connections 500; the server lives on', async () => {
    const slow = await call(s.gatehouse.port, apiId, 'GET', '/slow', { headers: { 'x-upstream-delay': '1000' } });
    assert.equal(slow.status, 503);
    assert.equal(slow.text, '{"message":"Service Unavailable"}');
    const down = await call(s.gatehouse.port, apiId, 'GET', '/down');
    assert.equal(down.status, 500);
    assert.equal(down.text, '{"message":"Internal Server Error"}');
    const reset = await call(s.gatehouse.port, apiId, 'GET', '/reset', { headers: { 'x-upstream-reset': '1' } });
    assert.equal(reset.status, 500);
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/ok')).status, 200);
  });

  it('streams a large response body through', async () => {
    const res = await call(s.gatehouse.port, apiId, 'GET', '/big', { headers: { 'x-upstream-large': String(3 * 1024 * 1024) } });
    assert.equal(res.status, 200);
    assert.equal(res.body.length, 3 * 1024 * 1024);
  });

  it('throttles a route past its burst with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(s.gatehouse.port, apiId, 'GET', `/limited/${i}`)).status);
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    const limited = await call(s.gatehouse.port, apiId, 'GET', '/limited/9');
    assert.equal(limited.text, '{"message":"Too Many Requests"}');
    assert.equal((await call(s.gatehouse.port, apiId, 'GET', '/other')).status, 200, 'other routes are not throttled');
  });

  it('CORS: preflight answered by the gateway; actual responses get the configured headers over the backend', async () => {
    await s.client.send(new UpdateApiCommand({ ApiId: apiId, CorsConfiguration: { AllowOrigins: ['https://a.example', 'https://b.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['x-custom'], ExposeHeaders: ['x-served-by'], MaxAge: 600 } }));
    const preflight = await call(s.gatehouse.port, apiId, 'OPTIONS', '/pets/1', {
      headers: { origin: 'https://b.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-custom' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://b.example', 'only the matching origin, not a list');
    assert.match(String(preflight.headers['access-control-allow-methods']), /POST/);
    assert.equal(preflight.headers['access-control-max-age'], '600');
    assert.equal(up.requests.filter((r) => r.method === 'OPTIONS').length, 0, 'the backend never saw the preflight');
    const actual = await call(s.gatehouse.port, apiId, 'GET', '/cors', { headers: { origin: 'https://a.example', 'x-upstream-cors': '1' } });
    assert.equal(actual.headers['access-control-allow-origin'], 'https://a.example', 'the backend CORS header is overridden');
    assert.equal(actual.headers['access-control-expose-headers'], 'x-served-by');
    const stranger = await call(s.gatehouse.port, apiId, 'GET', '/cors', { headers: { origin: 'https://evil.example' } });
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);
  });

  it('writes access log lines in the stage format, unknown variables as -', async () => {
    const res = await call(s.gatehouse.port, apiId, 'DELETE', '/logged');
    await new Promise((r) => setTimeout(r, 100));
    const lines = readFileSync(join(logDir, 'access.log'), 'utf8').trim().split('\n');
    const line = lines.find((l) => l.startsWith(String(res.headers['apigw-requestid'])));
    assert.equal(line, `${res.headers['apigw-requestid']} DELETE $default 200 200 -`);
    assert.ok(lines.some((l) => / GET \/limited\/\{id\} 429 - -$/.test(l)), 'throttled requests are logged too');
  });
});

describe('data plane: a client that goes away mid-stream', () => {
  it('aborts the upstream response instead of reading it to the end', async () => {
    const { request } = await import('node:http');
    const up = await startUpstream();
    const s = await startServer();
    try {
      const apiId = (await s.client.send(new CreateApiCommand({ Name: 'sse', ProtocolType: 'HTTP', Target: up.origin }))).ApiId as string;
      let upstreamClosed = false;
      up.behaviour = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const timer = setInterval(() => res.write('data: tick\n\n'), 5);
        res.on('close', () => {
          clearInterval(timer);
          upstreamClosed = true;
        });
      };
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: s.gatehouse.port, path: '/events', headers: { host: `${apiId}.execute-api.localhost` } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
        req.end();
      });
      for (let i = 0; i < 100 && !upstreamClosed; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(upstreamClosed, 'the upstream connection was closed when the client left');
    } finally {
      await s.close();
      await up.close();
    }
  });
});
