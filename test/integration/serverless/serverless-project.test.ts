/**
 * `--serverless`: the fixture project with every construct served by a real server (HTTP routes,
 * authorizers, CORS, payload 1.0, function environments, WebSocket routes and the $connect
 * authorizer), its state through the management API, stable ids across restarts, and reloads.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetApisCommand, GetRoutesCommand, GetStagesCommand } from '@aws-sdk/client-apigatewayv2';
import WebSocket from 'ws';
import type { Logger } from '../../../src/logger.js';
import type { TestServer } from '../../helpers/server.js';
import { startServer } from '../../helpers/server.js';

const FIXTURES = new URL('../../../../test/fixtures/serverless/', import.meta.url).pathname;

/** A logger that keeps its lines. */
function recordingLogger(): Logger & { lines: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, ...(fields ? { fields } : {}) });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

/** Opens a WebSocket; resolves once open, or with the handshake's status when refused. */
function connect(url: string): Promise<{ ws: WebSocket; messages: string[] } | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: string[] = [];
    ws.on('message', (m: Buffer) => messages.push(m.toString()));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await f();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const nextMessage = (messages: string[], count: number) => until(`message ${count}`, () => Promise.resolve(messages.length >= count ? messages[count - 1] : undefined));

describe('--serverless: the fixture project', () => {
  let server: TestServer;
  let logger: ReturnType<typeof recordingLogger>;
  let http: string;
  let wsUrl: string;
  before(async () => {
    logger = recordingLogger();
    server = await startServer({ args: ['--serverless', join(FIXTURES, 'full.yml'), '--function-isolation', 'worker'], env: { FIXTURE_VALUE: 'from-env', GATEHOUSE_CREDENTIALS: 'AKIDEXAMPLE:secret' }, logger });
    const apis = (await server.client.send(new GetApisCommand({}))).Items ?? [];
    const httpApi = apis.find((a) => a.Name === 'qa-fixture');
    const wsApi = apis.find((a) => a.Name === 'qa-fixture-websockets');
    assert.ok(httpApi?.ApiId && wsApi?.ApiId);
    http = `${server.url}/_aws/execute-api/${httpApi.ApiId}`;
    wsUrl = `${server.url.replace('http:', 'ws:')}/_aws/execute-api/${wsApi.ApiId}/qa`;
  });
  after(() => server.close());

  it('warns once for each plugin', () => {
    assert.deepEqual(
      logger.lines.filter((l) => l.level === 'warn').map((l) => l.message),
      ['serverless.yml: plugin serverless-offline is ignored (Gatehouse does not run Serverless Framework plugins)', 'serverless.yml: plugin serverless-esbuild is ignored (Gatehouse does not run Serverless Framework plugins)'],
    );
  });

  it('creates the APIs, stages and routes through the management API, named as the Framework names them', async () => {
    const apis = (await server.client.send(new GetApisCommand({}))).Items ?? [];
    assert.deepEqual(apis.map((a) => [a.Name, a.ProtocolType, a.RouteSelectionExpression]).sort(), [
      ['qa-fixture', 'HTTP', '$request.method $request.path'],
      ['qa-fixture-websockets', 'WEBSOCKET', '$request.body.type'],
    ]);
    const httpApi = apis.find((a) => a.ProtocolType === 'HTTP');
    const stages = (await server.client.send(new GetStagesCommand({ ApiId: httpApi?.ApiId }))).Items ?? [];
    assert.deepEqual(stages.map((s) => [s.StageName, s.AutoDeploy]), [['$default', true]]);
    const routes = (await server.client.send(new GetRoutesCommand({ ApiId: httpApi?.ApiId }))).Items ?? [];
    assert.deepEqual(routes.map((r) => `${r.RouteKey} ${r.AuthorizationType}`).sort(), [
      '$default NONE', 'ANY /any/{proxy+} NONE', 'DELETE /items/{id} AWS_IAM', 'GET /hello NONE', 'GET /items/{id} JWT', 'POST /items CUSTOM', 'PUT /legacy NONE',
    ]);
    const wsApi = apis.find((a) => a.ProtocolType === 'WEBSOCKET');
    const wsStages = (await server.client.send(new GetStagesCommand({ ApiId: wsApi?.ApiId }))).Items ?? [];
    assert.equal(wsStages.length, 1);
    assert.equal(wsStages[0]?.StageName, 'qa');
    assert.match(wsStages[0]?.DeploymentId ?? '', /^[a-z0-9]{6}$/);
  });

  it('serves httpApi routes with payload 1.0, path parameters, {proxy+}, the catch-all and the function environment', async () => {
    const hello = await fetch(`${http}/hello`);
    assert.equal(hello.status, 200);
    assert.deepEqual(await hello.json(), { fn: 'fixture-qa-hello', version: '1.0', route: 'GET /hello', greeting: 'overridden', params: null });
    const proxy = await fetch(`${http}/any/x/y`, { method: 'PATCH' });
    assert.deepEqual(await proxy.json(), { fn: 'fixture-qa-hello', version: '1.0', route: 'ANY /any/{proxy+}', greeting: 'overridden', params: { proxy: 'x/y' } });
    const other = await fetch(`${http}/nowhere`);
    assert.deepEqual(await other.json(), { fn: 'fixture-qa-hello', version: '1.0', route: '$default', greeting: 'overridden', params: null });
    const legacy = await fetch(`${http}/legacy`, { method: 'PUT' });
    assert.equal(await legacy.text(), 'cjs');
  });

  it('enforces the JWT, Lambda request and AWS_IAM authorizers', async () => {
    const jwt = await fetch(`${http}/items/1`);
    assert.equal(jwt.status, 401);
    assert.deepEqual(await jwt.json(), { message: 'Unauthorized' });
    const denied = await fetch(`${http}/items`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    assert.equal(denied.status, 403);
    assert.deepEqual(await denied.json(), { message: 'Forbidden' });
    const allowed = await fetch(`${http}/items`, { method: 'POST', headers: { authorization: 'Bearer letmein' } });
    assert.equal(allowed.status, 200);
    assert.deepEqual(await allowed.json(), { fn: 'fixture-qa-hello', version: '1.0', route: 'POST /items', greeting: 'overridden', params: null });
    const iam = await fetch(`${http}/items/1`, { method: 'DELETE' });
    assert.equal(iam.status, 403);
    assert.deepEqual(await iam.json(), { message: 'Forbidden' });
  });

  it('answers CORS preflights with provider.httpApi.cors', async () => {
    const res = await fetch(`${http}/hello`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(res.headers.get('access-control-max-age'), '600');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET,POST');
  });

  it('serves the WebSocket API: the $connect authorizer, custom routes and the $default route response', async () => {
    const refused = await connect(`${wsUrl}?token=bad`);
    assert.deepEqual(refused, { status: 403 });
    const open = await connect(`${wsUrl}?token=ok`);
    assert.ok('ws' in open);
    open.ws.send(JSON.stringify({ type: 'shout', text: 'hi' }));
    open.ws.send('plain');
    assert.deepEqual(JSON.parse(await nextMessage(open.messages, 1)), { route: '$default', body: 'plain' });
    assert.equal(open.messages.length, 1, 'the shout route has no route response');
    open.ws.close();
  });
});

describe('--serverless: ids across restarts, and reloads', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-sls-'));
    cpSync(join(FIXTURES, 'handlers'), join(dir, 'handlers'), { recursive: true });
    file = join(dir, 'serverless.yml');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const project = (events: string, extra = '') => `service: reloading
provider:
  name: aws
${extra}functions:
  hello:
    handler: handlers/app.hello
    events:
${events}
  ws:
    handler: handlers/app.ws
    events:
      - websocket:
          route: $default
          routeResponseSelectionExpression: $default
`;

  it('a restart finds the same APIs and routes and writes nothing', async () => {
    writeFileSync(file, project('      - httpApi: GET /a'));
    const first = recordingLogger();
    const server = await startServer({ args: ['--serverless', file], logger: first });
    const apis = (await server.client.send(new GetApisCommand({}))).Items ?? [];
    const routes = (await server.client.send(new GetRoutesCommand({ ApiId: apis.find((a) => a.ProtocolType === 'HTTP')?.ApiId }))).Items ?? [];
    await server.stop();
    const second = recordingLogger();
    const again = await startServer({ dataDir: server.dataDir, args: ['--serverless', file], logger: second });
    try {
      const apisAgain = (await again.client.send(new GetApisCommand({}))).Items ?? [];
      assert.deepEqual(apisAgain.map((a) => a.ApiId).sort(), apis.map((a) => a.ApiId).sort());
      const routesAgain = (await again.client.send(new GetRoutesCommand({ ApiId: apis.find((a) => a.ProtocolType === 'HTTP')?.ApiId }))).Items ?? [];
      assert.deepEqual(routesAgain, routes);
      assert.deepEqual(second.lines.find((l) => l.message === 'serverless.yml applied')?.fields, { file, service: 'reloading', stage: 'dev', created: 0, updated: 0, deleted: 0 });
    } finally {
      await again.close();
    }
  });

  it('reloads when the file changes: routes and CORS update in place, WebSocket connections stay open, a broken file keeps the previous version', async () => {
    writeFileSync(file, project('      - httpApi: GET /a'));
    const logger = recordingLogger();
    const server = await startServer({ args: ['--serverless', file], logger });
    try {
      const apis = (await server.client.send(new GetApisCommand({}))).Items ?? [];
      const httpId = apis.find((a) => a.ProtocolType === 'HTTP')?.ApiId as string;
      const wsId = apis.find((a) => a.ProtocolType === 'WEBSOCKET')?.ApiId as string;
      const http = `${server.url}/_aws/execute-api/${httpId}`;
      assert.equal((await fetch(`${http}/a`)).status, 200);
      const open = await connect(`${server.url.replace('http:', 'ws:')}/_aws/execute-api/${wsId}/dev`);
      assert.ok('ws' in open);
      open.ws.send('before');
      assert.deepEqual(JSON.parse(await nextMessage(open.messages, 1)), { route: '$default', body: 'before' });

      writeFileSync(file, project('      - httpApi: GET /b\n      - httpApi: POST /c', '  httpApi:\n    cors: true\n'));
      await until('GET /b', async () => ((await fetch(`${http}/b`)).status === 200 ? true : undefined));
      assert.equal((await fetch(`${http}/a`)).status, 404);
      assert.equal((await fetch(`${http}/c`, { method: 'POST' })).status, 200);
      const preflight = await fetch(`${http}/b`, { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' } });
      assert.equal(preflight.headers.get('access-control-allow-methods'), 'OPTIONS,GET,POST');
      const after = (await server.client.send(new GetApisCommand({}))).Items ?? [];
      assert.deepEqual(after.map((a) => a.ApiId).sort(), [httpId, wsId].sort());
      assert.ok(logger.lines.some((l) => l.message === 'serverless.yml reloaded'));

      open.ws.send('after');
      assert.deepEqual(JSON.parse(await nextMessage(open.messages, 2)), { route: '$default', body: 'after' });
      assert.equal(open.ws.readyState, WebSocket.OPEN);

      writeFileSync(file, project('      - httpApi: GET /d', 'custom:\n  x: ${ssm:/nope}\n'));
      const failed = await until('the failed reload', () => Promise.resolve(logger.lines.find((l) => l.message === 'serverless.yml reload failed; the previous version keeps serving')));
      assert.equal(failed.fields?.error, `${file}:5:6: custom.x: the variable \${ssm:/nope} cannot be resolved: Gatehouse does not read the "ssm" variable source (it needs AWS or the Framework); replace it with a literal or \${env:NAME} (supported: \${self:...}, \${env:...}, \${opt:stage}, \${sls:stage}, \${aws:region}, \${aws:accountId}, \${file(./x.yml):path}, each with an optional fallback such as \${env:NAME, 'default'})`);
      assert.equal((await fetch(`${http}/b`)).status, 200);

      // Without websocket events the WebSocket API goes (and its connection with it).
      writeFileSync(file, project('      - httpApi: GET /e').replace(/ {2}ws:[\s\S]*$/, ''));
      await until('the WebSocket API removed', async () => (((await server.client.send(new GetApisCommand({}))).Items ?? []).length === 1 ? true : undefined));
      assert.equal((await fetch(`${http}/e`)).status, 200);
      open.ws.terminate();
    } finally {
      await server.close();
    }
  });
});

describe('--serverless: authorizer changes update routes in place', () => {
  it('JWT with scopes, then none, then a Lambda request authorizer, then JWT again: same route id, old authorizers deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sls-auth-'));
    cpSync(join(FIXTURES, 'handlers'), join(dir, 'handlers'), { recursive: true });
    const file = join(dir, 'serverless.yml');
    const version = (authorizer: string) => `service: authz
provider:
  name: aws
  httpApi:
    authorizers:
      jwtAuth:
        identitySource: $request.header.Authorization
        issuerUrl: https://issuer.example.com/
        audience: [authz]
      lambdaAuth:
        type: request
        functionName: auth
        resultTtlInSeconds: 0
        enableSimpleResponses: true
functions:
  auth:
    handler: handlers/app.auth
  hello:
    handler: handlers/app.hello
    events:
      - httpApi:
          method: GET
          path: /a
${authorizer}`;
    writeFileSync(file, version('          authorizer:\n            name: jwtAuth\n            scopes: [read]\n'));
    const server = await startServer({ args: ['--serverless', file] });
    try {
      const served = server.gatehouse.serverless;
      assert.ok(served);
      served.close(); // this test reloads by hand
      const apiId = ((await server.client.send(new GetApisCommand({}))).Items ?? [])[0]?.ApiId as string;
      const route = async () => {
        const items = (await server.client.send(new GetRoutesCommand({ ApiId: apiId }))).Items ?? [];
        assert.equal(items.length, 1);
        const r = items[0];
        return [r?.RouteId, r?.AuthorizationType, r?.AuthorizerId ?? null, r?.AuthorizationScopes ?? null];
      };
      const first = await route();
      assert.equal(first[1], 'JWT');
      assert.deepEqual(first[3], ['read']);
      const url = `${server.url}/_aws/execute-api/${apiId}/a`;
      assert.equal((await fetch(url)).status, 401);

      writeFileSync(file, version(''));
      await served.reload();
      assert.deepEqual(await route(), [first[0], 'NONE', null, null]);
      assert.equal((await fetch(url)).status, 200);

      writeFileSync(file, version('          authorizer:\n            name: lambdaAuth\n'));
      await served.reload();
      const custom = await route();
      assert.deepEqual([custom[0], custom[1]], [first[0], 'CUSTOM']);
      // No identitySource (caching off): the function is called and denies.
      assert.equal((await fetch(url)).status, 403);
      assert.equal((await fetch(url, { headers: { authorization: 'Bearer letmein' } })).status, 200);

      writeFileSync(file, version('          authorizer:\n            name: jwtAuth\n'));
      await served.reload();
      assert.deepEqual(await route(), [first[0], 'JWT', first[2], null]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--serverless: what the management API refuses', () => {
  it('stops start-up naming the file, the resource and the operation\'s reason', async () => {
    const file = join(FIXTURES, 'refused/http-issuer.yml');
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-sls-refused-'));
    try {
      await assert.rejects(startServer({ dataDir, args: ['--serverless', file] }), {
        name: 'ServerlessError',
        message: `${file}: authorizer jwt: CreateAuthorizer refused it: Invalid issuer http://issuer.example.com/: must be an https URL (http is accepted only for loopback hosts)`,
      });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
