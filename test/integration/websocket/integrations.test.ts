/**
 * Every integration type of WebSocket APIs end to end, with real `ws` clients, a real HTTP upstream and
 * local Lambda functions: HTTP_PROXY, HTTP (non-proxy, templates, integration responses), AWS (Lambda
 * non-proxy), MOCK (the request template's statusCode picks the integration response), passthrough
 * behaviours, then API keys on `$connect` and a WebSocket API behind a custom domain.
 * Evidence: websocket-api-data-transformations.html (template and integration response selection
 * expressions), apigateway-websocket-api-integration-responses.html (`$default` and `/regex/` keys,
 * one-way routes send nothing), apigateway-websocket-api-selection-expressions.html (API key selection),
 * websocket-api-data-mapping.html (requestParameters from route.request.*, context.*, static values).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import {
  CreateApiCommand,
  CreateApiMappingCommand,
  CreateDeploymentCommand,
  CreateDomainNameCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
  type CreateIntegrationCommandInput,
} from '@aws-sdk/client-apigatewayv2';
import { startUpstream, type Upstream } from '../../helpers/upstream.js';
import { connect, contextOf, lambdaArn, refusedStatus, startWsServer, waitFor, type WsTestServer } from './ws-helpers.js';

const rawEvents = (): Record<string, unknown>[] => ((globalThis as { __gatehouseWsRawEvents?: Record<string, unknown>[] }).__gatehouseWsRawEvents ??= []);

interface Route {
  readonly key: string;
  readonly integration: Omit<CreateIntegrationCommandInput, 'ApiId'>;
  readonly responses?: readonly { key: string; templates?: Record<string, string>; selection?: string }[];
  readonly twoWay?: boolean;
  readonly apiKeyRequired?: boolean;
}

/** A WebSocket API with one integration per route, deployed to `prod` (stage variable color=blue). */
async function createApi(client: ApiGatewayV2Client, routes: readonly Route[]): Promise<string> {
  const apiId = (await client.send(new CreateApiCommand({ Name: 'ws-int', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
  for (const spec of routes) {
    const integrationId = (await client.send(new CreateIntegrationCommand({ ApiId: apiId, ...spec.integration }))).IntegrationId as string;
    for (const r of spec.responses ?? []) {
      await client.send(
        new CreateIntegrationResponseCommand({
          ApiId: apiId,
          IntegrationId: integrationId,
          IntegrationResponseKey: r.key,
          ...(r.templates ? { ResponseTemplates: r.templates } : {}),
          ...(r.selection ? { TemplateSelectionExpression: r.selection } : {}),
        }),
      );
    }
    const route = await client.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: spec.key,
        Target: `integrations/${integrationId}`,
        ...(spec.twoWay ? { RouteResponseSelectionExpression: '$default' } : {}),
        ...(spec.apiKeyRequired ? { ApiKeyRequired: true } : {}),
      }),
    );
    if (spec.twoWay) await client.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseKey: '$default' }));
  }
  const { DeploymentId } = await client.send(new CreateDeploymentCommand({ ApiId: apiId }));
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', DeploymentId, StageVariables: { color: 'blue' } }));
  return apiId;
}

const API_KEY = 'gatehouse-test-key-0123456789';

describe('websocket: integrations of every type', () => {
  let s: WsTestServer;
  let upstream: Upstream;
  let apiId: string;
  let keyed: string;
  const keysDir = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));

  before(async () => {
    upstream = await startUpstream();
    const keysFile = join(keysDir, 'keys.txt');
    writeFileSync(keysFile, `# API keys\nci-key=${API_KEY}\n`);
    s = await startWsServer({ args: ['--api-keys', keysFile] });
    apiId = await createApi(s.client, [
      { key: 'proxy', twoWay: true, integration: { IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'POST', IntegrationUri: `${upstream.origin}/proxy/\${stageVariables.color}` } },
      {
        key: 'http',
        twoWay: true,
        integration: {
          IntegrationType: 'HTTP',
          IntegrationMethod: 'PUT',
          IntegrationUri: `${upstream.origin}/things`,
          TemplateSelectionExpression: '\\$default',
          RequestTemplates: { $default: '{"who":"$input.path(\'$.name\')","connectionId":"$context.connectionId","color":"$stageVariables.color"}' },
          RequestParameters: {
            'integration.request.header.x-upstream-status': '\'201\'',
            'integration.request.querystring.route': 'context.routeKey',
            // route.request.body sources (the WS_VALUE the control plane accepts): a value of the message, and the message.
            'integration.request.header.x-who': 'route.request.body.name',
            'integration.request.header.x-message': 'route.request.body',
          },
        },
        responses: [
          { key: '/2\\d\\d/', templates: { $default: '#set($sent = $util.parseJson($input.path(\'$.body\'))){"status":"$input.path(\'$.method\') $input.path(\'$.url\')","who":"$sent.who","color":"$sent.color"}' } },
          { key: '$default', templates: { $default: '{"failed":true}' } },
        ],
      },
      {
        key: 'http404',
        twoWay: true,
        integration: { IntegrationType: 'HTTP', IntegrationMethod: 'GET', IntegrationUri: `${upstream.origin}/missing`, RequestParameters: { 'integration.request.header.x-upstream-status': '\'404\'' } },
        responses: [
          { key: '/4\\d\\d/', templates: { '404': '{"error":"not found"}', $default: '{"error":"client"}' }, selection: '${integration.response.statuscode}' },
          { key: '$default', templates: { $default: '{"error":"other"}' } },
        ],
      },
      {
        key: 'lambda',
        twoWay: true,
        integration: {
          IntegrationType: 'AWS',
          IntegrationUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${lambdaArn('raw')}/invocations`,
          RequestTemplates: { $default: '{"name":"$input.path(\'$.name\')","connectionId":"$context.connectionId"}' },
          TemplateSelectionExpression: '\\$default',
        },
        responses: [
          { key: '/boom.*/', templates: { $default: '{"error":"$util.escapeJavaScript($input.path(\'$.errorMessage\'))"}' } },
          { key: '$default', templates: { $default: '$input.path(\'$.greeting\')' } },
        ],
      },
      {
        key: 'mock',
        twoWay: true,
        integration: {
          IntegrationType: 'MOCK',
          RequestTemplates: { $default: '#if($input.path(\'$.status\') == "fail"){"statusCode": 500}#else{"statusCode": 200}#end' },
          TemplateSelectionExpression: '\\$default',
        },
        responses: [
          { key: '/5\\d\\d/', templates: { $default: '{"mock":"failed","route":"$context.routeKey"}' } },
          { key: '$default', templates: { $default: '{"mock":"ok","connectionId":"$context.connectionId"}' } },
        ],
      },
      {
        key: 'strict',
        twoWay: true,
        integration: { IntegrationType: 'MOCK', TemplateSelectionExpression: '${request.body.kind}', RequestTemplates: { a: '{"statusCode": 200}' }, PassthroughBehavior: 'NEVER' },
        responses: [{ key: '$default', templates: { $default: '{"kind":"a"}' } }],
      },
      { key: 'oneway', integration: { IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' } }, responses: [{ key: '$default', templates: { $default: 'never sent' } }] },
    ]);
    keyed = await createApi(s.client, [
      { key: '$connect', apiKeyRequired: true, integration: { IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('ws') } },
      { key: '$default', twoWay: true, integration: { IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('ws') } },
    ]);
  });
  after(async () => {
    await s.close();
    await upstream.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  const ask = async (id: string, message: unknown, options: Parameters<typeof connect>[2] = {}) => {
    const c = await connect(s.port, id, options);
    try {
      c.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
      return await c.next();
    } finally {
      await c.close();
    }
  };

  it('HTTP_PROXY sends the message as it is to the URI (stage variables substituted) and answers with the backend body', async () => {
    const message = '{"action":"proxy","n":1}';
    const reply = JSON.parse(await ask(apiId, message)) as { method: string; path: string; body: string; headers: Record<string, string> };
    assert.equal(reply.method, 'POST');
    assert.equal(reply.path, '/proxy/blue');
    assert.equal(reply.body, message);
  });

  it('HTTP sends the request template output with mapped parameters; the /2\\d\\d/ integration response template answers', async () => {
    const reply = JSON.parse(await ask(apiId, { action: 'http', name: 'ada' })) as Record<string, string>;
    assert.deepEqual(reply, { status: 'PUT /things?route=http', who: 'ada', color: 'blue' });
    const seen = upstream.requests.at(-1);
    assert.equal(seen?.headers['x-upstream-status'], '201');
    assert.equal(seen?.headers['x-who'], 'ada');
    assert.equal(seen?.headers['x-message'], '{"action":"http","name":"ada"}');
    assert.match(JSON.parse(seen?.body ?? '{}').connectionId as string, /^[A-Za-z0-9_-]{15}=$/);
  });

  it('HTTP: the status selects /4\\d\\d/, whose templateSelectionExpression picks the 404 template', async () => {
    assert.deepEqual(JSON.parse(await ask(apiId, { action: 'http404' })), { error: 'not found' });
  });

  it('AWS (Lambda, non-proxy): the template output is the event; the result, or the error selected by errorMessage, is mapped', async () => {
    assert.equal(await ask(apiId, { action: 'lambda', name: 'ada' }), 'hello ada');
    const event = await waitFor('the raw event', () => rawEvents().find((e) => e.name === 'ada'));
    assert.deepEqual(Object.keys(event).sort(), ['connectionId', 'name']);
    assert.deepEqual(JSON.parse(await ask(apiId, { action: 'lambda', name: 'boom-bob' })), { error: 'boom: cannot greet boom-bob' });
  });

  it('MOCK: the request template picks the status from the message; integration responses answer per status', async () => {
    const ok = JSON.parse(await ask(apiId, { action: 'mock' })) as Record<string, string>;
    assert.equal(ok.mock, 'ok');
    assert.match(ok.connectionId as string, /^[A-Za-z0-9_-]{15}=$/);
    assert.deepEqual(JSON.parse(await ask(apiId, { action: 'mock', status: 'fail' })), { mock: 'failed', route: 'mock' });
  });

  it('passthroughBehavior NEVER: a message whose templateSelectionExpression matches no template is refused', async () => {
    assert.deepEqual(JSON.parse(await ask(apiId, { action: 'strict', kind: 'a' })), { kind: 'a' });
    const refused = JSON.parse(await ask(apiId, { action: 'strict', kind: 'b' })) as Record<string, string>;
    assert.equal(refused.message, 'Unsupported Media Type');
    assert.equal(typeof refused.connectionId, 'string');
  });

  it('a one-way route sends nothing whatever its integration responses say', async () => {
    const c = await connect(s.port, apiId);
    try {
      c.ws.send('{"action":"oneway"}');
      c.ws.send('{"action":"mock"}');
      assert.equal((JSON.parse(await c.next()) as { mock: string }).mock, 'ok');
    } finally {
      await c.close();
    }
  });

  it('API keys: $connect with apiKeyRequired refuses a missing or unknown x-api-key (403 Forbidden) and accepts a configured one', async () => {
    const refused = connect(s.port, keyed);
    await assert.rejects(refused, (e: { status?: number; body?: string }) => e.status === 403 && e.body === '{"message":"Forbidden"}');
    assert.equal(await refusedStatus(connect(s.port, keyed, { headers: { 'x-api-key': 'not-a-key-of-this-gateway' } })), 403);
    const c = await connect(s.port, keyed, { headers: { 'x-api-key': API_KEY } });
    try {
      c.ws.send('{"action":"x"}');
      const { routeKey } = JSON.parse(await c.next()) as { routeKey: string };
      assert.equal(routeKey, '$default');
    } finally {
      await c.close();
    }
    const connects = rawConnects(keyed);
    assert.equal(connects.length, 1, 'refused handshakes never reached $connect');
    assert.deepEqual(
      { apiKey: (contextOf(connects[0] as Record<string, unknown>).identity as Record<string, unknown>).apiKey, apiKeyId: (contextOf(connects[0] as Record<string, unknown>).identity as Record<string, unknown>).apiKeyId },
      { apiKey: API_KEY, apiKeyId: 'ci-key' },
    );
  });

  it('a WebSocket API behind a custom domain: connects through the API mapping, reports the domain, and takes @connections there', async () => {
    await s.client.send(new CreateDomainNameCommand({ DomainName: 'ws.example.test', DomainNameConfigurations: [{ EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }] }));
    const echoApi = await createApi(s.client, [{ key: '$default', twoWay: true, integration: { IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('ws') } }]);
    await s.client.send(new CreateApiMappingCommand({ DomainName: 'ws.example.test', ApiId: echoApi, Stage: 'prod', ApiMappingKey: 'chat' }));
    const c = await connect(s.port, echoApi, { url: `ws://127.0.0.1:${s.port}/chat`, headers: { host: `ws.example.test:${s.port}` } });
    try {
      c.ws.send('{"action":"hi"}');
      const reply = JSON.parse(await c.next()) as { routeKey: string };
      assert.equal(reply.routeKey, '$default');
      const message = await waitFor('the message event', () => recordedOf(echoApi).find((e) => contextOf(e).eventType === 'MESSAGE'));
      const ctx = contextOf(message);
      assert.equal(ctx.domainName, 'ws.example.test');
      assert.equal(ctx.stage, 'prod');
      const status = await post(s.port, 'ws.example.test', `/chat/@connections/${ctx.connectionId as string}`, 'pushed');
      assert.equal(status, 200);
      assert.equal(await c.next(), 'pushed');
      // A mapping added while the connection is open takes @connections from its first call. (On this machine the
      // domains' reload finishes before the call arrives, so this does not prove the wait for a reload in flight.)
      await s.client.send(new CreateApiMappingCommand({ DomainName: 'ws.example.test', ApiId: echoApi, Stage: 'prod', ApiMappingKey: 'chat2' }));
      assert.equal(await post(s.port, 'ws.example.test', `/chat2/@connections/${ctx.connectionId as string}`, 'through the new mapping'), 200);
      assert.equal(await c.next(), 'through the new mapping');
    } finally {
      await c.close();
    }
    assert.equal(await refusedStatus(connect(s.port, echoApi, { url: `ws://127.0.0.1:${s.port}/nomapping`, headers: { host: `ws.example.test:${s.port}` } })), 404);
  });
});

const recordedOf = (apiId: string) => ((globalThis as { __gatehouseWsEvents?: Record<string, unknown>[] }).__gatehouseWsEvents ?? []).filter((e) => contextOf(e).apiId === apiId);
const rawConnects = (apiId: string) => recordedOf(apiId).filter((e) => contextOf(e).eventType === 'CONNECT');

/** POSTs `body` to `path` with a Host header; resolves to the status. */
function post(port: number, host: string, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { host, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
