import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import {
  CreateApiCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateModelCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
  GetApisCommand,
} from '@aws-sdk/client-apigatewayv2';
import { connect, lambdaArn, startWsServer, type TestSocket, type WsTestServer } from './ws-helpers.js';

/** A legal recursive model: a tree whose children are trees (recursion that descends into the message). */
const TREE = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  definitions: { node: { type: 'object', required: ['value'], properties: { value: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/node' } } } } },
  $ref: '#/definitions/node',
};

/** Up to 32 KB per frame (MAX_FRAME_BYTES): a large message goes in fragments. */
function sendFragmented(c: TestSocket, text: string): void {
  const size = 30 * 1024;
  for (let at = 0; at < text.length; at += size) c.ws.send(text.slice(at, at + size), { fin: at + size >= text.length });
}

async function ask(c: TestSocket, text: string): Promise<Record<string, unknown>> {
  sendFragmented(c, text);
  return JSON.parse(await c.next(10_000)) as Record<string, unknown>;
}

/** `{"action":"tree","value":"a","children":[{"value":"a","children":[ … ]}]}`, `levels` nodes deep. */
function treeMessage(levels: number, leaf = '{"value":"leaf"}'): string {
  return `{"action":"tree","value":"root","children":[${'{"value":"a","children":['.repeat(levels - 2)}${leaf}${']}'.repeat(levels - 2)}]}`;
}

async function createApi(client: ApiGatewayV2Client): Promise<string> {
  const apiId = (await client.send(new CreateApiCommand({ Name: 'hostile', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
  await client.send(new CreateModelCommand({ ApiId: apiId, Name: 'tree', ContentType: 'application/json', Schema: JSON.stringify(TREE) }));
  await client.send(new CreateModelCommand({ ApiId: apiId, Name: 'unique', ContentType: 'application/json', Schema: '{"type":"object","properties":{"items":{"type":"array","uniqueItems":true}}}' }));
  // A schema of another content type is stored unchecked; routes may still name it, and the data plane must cope.
  await client.send(new CreateModelCommand({ ApiId: apiId, Name: 'opaque', ContentType: 'text/plain', Schema: '{"$ref":"#"}' }));
  const lambda = (await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('ws') }))).IntegrationId as string;
  for (const [key, model] of [
    ['tree', 'tree'],
    ['unique', 'unique'],
    ['opaque', 'opaque'],
    ['$default', undefined],
  ] as const) {
    const route = await client.send(
      new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${lambda}`, RouteResponseSelectionExpression: '$default', ...(model ? { RequestModels: { $default: model } } : {}) }),
    );
    await client.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseKey: '$default' }));
  }
  const { DeploymentId } = await client.send(new CreateDeploymentCommand({ ApiId: apiId }));
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', DeploymentId }));
  return apiId;
}

describe('websocket: hostile messages against deep-but-legal models', () => {
  let s: WsTestServer;
  let apiId: string;
  let c: TestSocket;

  before(async () => {
    s = await startWsServer();
    apiId = await createApi(s.client);
    c = await connect(s.port, apiId);
  });
  after(async () => {
    await c.close();
    await s.close();
  });

  /** The server still answers: a valid message on the same connection, and the management API. */
  async function stillServing(): Promise<void> {
    const reply = await ask(c, '{"action":"tree","value":"x","children":[{"value":"y"}]}');
    assert.equal(reply.routeKey, 'tree');
    assert.ok(((await s.client.send(new GetApisCommand({}))).Items ?? []).some((a) => a.ApiId === apiId));
  }

  it('a recursive model validates nested messages through its recursion', async () => {
    assert.equal((await ask(c, treeMessage(50))).routeKey, 'tree');
    assert.equal((await ask(c, treeMessage(50, '{"value":7}'))).message, 'Bad request body');
  });

  it('a message nested thousands of levels deep fails validation ("Bad request body") and the server answers the next request', async () => {
    const hostile = treeMessage(4500); // about 115 KB, 9,000 levels of arrays and objects
    assert.ok(hostile.length < 128 * 1024);
    const reply = await ask(c, hostile);
    assert.equal(reply.message, 'Bad request body');
    await stillServing();
  });

  it('a deeply nested value in the route selection expression selects no route, and does not crash the server', async () => {
    const hostile = `{"action":${'['.repeat(60_000)}${']'.repeat(60_000)}}`;
    assert.equal((await ask(c, hostile)).routeKey, '$default');
    await stillServing();
  });

  it('uniqueItems over deeply nested items fails or passes without recursion', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    assert.equal((await ask(c, `{"action":"unique","items":[${deep(25_000)},${deep(25_000)}]}`)).message, 'Bad request body');
    assert.equal((await ask(c, `{"action":"unique","items":[${deep(25_000)},${deep(24_999)}]}`)).routeKey, 'unique');
    await stillServing();
  });

  it('a route whose model cannot be compiled (a stored self-reference) rejects its messages instead of looping', async () => {
    assert.equal((await ask(c, '{"action":"opaque"}')).message, 'Bad request body');
    await stillServing();
  });
});
