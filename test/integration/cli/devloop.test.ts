/**
 * The development loop through a real `gatehouse serve`, in both isolation modes (issue 10, points
 * 1, 2 and 5): every gateway-made 5xx logged once with its cause; handlers that throw from timers or
 * leave rejections unhandled do not take the gateway down; each function's Lambda environment,
 * memory size and timeout; process.exit; a failing WebSocket route and a handler's `fetch` to
 * `@connections`. (The chat example, AWS handler code broadcasting through `@connections`:
 * chat-example.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CreateApiCommand, CreateAuthorizerCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import WebSocket from 'ws';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, startCli } from '../../helpers/cli.js';
import { sdkClient } from '../../helpers/server.js';

const FIXTURES = join(ROOT, 'test/fixtures/devloop');
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDLOCALDEV', AWS_SECRET_ACCESS_KEY: 'local-dev-secret' };

interface LogLine {
  level: string;
  message: string;
  [field: string]: unknown;
}

/** The JSON log lines of `s` from offset `from` on. */
function logLines(s: CliServer, from = 0): LogLine[] {
  return s
    .stderr()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/** Waits until a log line (from `from`) satisfies `match`; returns every line that does. */
async function waitForLines(s: CliServer, match: (l: LogLine) => boolean, from = 0, ms = 10_000): Promise<LogLine[]> {
  const end = Date.now() + ms;
  for (;;) {
    const found = logLines(s, from).filter(match);
    if (found.length > 0) return found;
    if (Date.now() > end) throw new Error(`no matching log line within ${ms} ms:\n${s.stderr().slice(from)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An HTTP API whose `GET /{name}` routes call the functions, plus `GET /upstream` to a refused HTTP_PROXY; deployed to `$default`. */
async function httpApi(client: ApiGatewayV2Client, functions: readonly string[]): Promise<string> {
  const api = await client.send(new CreateApiCommand({ Name: 'devloop', ProtocolType: 'HTTP' }));
  const apiId = api.ApiId as string;
  for (const name of functions) {
    const integration = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: arn(name), PayloadFormatVersion: '2.0' }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `GET /${name}`, Target: `integrations/${integration.IntegrationId}` }));
  }
  const upstream = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'http://127.0.0.1:1/refused', IntegrationMethod: 'GET', PayloadFormatVersion: '1.0' }));
  await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /upstream', Target: `integrations/${upstream.IntegrationId}` }));
  // A Lambda authorizer whose function throws, in front of the `ok` function.
  const authorizer = await client.send(
    new CreateAuthorizerCommand({
      ApiId: apiId,
      Name: 'broken',
      AuthorizerType: 'REQUEST',
      AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn('throws')}/invocations`,
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
    }),
  );
  const ok = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: arn('ok'), PayloadFormatVersion: '2.0' }));
  await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /guarded', Target: `integrations/${ok.IntegrationId}`, AuthorizationType: 'CUSTOM', AuthorizerId: authorizer.AuthorizerId }));
  const deployment = await client.send(new CreateDeploymentCommand({ ApiId: apiId }));
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', DeploymentId: deployment.DeploymentId }));
  return apiId;
}

/** A WebSocket API (route selection on `action`, stage `production`): `boom` calls the function that throws, `echo` the one that answers with fetch. */
async function boomApi(client: ApiGatewayV2Client): Promise<string> {
  const api = await client.send(new CreateApiCommand({ Name: 'boom', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
  const apiId = api.ApiId as string;
  for (const [routeKey, fn] of [['boom', 'throws'], ['echo', 'fetchEcho']] as const) {
    const integration = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: arn(fn) }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: `integrations/${integration.IntegrationId}` }));
  }
  const deployment = await client.send(new CreateDeploymentCommand({ ApiId: apiId }));
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'production', DeploymentId: deployment.DeploymentId }));
  return apiId;
}

/** GET with the body as text. */
async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const r = await fetch(url, { headers });
  return { status: r.status, body: await r.text() };
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

const nextMessage = (ws: WebSocket, ms = 10_000) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), ms);
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer);
      resolve(data.toString());
    });
  });

for (const isolation of ['inprocess', 'worker'] as const) {
  describe(`gatehouse serve --function-isolation ${isolation}: the development loop`, () => {
    let s: CliServer;
    let dir: string;
    let base: string;
    let apiId: string;
    let client: ApiGatewayV2Client;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gatehouse-devloop-'));
      const h = (exp: string) => `${FIXTURES}/handlers.mjs#${exp}`;
      const functions = {
        ok: h('ok'),
        throws: h('throws'),
        floating: h('floating'),
        timer: h('timer'),
        exits: h('exits'),
        exitsLater: h('exitsLater'),
        fetchEcho: h('fetchEcho'),
        env: { handler: h('env'), environment: { TABLE_NAME: 'pets-table', GREETING: 'hello' }, timeout: 2, memorySize: 256 },
        plain: h('env'),
        slow: { handler: h('slow'), timeout: 1 },
        spin: { handler: h('spin'), timeout: 1 },
        syntax: `${FIXTURES}/syntax-error.mjs#handler`,
        missingimport: `${FIXTURES}/missing-import.mjs#handler`,
      };
      writeFileSync(join(dir, 'gatehouse.json'), JSON.stringify({ functions, functionIsolation: isolation }));
      s = await startCli(['--config', join(dir, 'gatehouse.json'), '--log-format', 'json'], { env: CREDENTIALS });
      client = sdkClient(s.url);
      const served = Object.keys(functions).filter((n) => isolation === 'worker' || n !== 'spin');
      apiId = await httpApi(client, [...served, 'nosuchfn']);
      base = `${s.url}/_aws/execute-api/${apiId}`;
      const end = Date.now() + 10_000;
      while ((await get(`${base}/ok`)).status !== 200) {
        if (Date.now() > end) throw new Error(`the API is not served:\n${s.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    });

    after(async () => {
      client?.destroy();
      const code = await s?.stop();
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, 'the gateway shut down cleanly: no handler ended it');
    });

    /** Calls `GET /{name}` and returns the response with the error lines logged for it. */
    async function failing(name: string, query = '', headers: Record<string, string> = {}): Promise<{ status: number; body: string; lines: LogLine[] }> {
      const from = s.stderr().length;
      const r = await get(`${base}/${name}${query}`, headers);
      await waitForLines(s, (l) => l.level === 'error' && l.route === `GET /${name}`, from);
      // Once: nothing else about this request arrives meanwhile.
      await new Promise((res) => setTimeout(res, 100));
      return { ...r, lines: logLines(s, from).filter((l) => l.level === 'error') };
    }

    it('a handler that throws: AWS 500 body, one error line with the API, stage, route, integration, message and stack', async () => {
      const r = await failing('throws');
      assert.equal(r.status, 500);
      assert.equal(r.body, '{"message":"Internal Server Error"}');
      assert.equal(r.lines.length, 1);
      const [line] = r.lines as [LogLine];
      assert.equal(line.message, 'integration failed: Lambda function error (Unhandled): Error: database is down');
      assert.equal(line.api, apiId);
      assert.equal(line.stage, '$default');
      assert.equal(line.integration, 'AWS_PROXY throws');
      assert.equal(line.status, 500);
      assert.equal(line.method, 'GET');
      assert.match(String(line.stack), /^Error: database is down\n\s+at throws \(file:\/\/.*test\/fixtures\/devloop\/handlers\.mjs:\d+:\d+\)/);
    });

    it('an unregistered function: the line says how to register it', async () => {
      const r = await failing('nosuchfn');
      assert.equal(r.status, 500);
      assert.equal(r.body, '{"message":"Internal Server Error"}');
      assert.equal(r.lines.length, 1);
      assert.match(
        r.lines[0]?.message ?? '',
        /^integration failed: arn:aws:lambda:us-east-1:123456789012:function:nosuchfn: FunctionNotFoundError: function nosuchfn is not registered \(known: .*\); register it with --function nosuchfn=\.\/path\.js#handler or set --lambda-endpoint$/,
      );
    });

    it('a handler file with a syntax error: the file, the line and the error', async () => {
      const r = await failing('syntax');
      assert.equal(r.status, 500);
      assert.equal(r.lines.length, 1);
      const line = r.lines[0] as LogLine;
      assert.match(line.message, /^integration failed: arn:aws:lambda:us-east-1:123456789012:function:syntax: FunctionInvokeError: Cannot load function syntax from .*syntax-error\.mjs: SyntaxError: /);
      assert.match(String(line.stack), /syntax-error\.mjs:3/);
    });

    it('a module its handler imports is missing: its path', async () => {
      const r = await failing('missingimport');
      assert.equal(r.status, 500);
      assert.equal(r.lines.length, 1);
      assert.match(r.lines[0]?.message ?? '', /Cannot find module '.*test\/fixtures\/devloop\/no-such-helper\.mjs' imported from .*missing-import\.mjs/);
    });

    it('a Lambda authorizer whose function throws: its message and stack', async () => {
      const r = await failing('guarded', '', { authorization: 'token' });
      assert.equal(r.status, 500);
      assert.equal(r.body, '{"message":"Internal Server Error"}');
      assert.equal(r.lines.length, 1);
      const line = r.lines[0] as LogLine;
      assert.equal(line.message, 'authorizer failed: The authorizer arn:aws:lambda:us-east-1:123456789012:function:throws failed (Unhandled): database is down');
      assert.equal(line.integration, 'AWS_PROXY ok');
      assert.match(String(line.stack), /^Error: database is down\n\s+at throws /);
    });

    it('an HTTP_PROXY upstream that refuses: the URL', async () => {
      const r = await failing('upstream');
      assert.equal(r.status, 500);
      assert.equal(r.body, '{"message":"Internal Server Error"}');
      assert.equal(r.lines.length, 1);
      assert.match(r.lines[0]?.message ?? '', /^integration failed: ECONNREFUSED: .*\(GET http:\/\/127\.0\.0\.1:1\/refused\)$/);
      assert.equal(r.lines[0]?.integration, 'HTTP_PROXY GET http://127.0.0.1:1/refused');
    });

    it('a rejection left unhandled after answering 200 is logged against the function; the gateway keeps serving', async () => {
      const from = s.stderr().length;
      assert.deepEqual(await get(`${base}/floating`), { status: 200, body: 'floated' });
      const [line] = (await waitForLines(s, (l) => l.function === 'floating', from)) as [LogLine];
      assert.equal(line.level, 'error');
      const kind = isolation === 'inprocess' ? 'unhandled rejection' : 'worker crashed';
      assert.equal(line.message, `function floating crashed (${kind}): Error: late rejection from floating`);
      assert.equal(line.crashes, 1);
      assert.match(String(line.stack), /handlers\.mjs/);
      assert.deepEqual(await get(`${base}/ok`), { status: 200, body: 'ok' });
    });

    it('a throw inside setTimeout, again and again: counted, never fatal', async () => {
      for (const n of [1, 2, 3]) {
        const from = s.stderr().length;
        assert.deepEqual(await get(`${base}/timer`), { status: 200, body: 'timer set' });
        const [line] = (await waitForLines(s, (l) => l.function === 'timer', from)) as [LogLine];
        const kind = isolation === 'inprocess' ? 'uncaught exception' : 'worker crashed';
        assert.equal(line.message, `function timer crashed (${kind}): Error: thrown from a timer in timer`);
        assert.equal(line.crashes, n);
      }
      assert.deepEqual(await get(`${base}/ok`), { status: 200, body: 'ok' });
    });

    it('process.exit in a handler: a Runtime.ExitError (500), logged as the function crashing; the gateway keeps serving', async () => {
      const r = await failing('exits');
      assert.equal(r.status, 500);
      assert.equal(r.body, '{"message":"Internal Server Error"}');
      const kind = isolation === 'inprocess' ? 'process.exit' : 'worker exited';
      assert.deepEqual(
        r.lines.map((l) => [l.function ?? l.route, l.message.replace(/RequestId: [0-9a-f-]{36}/, 'RequestId: ID')]),
        [
          ['exits', `function exits crashed (${kind}): Error: Runtime exited with error: exit status 3`],
          ['GET /exits', 'integration failed: Lambda function error (Unhandled): Runtime.ExitError: RequestId: ID Error: Runtime exited with error: exit status 3'],
        ],
      );
      const from = s.stderr().length;
      assert.deepEqual(await get(`${base}/exitsLater`), { status: 200, body: 'exit scheduled' });
      const [line] = (await waitForLines(s, (l) => l.function === 'exitsLater', from)) as [LogLine];
      assert.equal(line.message, `function exitsLater crashed (${kind}): Error: Runtime exited with error: exit status 4`);
      assert.deepEqual(await get(`${base}/ok`), { status: 200, body: 'ok' });
    });

    it('each function sees its own Lambda environment, also while another runs', async () => {
      const [own, plain] = await Promise.all([get(`${base}/env?wait=150`), get(`${base}/plain?wait=50`)]);
      assert.equal(own.status, 200);
      const mine = JSON.parse(own.body) as { seen: Record<string, string | null>; same: boolean; memoryLimitInMB: string; remaining: number };
      assert.deepEqual(mine.seen, {
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_LAMBDA_FUNCTION_NAME: 'env',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        _HANDLER: 'handlers.env',
        LAMBDA_TASK_ROOT: FIXTURES.replace(/\/$/, ''),
        AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
        AWS_ACCESS_KEY_ID: 'AKIDLOCALDEV',
        AWS_SECRET_ACCESS_KEY: 'local-dev-secret',
        TABLE_NAME: 'pets-table',
        GREETING: 'hello',
        HOME: null,
      });
      assert.equal(mine.same, true);
      assert.equal(mine.memoryLimitInMB, '256');
      assert.ok(mine.remaining > 1000 && mine.remaining <= 2000, `remaining ${mine.remaining} ms of the function's 2 s timeout`);
      const other = JSON.parse(plain.body) as { seen: Record<string, string | null>; same: boolean; memoryLimitInMB: string; remaining: number };
      assert.equal(other.seen.AWS_LAMBDA_FUNCTION_NAME, 'plain');
      assert.equal(other.seen.TABLE_NAME, null);
      assert.equal(other.seen.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
      assert.equal(other.same, true);
      assert.equal(other.memoryLimitInMB, '128');
      assert.ok(other.remaining > 25_000, `remaining ${other.remaining} ms of the integration's 30 s`);
    });

    it("the function's own timeout: a Sandbox.Timedout function error (500), logged", async () => {
      const r = await failing('slow', '?ms=3000');
      assert.equal(r.status, 500);
      assert.equal(r.body, '{"message":"Internal Server Error"}');
      assert.equal(r.lines.length, 1);
      assert.match(r.lines[0]?.message ?? '', /^integration failed: Lambda function error \(Unhandled\): Sandbox\.Timedout: RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
      assert.deepEqual(await get(`${base}/slow?ms=10`), { status: 200, body: 'slow done' });
    });

    it('a handler in a synchronous loop is stopped at its timeout (worker mode: the worker is replaced)', { skip: isolation === 'inprocess' ? 'in-process code that never yields cannot be stopped' : false }, async () => {
      const r = await failing('spin');
      assert.equal(r.status, 500);
      assert.equal(r.lines.length, 1);
      assert.match(r.lines[0]?.message ?? '', /^integration failed: Lambda function error \(Unhandled\): Sandbox\.Timedout: RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
      assert.deepEqual(await get(`${base}/ok`), { status: 200, body: 'ok' });
    });

    it("WebSocket routes: a failing one gives AWS's error frame and one error line with the cause; a handler's fetch reaches @connections", async () => {
      const ws = await boomApi(client);
      const url = `ws://127.0.0.1:${s.port}/_aws/execute-api/${ws}/production`;
      let alice: WebSocket | undefined;
      const end = Date.now() + 10_000;
      for (;;) {
        try {
          alice = await open(url);
          break;
        } catch (err) {
          if (Date.now() > end) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      try {
        const from = s.stderr().length;
        const frame = nextMessage(alice);
        alice.send(JSON.stringify({ action: 'boom' }));
        const answer = JSON.parse(await frame) as Record<string, unknown>;
        assert.equal(answer.message, 'Internal server error');
        const lines = await waitForLines(s, (l) => l.level === 'error' && l.route === 'boom', from);
        assert.equal(lines.length, 1);
        const line = lines[0] as LogLine;
        assert.equal(line.message, 'integration failed: Lambda function error (Unhandled): Error: database is down');
        assert.equal(line.api, ws);
        assert.equal(line.stage, 'production');
        assert.equal(line.event, 'MESSAGE');
        assert.equal(line.integration, 'AWS_PROXY throws');
        assert.match(String(line.stack), /^Error: database is down\n\s+at throws /);
        // A handler's global fetch to https://{domainName}/{stage}/@connections/{id} reaches the gateway.
        const echo = nextMessage(alice);
        alice.send(JSON.stringify({ action: 'echo', n: 1 }));
        assert.equal(await echo, 'fetched: {"action":"echo","n":1}');
      } finally {
        alice.close();
      }
    });
  });
}
