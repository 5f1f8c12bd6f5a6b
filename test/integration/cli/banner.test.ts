/**
 * The start-up banner, the API listing printed again on change, and the request log, read from a
 * real `gatehouse serve` (`--log-format pretty`, and json).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, GetIntegrationsCommand } from '@aws-sdk/client-apigatewayv2';
import WebSocket from 'ws';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, runCli, startCli } from '../../helpers/cli.js';
import { sdkClient } from '../../helpers/server.js';

const PETS = 'arn:aws:lambda:us-east-1:123456789012:function:pets';
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TIME = '\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('gatehouse serve --log-format pretty: banner and request log', () => {
  let s: CliServer;
  before(async () => {
    s = await startCli(['--log-format', 'pretty', '--function', 'pets=./examples/pets.mjs#handler', '--oidc-issuer', 'dev']);
  });
  after(() => s.stop());

  it('prints the banner: management API, store, functions, issuers, request log, no APIs yet', async () => {
    // The banner is written before server.json, but on a busy host the test can read the file before its own
    // event loop has read the banner from the pipe (once, in CI, it read nothing): wait for its last line.
    await s.waitFor(/ {2}APIs {12}none yet[^\n]*\n/);
    const base = `http://localhost:${s.port}`;
    const expected = [
      `Gatehouse ${VERSION} ready in \\d+ ms`,
      `  management API  ${esc(base)}  aws apigatewayv2 --endpoint-url ${esc(base)} \\.\\.\\.`,
      `  store           SQLite in ${esc(s.dataDir)}`,
      `  functions       pets  \\./examples/pets\\.mjs#handler  \\(inprocess\\)`,
      `  OIDC issuers    dev  ${esc(base)}/_gatehouse/oidc/dev`,
      '  request log     on \\(--request-log off to silence\\)',
      '  APIs            none yet \\(create one with the AWS CLI, an SDK or Terraform\\)',
    ];
    assert.match(s.stderr(), new RegExp(`^\\n${expected.join('\\n')}\\n`));
    assert.ok(!s.stderr().includes('\u001b['), 'NO_COLOR: no escape sequences');
  });

  it('lists APIs again when they change, with path-style and host-style invoke URLs', async () => {
    const client = sdkClient(s.url);
    try {
      const mark = s.stderr().length;
      const api = await client.send(new CreateApiCommand({ Name: 'pets', ProtocolType: 'HTTP', Target: PETS }));
      const id = api.ApiId as string;
      const listing = await s.waitFor(/APIs changed\n {2}APIs\n(?: {4}.*\n)+/, mark);
      assert.equal(
        listing,
        [
          'APIs changed',
          '  APIs',
          `    pets  ${id}  HTTP`,
          `      $default  http://localhost:${s.port}/_aws/execute-api/${id}/`,
          `                http://${id}.execute-api.localhost:${s.port}/  (curl and browsers only)`,
          '',
        ].join('\n'),
      );
      const next = s.stderr().length;
      await client.send(new CreateStageCommand({ ApiId: id, StageName: 'dev' }));
      const again = await s.waitFor(/APIs changed\n {2}APIs\n(?: {4}.*\n)+/, next);
      assert.match(again, new RegExp(`\\n      dev       not served: no deployment\\n`));
    } finally {
      client.destroy();
    }
  });

  it('logs one readable line per request: status, method, path, latency, API/stage, route, integration, authorizer, reason', async () => {
    const client = sdkClient(s.url);
    try {
      const api = await client.send(new CreateApiCommand({ Name: 'logged', ProtocolType: 'HTTP', Target: PETS }));
      const id = api.ApiId as string;
      const integrationId = (await client.send(new GetIntegrationsCommand({ ApiId: id }))).Items?.[0]?.IntegrationId;
      const issuer = `http://localhost:${s.port}/_gatehouse/oidc/dev`;
      const auth = await client.send(
        new CreateAuthorizerCommand({ ApiId: id, Name: 'dev', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: issuer, Audience: ['pets-api'] } }),
      );
      await client.send(new CreateRouteCommand({ ApiId: id, RouteKey: 'GET /me', Target: `integrations/${integrationId}`, AuthorizationType: 'JWT', AuthorizerId: auth.AuthorizerId }));
      const base = `${s.url}/_aws/execute-api/${id}`;
      // The line of a request to `path` (API listings printed on change may come in between).
      const lineOf = (path: string, from: number) => s.waitFor(new RegExp(`^${TIME} \\d{3} GET ${esc(path)} .*\\n`, 'm'), from);

      let mark = s.stderr().length;
      assert.equal((await fetch(`${base}/hello?x=1`)).status, 200);
      assert.match(await lineOf(`/_aws/execute-api/${id}/hello?x=1`, mark), new RegExp(`^${TIME} 200 GET /_aws/execute-api/${id}/hello\\?x=1 \\d+ms  ${id}/\\$default  \\$default → AWS_PROXY pets\\n$`));

      mark = s.stderr().length;
      assert.equal((await fetch(`${base}/me`)).status, 401);
      assert.match(await lineOf(`/_aws/execute-api/${id}/me`, mark), new RegExp(`^${TIME} 401 GET /_aws/execute-api/${id}/me \\d+ms  ${id}/\\$default  GET /me → AWS_PROXY pets  auth: JWT deny  — Unauthorized: .+\\n$`));

      const token = await runCli(['token', '--issuer', 'dev', '--aud', 'pets-api', '--data-dir', s.dataDir]);
      assert.equal(token.code, 0, token.stderr);
      mark = s.stderr().length;
      assert.equal((await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } })).status, 200);
      assert.match(await lineOf(`/_aws/execute-api/${id}/me`, mark), new RegExp(`^${TIME} 200 GET /_aws/execute-api/${id}/me \\d+ms  ${id}/\\$default  GET /me → AWS_PROXY pets  auth: JWT allow\\n$`));

      mark = s.stderr().length;
      assert.equal((await fetch(`${s.url}/_aws/execute-api/nosuchapi/x`)).status, 404);
      assert.match(await lineOf('/_aws/execute-api/nosuchapi/x', mark), new RegExp(`^${TIME} 404 GET /_aws/execute-api/nosuchapi/x \\d+ms  — Not Found: no API nosuchapi with a deployed stage\\n$`));
    } finally {
      client.destroy();
    }
  });
});

describe('gatehouse serve --log-format pretty: WebSocket events in the request log', () => {
  it("logs $connect, each message (with its integration) and $disconnect", async () => {
    const s = await startCli(['--log-format', 'pretty', '--function', 'pets=./examples/pets.mjs#handler']);
    const client = sdkClient(s.url);
    try {
      const api = await client.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
      const id = api.ApiId as string;
      const integration = await client.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: PETS }));
      await client.send(new CreateRouteCommand({ ApiId: id, RouteKey: '$default', Target: `integrations/${integration.IntegrationId}` }));
      await client.send(new CreateStageCommand({ ApiId: id, StageName: 'production', AutoDeploy: true }));
      const mark = s.stderr().length;
      const socket = new WebSocket(`${api.ApiEndpoint}/production`);
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      socket.send('{"action":"hello"}');
      const path = esc(`/_aws/execute-api/${id}/production`);
      await s.waitFor(new RegExp(`^${TIME} 200 WS MESSAGE ${path} \\d+ms  ${id}/production  \\$default → AWS_PROXY pets\\n`, 'm'), mark);
      socket.close();
      await s.waitFor(new RegExp(`^${TIME} 200 WS DISCONNECT ${path} \\d+ms  ${id}/production  \\$disconnect\\n`, 'm'), mark);
      assert.match(s.stderr().slice(mark), new RegExp(`^${TIME} 200 WS CONNECT ${path} \\d+ms  ${id}/production  \\$connect\\n`, 'm'));
    } finally {
      client.destroy();
      await s.stop();
    }
  });
});

describe('gatehouse serve --log-format json', () => {
  const events = (s: CliServer) =>
    s
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes the start-up event with the API listing, "apis changed" events and, with --request-log on, one JSON line per request', async () => {
    const s = await startCli(['--log-format', 'json', '--request-log', 'on', '--function', 'pets=./examples/pets.mjs#handler']);
    const client = sdkClient(s.url);
    try {
      const start = events(s)[0] as Record<string, unknown>;
      assert.equal(start.message, 'gatehouse listening');
      assert.equal(start.version, VERSION);
      assert.equal(start.publicUrl, `http://localhost:${s.port}`);
      assert.deepEqual(start.apis, []);
      const api = await client.send(new CreateApiCommand({ Name: 'pets', ProtocolType: 'HTTP', Target: PETS }));
      await s.waitFor(/"message":"apis changed"/);
      const changed = events(s).find((e) => e.message === 'apis changed');
      assert.deepEqual(changed?.apis, [
        {
          id: api.ApiId,
          name: 'pets',
          protocolType: 'HTTP',
          stages: [{ name: '$default', urls: { path: `http://localhost:${s.port}/_aws/execute-api/${api.ApiId}/`, host: `http://${api.ApiId}.execute-api.localhost:${s.port}/` } }],
        },
      ]);
      const res = await fetch(`${s.url}/_aws/execute-api/${api.ApiId}/pets`, { method: 'POST', body: '{}' });
      assert.equal(res.status, 200);
      await s.waitFor(/"message":"request"/);
      const line = events(s).find((e) => e.message === 'request') as Record<string, unknown>;
      assert.match(line.time as string, /^\d{4}-\d\d-\d\dT/);
      assert.match(line.requestId as string, /^[A-Za-z0-9_-]{15}=$/);
      assert.equal(typeof line.latencyMs, 'number');
      const { time: _t, requestId: _r, latencyMs: _l, ...rest } = line;
      assert.deepEqual(rest, {
        level: 'info',
        message: 'request',
        method: 'POST',
        path: `/_aws/execute-api/${api.ApiId}/pets`,
        status: 200,
        apiId: api.ApiId,
        stage: '$default',
        routeKey: '$default',
        integration: 'AWS_PROXY pets',
      });
    } finally {
      client.destroy();
      await s.stop();
    }
  });

  it('lists the V8 heap settings it applies: none under worker isolation, and none that is set to 0', async () => {
    const worker = await startCli(['--function-isolation', 'worker', '--heap-growing-percent', '25', '--function', 'pets=./examples/pets.mjs#handler']);
    try {
      const [warning, start] = events(worker);
      // A changed value it leaves aside is said, not dropped silently.
      assert.deepEqual([warning?.level, warning?.message], ['warn', '--heap-growing-percent 25 is not applied: under --function-isolation worker (its handler workers would be held too, and start without the code cache)']);
      assert.equal(start?.message, 'gatehouse listening');
      assert.deepEqual(start?.heap, {});
    } finally {
      await worker.stop();
    }
    const own = await startCli(['--heap-growing-percent', '0', '--semi-space-size', '4']);
    try {
      assert.deepEqual(events(own)[0]?.heap, { semiSpaceMb: 4 });
    } finally {
      await own.stop();
    }
  });

  it('is the default off a terminal, without a request log unless asked for', async () => {
    const s = await startCli(['--function', 'pets=./examples/pets.mjs#handler']);
    try {
      assert.equal(events(s)[0]?.message, 'gatehouse listening');
      assert.equal(events(s)[0]?.requestLog, false);
      // V8's heap settings serve holds for itself (README: --semi-space-size, --heap-growing-percent).
      assert.deepEqual(events(s)[0]?.heap, { semiSpaceMb: 8, heapGrowingPercent: 10 });
      assert.equal((await fetch(`${s.url}/_aws/execute-api/nosuchapi/x`)).status, 404);
      // The health check below is answered after the request above was logged, had it been.
      assert.equal((await fetch(`${s.url}/_gatehouse/health`)).status, 200);
      assert.equal(events(s).filter((e) => e.message === 'request').length, 0);
    } finally {
      await s.stop();
    }
  });
});
