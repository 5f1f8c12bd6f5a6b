/**
 * examples/chat-sam as the README runs it: examples/chat/local-table.mjs with the template's table,
 * the real CLI on the example's template (a WebSocket API of AWS::ApiGatewayV2 resources over
 * AWS::Serverless::Functions running examples/chat/chat.mjs, a DynamoDB table of connections) with
 * DynamoDbEndpoint pointing at the stand-in, and two `ws` clients chatting through `@connections`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import WebSocket from 'ws';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, startCli } from '../../helpers/cli.js';
import { startLocalTable, type LocalTable } from '../../helpers/local-table.js';

const EXAMPLE = join(ROOT, 'examples/chat-sam/template.yaml');
const TABLE = 'chat-sam-connections';

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

const nextMessage = (ws: WebSocket, ms = 10_000) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), ms);
    ws.once('message', (data) => {
      clearTimeout(timer);
      resolve(String(data));
    });
  });

describe('examples/chat-sam', () => {
  let server: CliServer;
  let table: LocalTable;
  let dynamo: DynamoDBClient;
  let url: string;
  const stored = async () => ((await dynamo.send(new ScanCommand({ TableName: TABLE }))).Items ?? []).map((item) => item.connectionId?.S as string);

  before(async () => {
    table = await startLocalTable([`${TABLE}=connectionId`]);
    dynamo = new DynamoDBClient({ endpoint: table.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    server = await startCli(['--template', EXAMPLE, '--stack-name', 'chat-sam', '--parameter-overrides', `DynamoDbEndpoint=${table.url}`, '--log-format', 'json'], {
      // As the README's shell has them (export AWS_ACCESS_KEY_ID=...): the handlers' AWS SDK clients sign their calls.
      env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    });
    const apis = (await (await fetch(`${server.url}/v2/apis`)).json()) as { items: { apiId: string; name: string; protocolType: string; apiEndpoint: string }[] };
    assert.deepEqual(apis.items.map((a) => [a.name, a.protocolType]), [['chat-sam-websocket', 'WEBSOCKET']]);
    const api = apis.items[0] as { apiId: string; apiEndpoint: string };
    const routes = (await (await fetch(`${server.url}/v2/apis/${api.apiId}/routes`)).json()) as { items: { routeKey: string }[] };
    assert.deepEqual(routes.items.map((r) => r.routeKey).sort(), ['$connect', '$disconnect', 'sendmessage']);
    const stages = (await (await fetch(`${server.url}/v2/apis/${api.apiId}/stages`)).json()) as { items: { stageName: string; deploymentId?: string }[] };
    assert.equal(stages.items.length, 1);
    assert.equal(stages.items[0]?.stageName, 'Prod');
    assert.match(stages.items[0]?.deploymentId ?? '', /^[a-z0-9]{6}$/);
    url = `${api.apiEndpoint}/Prod`;
  });
  after(async () => {
    await server?.stop();
    dynamo?.destroy();
    await table?.stop();
  });

  it('two clients chat: $connect stores them in the table, sendmessage broadcasts through @connections, $disconnect removes them', async () => {
    const alice = await open(url);
    const bob = await open(url);
    try {
      assert.equal((await stored()).length, 2);
      const heard = nextMessage(bob);
      alice.send(JSON.stringify({ action: 'sendmessage', message: 'hello from alice' }));
      assert.equal(await heard, 'hello from alice');
      const reply = nextMessage(alice);
      bob.send(JSON.stringify({ action: 'sendmessage', message: 'hi alice' }));
      assert.equal(await reply, 'hi alice');
    } finally {
      alice.close();
      bob.close();
    }
    const deadline = Date.now() + 5000;
    while ((await stored()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await stored(), []);
    assert.doesNotMatch(server.stderr(), /"level":"error"/, 'no error in the gateway log');
  });
});
