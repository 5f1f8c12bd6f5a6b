/**
 * Hot reload of local functions through a real `gatehouse serve`, in both isolation modes: an
 * edited handler and an edited module it imports are served on the next request, over HTTP and on
 * a WebSocket connection kept open across the edits; the reload is logged. Prints the time from
 * save to first new answer (README, "Hot reload").
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import WebSocket from 'ws';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, startCli } from '../../helpers/cli.js';
import { sdkClient } from '../../helpers/server.js';

const FIXTURE = join(ROOT, 'test/fixtures/functions/reload');
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:greeter';

/** Replaces `from` with `to` in `file` (a plain write, as most editors do). */
function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  assert.equal(text.split(from).length, 2, `${file} contains ${from} once`);
  writeFileSync(file, text.replace(from, to));
}

/** Requests back to back until `expected` comes; resolves with the ms since `since` and the count. */
async function until(get: () => Promise<string>, expected: string, since: number, timeoutMs = 10_000): Promise<{ ms: number; requests: number }> {
  let requests = 0;
  for (;;) {
    requests++;
    const body = await get();
    if (body === expected) return { ms: performance.now() - since, requests };
    if (performance.now() - since > timeoutMs) throw new Error(`still "${body}" ${timeoutMs} ms after the edit, expected "${expected}"`);
  }
}

/** The reload events in the server's JSON log from `mark` on. */
const reloads = (s: CliServer, mark: number) =>
  s
    .stderr()
    .slice(mark)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => typeof e.message === 'string' && e.message.startsWith('function greeter: '))
    .map(({ time: _time, ...rest }) => rest);

async function webSocketApi(client: ApiGatewayV2Client): Promise<string> {
  const api = await client.send(new CreateApiCommand({ Name: 'reload-ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
  const integration = await client.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: ARN }));
  const route = await client.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: '$default', Target: `integrations/${integration.IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
  await client.send(new CreateRouteResponseCommand({ ApiId: api.ApiId, RouteId: route.RouteId, RouteResponseKey: '$default' }));
  await client.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: 'live', AutoDeploy: true }));
  return `${api.ApiEndpoint}/live`;
}

for (const isolation of ['inprocess', 'worker'] as const) {
  describe(`hot reload of local functions (--function-isolation ${isolation})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-reload-'));
    const handlerFile = join(dir, 'handler.mjs');
    const messageFile = join(dir, 'message.mjs');
    let s: CliServer;
    let client: ApiGatewayV2Client;
    let httpUrl: string;
    let socket: WebSocket;
    let socketClosed = false;

    before(async () => {
      cpSync(FIXTURE, dir, { recursive: true });
      s = await startCli(['--function-isolation', isolation, '--function', `greeter=${handlerFile}#handler`]);
      client = sdkClient(s.url);
      const http = await client.send(new CreateApiCommand({ Name: 'reload-http', ProtocolType: 'HTTP', Target: ARN }));
      httpUrl = `${http.ApiEndpoint}/`;
      socket = new WebSocket(await webSocketApi(client));
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      socket.once('close', () => (socketClosed = true));
    });
    after(async () => {
      socket.close();
      client.destroy();
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const get = async () => (await fetch(httpUrl)).text();
    const ask = () =>
      new Promise<string>((resolve, reject) => {
        socket.once('message', (data: Buffer) => resolve(data.toString()));
        socket.send('{"action":"hi"}', (error) => error && reject(error));
      });

    it('serves an edited handler on the next request, over HTTP and on an open WebSocket connection; logs the reload', async (t) => {
      assert.equal(await get(), 'hello v1');
      assert.equal(await ask(), 'hello v1');
      // Baseline of the same run: a request without a reload.
      const warm = performance.now();
      await get();
      const baseline = performance.now() - warm;
      const mark = s.stderr().length;
      const saved = performance.now();
      edit(handlerFile, 'v1', 'v2');
      const { ms, requests } = await until(get, 'hello v2', saved);
      t.diagnostic(`${isolation}: save → first new answer ${ms.toFixed(1)} ms (${requests} requests; a warm request takes ${baseline.toFixed(1)} ms)`);
      assert.equal(await ask(), 'hello v2');
      assert.equal(socketClosed, false);
      assert.equal(socket.readyState, WebSocket.OPEN);
      const [first] = reloads(s, mark);
      const common = { level: 'info', message: `function greeter: ${handlerFile} changed, the next invocation runs the new code`, function: 'greeter', file: handlerFile, isolation };
      // In-process, the first reload retains one earlier generation; in worker mode the one warm worker goes.
      assert.deepEqual(first, isolation === 'inprocess' ? { ...common, generation: 1, retainedGenerations: 1 } : { ...common, replacedWorkers: 1 });
    });

    it('serves the new code when a module the handler imports is edited', async (t) => {
      const mark = s.stderr().length;
      const saved = performance.now();
      edit(messageFile, "'hello'", "'howdy'");
      const { ms } = await until(get, 'howdy v2', saved);
      t.diagnostic(`${isolation}: imported module, save → first new answer ${ms.toFixed(1)} ms`);
      assert.equal(await ask(), 'howdy v2');
      assert.equal(socket.readyState, WebSocket.OPEN);
      const [first] = reloads(s, mark);
      assert.equal(first?.message, `function greeter: ${messageFile} changed, the next invocation runs the new code`);
      assert.equal(first?.file, messageFile);
    });

    it('keeps serving after a broken edit is fixed', async () => {
      edit(handlerFile, 'export const handler', 'export const handler = ;');
      const broken = performance.now();
      // A syntax error fails the invocation (AWS's body) until the file is fixed.
      await until(async () => String((await fetch(httpUrl)).status), '500', broken);
      edit(handlerFile, 'export const handler = ;', 'export const handler');
      await until(get, 'howdy v2', performance.now());
      assert.equal(await ask(), 'howdy v2');
    });
  });
}

describe('--function-reload off', () => {
  for (const isolation of ['inprocess', 'worker'] as const) {
    it(`keeps serving the code loaded first (${isolation}) and logs no reload`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gatehouse-noreload-'));
      cpSync(FIXTURE, dir, { recursive: true });
      const s = await startCli(['--function-reload', 'off', '--function-isolation', isolation, '--function', `greeter=${join(dir, 'handler.mjs')}#handler`]);
      const client = sdkClient(s.url);
      try {
        const http = await client.send(new CreateApiCommand({ Name: 'no-reload', ProtocolType: 'HTTP', Target: ARN }));
        const get = async () => (await fetch(`${http.ApiEndpoint}/`)).text();
        assert.equal(await get(), 'hello v1');
        const mark = s.stderr().length;
        edit(join(dir, 'handler.mjs'), 'v1', 'v2');
        // Reloads take 20-400 ms (see above): a second is ample to see one that should not happen.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.equal(await get(), 'hello v1');
        assert.deepEqual(reloads(s, mark), []);
      } finally {
        client.destroy();
        await s.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
