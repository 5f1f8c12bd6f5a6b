import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CreateApiCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateModelCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { connect, contextOf, lambdaArn, recorded, startWsServer, type TestSocket, type WsTestServer } from './ws-helpers.js';

const SEND_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['action', 'kind', 'text'],
  properties: { action: { type: 'string' }, kind: { enum: ['send'] }, text: { type: 'string', minLength: 1, maxLength: 10 } },
};
const JOIN_SCHEMA = { type: 'object', required: ['room'], properties: { room: { type: 'string', pattern: '^[a-z]+$' } } };
const ANY_SCHEMA = { type: 'object', required: ['ok'], properties: { ok: { enum: [true] } } };

interface ModelRoute {
  readonly key: string;
  readonly requestModels?: Record<string, string>;
  readonly modelSelectionExpression?: string;
}

/** A WebSocket API (selection `$request.body.action`) with models send/join/any and two-way routes to the `ws` fixture. */
async function createModelApi(client: ApiGatewayV2Client, routes: readonly ModelRoute[], disableSchemaValidation = false): Promise<string> {
  const apiId = (await client.send(new CreateApiCommand({ Name: 'models', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action', DisableSchemaValidation: disableSchemaValidation }))).ApiId as string;
  for (const [name, schema] of [
    ['send', SEND_SCHEMA],
    ['join', JOIN_SCHEMA],
    ['any', ANY_SCHEMA],
  ] as const) {
    await client.send(new CreateModelCommand({ ApiId: apiId, Name: name, ContentType: 'application/json', Schema: JSON.stringify(schema) }));
  }
  const lambda = (await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('ws') }))).IntegrationId as string;
  for (const spec of routes) {
    const route = await client.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: spec.key,
        Target: `integrations/${lambda}`,
        RouteResponseSelectionExpression: '$default',
        ...(spec.requestModels ? { RequestModels: spec.requestModels } : {}),
        ...(spec.modelSelectionExpression ? { ModelSelectionExpression: spec.modelSelectionExpression } : {}),
      }),
    );
    await client.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseKey: '$default' }));
  }
  const { DeploymentId } = await client.send(new CreateDeploymentCommand({ ApiId: apiId }));
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', DeploymentId }));
  return apiId;
}

/** Sends `text`, resolves to the parsed reply frame. */
async function ask(c: TestSocket, text: string): Promise<Record<string, unknown>> {
  c.ws.send(text);
  return JSON.parse(await c.next()) as Record<string, unknown>;
}

/** The number of MESSAGE events the fixture Lambda has recorded for a connection. */
const messagesOf = (connectionId: string) => recorded().filter((e) => contextOf(e).connectionId === connectionId && contextOf(e).eventType === 'MESSAGE').length;

/** The connection id of `c`, read from the Lambda event of `text` (a valid message). */
async function connectionIdOf(c: TestSocket, text: string): Promise<string> {
  const before = new Set(recorded());
  await ask(c, text);
  const event = recorded().find((e) => !before.has(e) && contextOf(e).eventType === 'MESSAGE');
  assert.ok(event, 'the valid message reached the Lambda');
  return contextOf(event).connectionId as string;
}

describe('websocket: request validation against route request models', () => {
  let s: WsTestServer;
  let apiId: string;
  let disabledApiId: string;

  before(async () => {
    s = await startWsServer();
    const routes: ModelRoute[] = [
      // selected by expression: kind "send" → send, "join" → join, otherwise the $default model (any)
      { key: 'chat', requestModels: { send: 'send', join: 'join', $default: 'any' }, modelSelectionExpression: '$request.body.kind' },
      // selected by expression with no $default key: unknown kinds are not validated
      { key: 'loose', requestModels: { join: 'join' }, modelSelectionExpression: '${request.body.kind}' },
      // no expression: the $default model applies to every message
      { key: 'strict', requestModels: { $default: 'join' } },
      // no models at all
      { key: '$default' },
    ];
    apiId = await createModelApi(s.client, routes);
    disabledApiId = await createModelApi(s.client, routes, true);
  });
  after(() => s.close());

  it('passes a valid message to the Lambda', async () => {
    const c = await connect(s.port, apiId);
    try {
      const reply = await ask(c, '{"action":"chat","kind":"send","text":"hello"}');
      assert.deepEqual(reply, { routeKey: 'chat', body: '{"action":"chat","kind":"send","text":"hello"}' });
    } finally {
      await c.close();
    }
  });

  it('answers an invalid message with the "Bad request body" frame and does not call the Lambda', async () => {
    const c = await connect(s.port, apiId);
    try {
      const connectionId = await connectionIdOf(c, '{"action":"chat","kind":"send","text":"hi"}');
      const calls = messagesOf(connectionId);
      c.ws.send('{"action":"chat","kind":"send","text":"far too long a text"}');
      const raw = await c.next();
      const frame = JSON.parse(raw) as Record<string, unknown>;
      assert.deepEqual(Object.keys(frame), ['message', 'connectionId', 'messageId']);
      assert.equal(frame.message, 'Bad request body');
      assert.equal(frame.connectionId, connectionId);
      assert.equal(typeof frame.messageId, 'string');
      assert.ok((frame.messageId as string).length > 0);
      // the connection stays usable, and the Lambda saw only the valid messages
      assert.equal((await ask(c, '{"action":"chat","kind":"send","text":"ok"}')).routeKey, 'chat');
      assert.equal(messagesOf(connectionId), calls + 1);
    } finally {
      await c.close();
    }
  });

  it('selects the model with modelSelectionExpression', async () => {
    const c = await connect(s.port, apiId);
    try {
      // kind "join" selects the join model: a room is required, text is not
      assert.equal((await ask(c, '{"action":"chat","kind":"join","room":"lobby"}')).routeKey, 'chat');
      assert.equal((await ask(c, '{"action":"chat","kind":"join","room":"Lobby!"}')).message, 'Bad request body');
      assert.equal((await ask(c, '{"action":"chat","kind":"join","text":"hi"}')).message, 'Bad request body');
      // kind "send" selects the send model: a room alone does not do
      assert.equal((await ask(c, '{"action":"chat","kind":"send","room":"lobby"}')).message, 'Bad request body');
      // ${} form of the expression on another route
      assert.equal((await ask(c, '{"action":"loose","kind":"join","room":"x1"}')).message, 'Bad request body');
      assert.equal((await ask(c, '{"action":"loose","kind":"join","room":"x"}')).routeKey, 'loose');
    } finally {
      await c.close();
    }
  });

  it('falls back to the $default model; with no $default key an unmatched selection is not validated', async () => {
    const c = await connect(s.port, apiId);
    try {
      assert.equal((await ask(c, '{"action":"chat","kind":"other","ok":true}')).routeKey, 'chat');
      assert.equal((await ask(c, '{"action":"chat","kind":"other"}')).message, 'Bad request body');
      assert.equal((await ask(c, '{"action":"chat"}')).message, 'Bad request body');
      assert.equal((await ask(c, '{"action":"loose","kind":"other"}')).routeKey, 'loose');
      assert.equal((await ask(c, '{"action":"loose"}')).routeKey, 'loose');
      // no expression: the $default model always applies
      assert.equal((await ask(c, '{"action":"strict","room":"abc"}')).routeKey, 'strict');
      assert.equal((await ask(c, '{"action":"strict"}')).message, 'Bad request body');
      // a route without models is never validated
      assert.equal((await ask(c, '{"action":"nothing"}')).routeKey, '$default');
      assert.equal((await ask(c, 'plain text')).routeKey, '$default');
    } finally {
      await c.close();
    }
  });

  it('gives each rejected message its own messageId', async () => {
    const c = await connect(s.port, apiId);
    try {
      const a = await ask(c, '{"action":"strict"}');
      const b = await ask(c, '{"action":"strict"}');
      assert.equal(a.message, 'Bad request body');
      assert.notEqual(a.messageId, b.messageId);
      assert.equal(a.connectionId, b.connectionId);
    } finally {
      await c.close();
    }
  });

  it('skips validation when the API has disableSchemaValidation', async () => {
    const c = await connect(s.port, disabledApiId);
    try {
      assert.equal((await ask(c, '{"action":"chat","kind":"send","text":"far too long a text"}')).routeKey, 'chat');
      assert.equal((await ask(c, '{"action":"strict"}')).routeKey, 'strict');
      assert.equal((await ask(c, '{"action":"chat","kind":"other"}')).routeKey, 'chat');
    } finally {
      await c.close();
    }
  });
});
