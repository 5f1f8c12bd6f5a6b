/**
 * examples/chat-sam as the README runs it: the real CLI on the example's template (a WebSocket API
 * of AWS::ApiGatewayV2 resources over AWS::Serverless::Functions running examples/chat/chat.mjs), and
 * two `ws` clients chatting through `@connections`.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, startCli } from '../../helpers/cli.js';

const EXAMPLE = join(ROOT, 'examples/chat-sam/template.yaml');

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

const connections = (file: string): string[] => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { connectionId: string }[]).map((c) => c.connectionId) : []);

describe('examples/chat-sam', () => {
  let server: CliServer;
  let dir: string;
  let file: string;
  let url: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-chat-sam-'));
    file = join(dir, 'connections.json');
    server = await startCli(['--template', EXAMPLE, '--stack-name', 'chat-sam', '--parameter-overrides', `ConnectionsFile=${file}`, '--log-format', 'json'], {
      // As the README's shell has them (export AWS_ACCESS_KEY_ID=...): the handler's AWS SDK client signs its @connections calls.
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
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('two clients chat: $connect stores them, sendmessage broadcasts through @connections, $disconnect removes them', async () => {
    const alice = await open(url);
    const bob = await open(url);
    try {
      assert.equal(connections(file).length, 2);
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
    while (connections(file).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(connections(file), []);
  });
});
