/**
 * Stage and route settings the WebSocket data plane enforces: throttling (`$connect` → 429, messages →
 * "Too Many Requests" frame), access logs, required `$connect` request parameters and `$connect`
 * authorizer result caching.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CreateApiCommand, CreateAuthorizerCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { loadConfig } from '../../../src/config.js';
import type { AuthorizerRecord, RouteRecord, StageRecord } from '../../../src/model/resources.js';
import { compileAuthorizer, createJwksProvider } from '../../../src/data-plane/authorizers/index.js';
import { GatewayError } from '../../../src/data-plane/errors.js';
import type { FunctionInvoker } from '../../../src/data-plane/functions/invoker.js';
import type { CompiledStage, Invocation } from '../../../src/data-plane/invocation.js';
import { quietLogger } from '../../../src/logger.js';
import type { Gatehouse } from '../../../src/server.js';
import { createServer } from '../../../src/server.js';
import { sdkClient } from '../../helpers/server.js';
import { connect, contextOf, HANDLERS, lambdaArn, recorded, refusedStatus, waitFor } from './ws-helpers.js';


const LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  routeKey: '$context.routeKey',
  status: '$context.status',
  stage: '$context.stage',
  integrationStatus: '$context.integrationStatus',
  error: '$context.error.message',
  connectionId: '$context.connectionId',
  eventType: '$context.eventType',
});

interface ApiSpec {
  readonly routes: readonly { key: string; twoWay?: boolean; requestParameters?: Record<string, { Required: boolean }>; custom?: boolean }[];
  readonly routeSettings?: Record<string, { ThrottlingBurstLimit?: number; ThrottlingRateLimit?: number }>;
  readonly accessLog?: boolean;
  readonly authorizerTtl?: number;
}

async function createApi(client: ApiGatewayV2Client, spec: ApiSpec): Promise<string> {
  const apiId = (await client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
  const integrationId = (await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('ws') }))).IntegrationId as string;
  let authorizerId: string | undefined;
  if (spec.authorizerTtl !== undefined) {
    authorizerId = (
      await client.send(
        new CreateAuthorizerCommand({
          ApiId: apiId,
          Name: 'tokens',
          AuthorizerType: 'REQUEST',
          AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${lambdaArn('auth')}/invocations`,
          IdentitySource: ['route.request.header.X-Token'],
          AuthorizerResultTtlInSeconds: spec.authorizerTtl,
        }),
      )
    ).AuthorizerId;
  }
  for (const r of spec.routes) {
    const route = await client.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: r.key,
        Target: `integrations/${integrationId}`,
        ...(r.twoWay ? { RouteResponseSelectionExpression: '$default' } : {}),
        ...(r.requestParameters ? { RequestParameters: r.requestParameters } : {}),
        ...(r.custom && authorizerId ? { AuthorizationType: 'CUSTOM', AuthorizerId: authorizerId } : {}),
      }),
    );
    if (r.twoWay) await client.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseKey: '$default' }));
  }
  const { DeploymentId } = await client.send(new CreateDeploymentCommand({ ApiId: apiId }));
  await client.send(
    new CreateStageCommand({
      ApiId: apiId,
      StageName: 'prod',
      DeploymentId,
      ...(spec.routeSettings ? { RouteSettings: spec.routeSettings } : {}),
      ...(spec.accessLog ? { AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:ws', Format: LOG_FORMAT } } : {}),
    }),
  );
  return apiId;
}

describe('websocket: stage settings', () => {
  let gatehouse: Gatehouse;
  let client: ApiGatewayV2Client;
  let dataDir: string;
  const lines: { arn: string; line: string }[] = [];
  let throttled: string;
  let logged: string;
  let required: string;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-ws-'));
    const config = loadConfig(['--port', '0', '--data-dir', dataDir, '--function', `ws=${HANDLERS}#handler`, '--function', `auth=${HANDLERS}#authorizer`], {});
    gatehouse = await createServer({ config, logger: quietLogger, accessLog: (arn, line) => lines.push({ arn, line }) });
    client = sdkClient(gatehouse.url);
    throttled = await createApi(client, {
      routes: [{ key: '$connect' }, { key: 'limited', twoWay: true }, { key: 'free', twoWay: true }],
      routeSettings: { $connect: { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 0.001 }, limited: { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 0.001 } },
    });
    logged = await createApi(client, { routes: [{ key: '$connect' }, { key: '$disconnect' }, { key: 'echo', twoWay: true }, { key: 'fail', twoWay: true }], accessLog: true });
    required = await createApi(client, {
      routes: [{ key: '$connect', requestParameters: { 'route.request.header.X-Tenant': { Required: true }, 'route.request.querystring.token': { Required: true } } }, { key: 'echo', twoWay: true }],
    });
  });
  after(async () => {
    client.destroy();
    await gatehouse.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('throttles messages per route: over the limit the client gets "Too Many Requests" and the integration is not called', async () => {
    const c = await connect(gatehouse.port, throttled);
    try {
      c.ws.send('{"action":"limited","n":1}');
      assert.equal((JSON.parse(await c.next()) as { routeKey: string }).routeKey, 'limited');
      const calls = recorded().filter((e) => contextOf(e).apiId === throttled && contextOf(e).routeKey === 'limited').length;
      c.ws.send('{"action":"limited","n":2}');
      const frame = JSON.parse(await c.next()) as Record<string, unknown>;
      assert.equal(frame.message, 'Too Many Requests');
      assert.equal(typeof frame.connectionId, 'string');
      assert.equal(typeof frame.requestId, 'string');
      assert.equal(recorded().filter((e) => contextOf(e).apiId === throttled && contextOf(e).routeKey === 'limited').length, calls);
      // other routes have their own (here: no) limit
      c.ws.send('{"action":"free"}');
      assert.equal((JSON.parse(await c.next()) as { routeKey: string }).routeKey, 'free');
    } finally {
      await c.close();
    }
  });

  it('throttles $connect: over the limit the handshake is refused with 429 before $connect runs', async () => {
    // burst 2: the previous test used one token
    const c = await connect(gatehouse.port, throttled);
    await c.close();
    const connects = recorded().filter((e) => contextOf(e).apiId === throttled && contextOf(e).eventType === 'CONNECT').length;
    const refused = connect(gatehouse.port, throttled);
    await assert.rejects(refused, (error: { status?: number; body?: string }) => error.status === 429 && JSON.parse(error.body ?? '{}').message === 'Too Many Requests');
    assert.equal(recorded().filter((e) => contextOf(e).apiId === throttled && contextOf(e).eventType === 'CONNECT').length, connects);
  });

  it('writes one access-log line per $connect, message and $disconnect', async () => {
    const start = lines.length;
    const c = await connect(gatehouse.port, logged);
    c.ws.send('{"action":"echo"}');
    await c.next();
    c.ws.send('{"action":"fail"}');
    assert.equal((JSON.parse(await c.next()) as { message: string }).message, 'Internal server error');
    await c.close();
    const entries = await waitFor('four access-log lines', () => (lines.length - start >= 4 ? lines.slice(start) : undefined));
    assert.ok(entries.every((e) => e.arn === 'arn:aws:logs:us-east-1:123456789012:log-group:ws'));
    const parsed = entries.map((e) => JSON.parse(e.line) as Record<string, string>);
    const [conn, echo, fail, disc] = parsed as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    assert.deepEqual(
      parsed.map((p) => [p.eventType, p.routeKey, p.status, p.stage]),
      [
        ['CONNECT', '$connect', '200', 'prod'],
        ['MESSAGE', 'echo', '200', 'prod'],
        ['MESSAGE', 'fail', '500', 'prod'],
        ['DISCONNECT', '$disconnect', '200', 'prod'],
      ],
    );
    const id = conn.connectionId as string;
    assert.match(id, /^[A-Za-z0-9_-]{15}=$/);
    assert.ok(parsed.every((p) => p.connectionId === id));
    assert.equal(new Set(parsed.map((p) => p.requestId)).size, 4);
    assert.equal(echo.integrationStatus, '200');
    assert.equal(echo.error, '-');
    assert.equal(fail.integrationStatus, '500');
    assert.equal(fail.error, 'Internal server error');
    assert.equal(disc.integrationStatus, '200');
  });

  it('logs refused handshakes with their status and error', async () => {
    const start = lines.length;
    assert.equal(await refusedStatus(connect(gatehouse.port, logged, { path: '/prod?reject=403' })), 403);
    const entry = await waitFor('the refused $connect line', () => lines.slice(start).find((l) => l.line.includes('"CONNECT"')));
    const p = JSON.parse(entry.line) as Record<string, string>;
    assert.equal(p.status, '403');
    assert.equal(p.integrationStatus, '403');
  });

  it('refuses $connect with 400 when a required request parameter is missing or empty, without calling $connect', async () => {
    const connects = () => recorded().filter((e) => contextOf(e).apiId === required && contextOf(e).eventType === 'CONNECT').length;
    const before = connects();
    await assert.rejects(connect(gatehouse.port, required), (error: { status?: number; body?: string }) => {
      assert.equal(error.status, 400);
      assert.deepEqual(JSON.parse(error.body ?? '{}'), { message: 'Missing required request parameters: [X-Tenant, token]' });
      return true;
    });
    await assert.rejects(connect(gatehouse.port, required, { path: '/prod?token=', headers: { 'X-Tenant': 'acme' } }), (error: { status?: number; body?: string }) => {
      assert.equal(error.status, 400);
      assert.deepEqual(JSON.parse(error.body ?? '{}'), { message: 'Missing required request parameters: [token]' });
      return true;
    });
    assert.equal(connects(), before);
    const c = await connect(gatehouse.port, required, { path: '/prod?token=t1', headers: { 'X-Tenant': 'acme' } });
    await c.close();
    assert.equal(connects(), before + 1);
  });
});

/**
 * The control plane refuses `authorizerResultTtlInSeconds` on WebSocket APIs ("supported only for HTTP
 * APIs"), so the cache is exercised on the one Lambda authorizer compiler (HTTP's, whose result cache
 * `$connect` shares) directly, with a record that carries a TTL.
 */
describe('websocket: $connect authorizer result caching', () => {
  const AUTHORIZER = {
    authorizerId: 'au1',
    name: 'tokens',
    authorizerType: 'REQUEST',
    authorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${lambdaArn('auth')}/invocations`,
    identitySource: ['route.request.header.X-Token'],
    authorizerResultTtlInSeconds: 300,
    createdDate: '',
  } as AuthorizerRecord;
  const stageRecord = { stageName: 'prod', deploymentId: 'd1', stageVariables: {}, defaultRouteSettings: {}, routeSettings: {} } as unknown as StageRecord;
  const stage = { apiId: 'api1', stageName: 'prod', region: 'us-east-1', accountId: '123456789012', stageVariables: {} } as unknown as CompiledStage;
  const route = { routeKey: '$connect', authorizationType: 'CUSTOM', authorizerId: 'au1' } as RouteRecord;
  const connectOf = (token: string): Invocation => ({
    requestId: 'r',
    requestTimeEpoch: 0,
    request: { method: 'GET', path: '/prod', rawQueryString: '', headers: { 'x-token': token }, rawHeaders: ['X-Token', token], sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', domainName: 'api1.execute-api.localhost', domainPrefix: 'api1' },
    incoming: {} as Invocation['incoming'],
    stage,
    websocket: {
      connection: { connectionId: 'c1', apiId: 'api1', stage: 'prod', domainName: 'api1.execute-api.localhost', connectedAt: 0, sourceIp: '127.0.0.1', userAgent: '', stageVariables: {} },
      eventType: 'CONNECT',
      routeKey: '$connect',
      expectsReply: false,
    },
  });

  it('a second connection with the same identity does not invoke the authorizer; a cached Deny still refuses; entries expire', async () => {
    let calls = 0;
    const invoker: FunctionInvoker = {
      invoke: (_ref, event) => {
        calls++;
        const e = event as { headers: Record<string, string>; methodArn: string };
        assert.equal(e.methodArn, 'arn:aws:execute-api:us-east-1:123456789012:api1/prod/$connect');
        const effect = e.headers['X-Token'] === 'allow' ? 'Allow' : 'Deny';
        const payload = { principalId: 'user-1', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: e.methodArn }] }, context: { calls } };
        return Promise.resolve({ payload: Buffer.from(JSON.stringify(payload)) });
      },
      close: () => Promise.resolve(),
    };
    let now = 1000;
    const jwks = createJwksProvider();
    const authorizer = compileAuthorizer(route, AUTHORIZER, stageRecord, { invoker, jwks, clock: () => now });
    assert.ok(authorizer);
    const first = await authorizer.authorize(connectOf('allow'));
    now = 2000;
    const second = await authorizer.authorize(connectOf('allow'));
    assert.equal(calls, 1);
    assert.deepEqual(second, first);
    assert.deepEqual(first, { lambda: { calls: 1 }, principalId: 'user-1' });
    const denied = (e: unknown) => e instanceof GatewayError && e.statusCode === 403;
    await assert.rejects(authorizer.authorize(connectOf('nope')), denied);
    now = 3000;
    await assert.rejects(authorizer.authorize(connectOf('nope')), denied);
    assert.equal(calls, 2);
    // after the TTL the authorizer runs again
    now = 1000 + 300_000;
    await authorizer.authorize(connectOf('allow'));
    assert.equal(calls, 3);
    // a new compile of the stage (a new deployment) starts with an empty cache
    const recompiled = compileAuthorizer(route, AUTHORIZER, { ...stageRecord }, { invoker, jwks, clock: () => now });
    await recompiled?.authorize(connectOf('allow'));
    assert.equal(calls, 4);
    await jwks.close();
  });
});
