/**
 * The chat example (README "A WebSocket chat, as on AWS", issue 10's "Done when") through real
 * processes, in both isolation modes: examples/chat/local-table.mjs, `gatehouse serve` with
 * examples/chat/gatehouse.yaml (its table endpoint moved to the stand-in's free port), the chat API
 * created as the tutorial does, and two `ws` clients. examples/chat/chat.mjs is the file one deploys
 * to AWS: its DynamoDB client finds the table through AWS_ENDPOINT_URL_DYNAMODB, its management API
 * client (https://{domainName}/{stage}) reaches Gatehouse's `@connections`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import WebSocket from 'ws';
import { parse } from 'yaml';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, startCli } from '../../helpers/cli.js';
import { startLocalTable, type LocalTable } from '../../helpers/local-table.js';
import { sdkClient } from '../../helpers/server.js';

const EXAMPLE = join(ROOT, 'examples/chat');
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDLOCALDEV', AWS_SECRET_ACCESS_KEY: 'local-dev-secret' };

/** The tutorial's API: `$connect`, `$disconnect`, `$default`, `sendmessage` (route selection on `action`), stage `production`. */
async function chatApi(client: ApiGatewayV2Client): Promise<string> {
  const api = await client.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
  for (const [routeKey, fn] of [['$connect', 'connect'], ['$disconnect', 'disconnect'], ['$default', 'defaultRoute'], ['sendmessage', 'sendmessage']]) {
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:${fn}`;
    const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: arn }));
    await client.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: routeKey, Target: `integrations/${IntegrationId}` }));
  }
  await client.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: 'production', AutoDeploy: true }));
  return api.ApiId as string;
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

/** Every message `ws` receives from now on. */
function inbox(ws: WebSocket): string[] {
  const got: string[] = [];
  ws.on('message', (data: Buffer) => got.push(data.toString()));
  return got;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const isolation of ['inprocess', 'worker'] as const) {
  describe(`the chat example (--function-isolation ${isolation})`, () => {
    let table: LocalTable;
    let s: CliServer;
    let dir: string;
    let client: ApiGatewayV2Client;
    let dynamo: DynamoDBClient;

    before(async () => {
      table = await startLocalTable();
      assert.match(table.output(), /^local DynamoDB tables connections \(key connectionId\) at /m);
      dir = mkdtempSync(join(tmpdir(), 'gatehouse-chat-'));
      // examples/chat/gatehouse.yaml as it is, but for the stand-in's port and the handler paths (relative to that file).
      const example = parse(readFileSync(join(EXAMPLE, 'gatehouse.yaml'), 'utf8')) as { functions: Record<string, { handler: string; environment?: Record<string, string> }> };
      assert.deepEqual(Object.keys(example.functions), ['connect', 'disconnect', 'sendmessage', 'defaultRoute']);
      for (const fn of Object.values(example.functions)) {
        if (fn.environment) {
          assert.equal(fn.environment.AWS_ENDPOINT_URL_DYNAMODB, 'http://127.0.0.1:8000');
          fn.environment.AWS_ENDPOINT_URL_DYNAMODB = table.url;
        }
        fn.handler = join(EXAMPLE, fn.handler);
      }
      writeFileSync(join(dir, 'gatehouse.json'), JSON.stringify({ ...example, functionIsolation: isolation }));
      s = await startCli(['--config', join(dir, 'gatehouse.json'), '--log-format', 'json'], { env: CREDENTIALS });
      client = sdkClient(s.url);
      dynamo = new DynamoDBClient({ endpoint: table.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    });

    after(async () => {
      client?.destroy();
      dynamo?.destroy();
      const code = await s?.stop();
      await table?.stop();
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0);
    });

    const stored = async () => ((await dynamo.send(new ScanCommand({ TableName: 'connections' }))).Items ?? []).map((item) => item.connectionId?.S as string).sort();

    it('the stand-in answers a body that is not a JSON object as DynamoDB does, and keeps serving', async () => {
      for (const body of ['null', '5', '[]', '{']) {
        const res = await fetch(table.url, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.Scan', 'content-type': 'application/x-amz-json-1.0' }, body });
        assert.equal(res.status, 400, body);
        assert.equal(((await res.json()) as { __type: string }).__type, 'com.amazonaws.dynamodb.v20120810#SerializationException', body);
      }
      assert.deepEqual(await stored(), []);
    });

    it('A says hi, B hears it; each connection is an item in the table until it disconnects', async () => {
      const apiId = await chatApi(client);
      const url = `ws://127.0.0.1:${s.port}/_aws/execute-api/${apiId}/production`;
      const a = await until('the stage serves', async () => open(url).catch(() => undefined));
      const aHeard = inbox(a);
      const aId = await until('A is stored', async () => ((await stored()).length === 1 ? (await stored())[0] : undefined));
      const b = await open(url);
      const bHeard = inbox(b);
      const both = await until('B is stored', async () => ((await stored()).length === 2 ? stored() : undefined));
      const bId = both.find((id) => id !== aId) as string;
      assert.match(bId, /^[A-Za-z0-9_=-]+$/);

      a.send(JSON.stringify({ action: 'sendmessage', message: 'hi' }));
      await until('B hears A', () => (bHeard.length > 0 ? true : undefined));
      assert.deepEqual(bHeard, ['hi']);
      b.send(JSON.stringify({ action: 'sendmessage', message: 'hello A' }));
      await until('A hears B', () => (aHeard.length > 0 ? true : undefined));
      assert.deepEqual(aHeard, ['hello A']);
      assert.deepEqual(bHeard, ['hi'], 'the sender is not sent its own message');

      // Anything else reaches $default: how to chat, and the connection as @connections knows it.
      a.send('test');
      await until('A hears $default', () => (aHeard.length > 1 ? true : undefined));
      const [, help] = aHeard as [string, string];
      const prefix = 'Use the sendmessage route to send a message. Your info: ';
      assert.ok(help.startsWith(prefix), help);
      const yours = JSON.parse(help.slice(prefix.length)) as { ConnectedAt: string; Identity: { SourceIp: string }; LastActiveAt: string; connectionID: string };
      assert.equal(yours.connectionID, aId);
      assert.equal(yours.Identity.SourceIp, '127.0.0.1');
      assert.ok(Date.parse(yours.ConnectedAt) <= Date.parse(yours.LastActiveAt), help);
      assert.deepEqual(bHeard, ['hi']);

      b.close();
      await until("B's item is deleted", async () => ((await stored()).length === 1 ? true : undefined));
      assert.deepEqual(await stored(), [aId]);
      assert.match(table.output(), new RegExp(`^DeleteItem connections \\{"connectionId":\\{"S":"${bId.replace(/[-=]/g, '\\$&')}"\\}\\}$`, 'm'));
      a.close();
      await until("A's item is deleted", async () => ((await stored()).length === 0 ? true : undefined));

      const errors = s
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{') && (JSON.parse(l) as { level: string }).level === 'error');
      assert.deepEqual(errors, []);
    });
  });
}
