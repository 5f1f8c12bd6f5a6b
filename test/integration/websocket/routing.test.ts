import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { connect, contextOf, createWsApi, eventOf, recorded, refusedStatus, startWsServer, type WsTestServer } from './ws-helpers.js';

describe('websocket: connections, routing and integrations', () => {
  let s: WsTestServer;
  let apiId: string;
  let bareApiId: string;

  before(async () => {
    s = await startWsServer();
    apiId = await createWsApi(s.client, [
      { key: '$connect' },
      { key: '$disconnect' },
      { key: '$default', twoWay: true },
      { key: 'echo', twoWay: true },
      { key: 'inspect', twoWay: true },
      { key: 'fail', twoWay: true },
      { key: 'oneway' },
      { key: 'half', expressionOnly: true },
      { key: 'mock', integration: 'mock', twoWay: true },
    ]);
    bareApiId = await createWsApi(s.client, [{ key: 'echo', twoWay: true }]);
  });
  after(() => s.close());

  it('runs $connect with headers, query string and stage variables, then accepts the connection', async () => {
    const c = await connect(s.port, apiId, { path: '/prod?name=ada&x=1&x=2', headers: { 'User-Agent': 'ws-test' } });
    try {
      c.ws.send(JSON.stringify({ action: 'inspect' }));
      const message = JSON.parse(await c.next()) as Record<string, unknown>;
      const ctx = contextOf(message);
      const connectionId = ctx.connectionId as string;
      assert.match(connectionId, /^[A-Za-z0-9_-]{15}=$/);
      const connectEvent = await eventOf(connectionId, 'CONNECT');
      const cctx = contextOf(connectEvent);
      assert.equal(cctx.routeKey, '$connect');
      assert.equal(cctx.stage, 'prod');
      assert.equal(cctx.apiId, apiId);
      assert.equal(cctx.messageDirection, 'IN');
      assert.equal(cctx.domainName, `${apiId}.execute-api.localhost`);
      assert.equal(typeof cctx.connectedAt, 'number');
      assert.match(cctx.requestTime as string, /^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
      assert.deepEqual(cctx.identity, { sourceIp: '127.0.0.1', userAgent: 'ws-test' });
      assert.deepEqual(connectEvent.queryStringParameters, { name: 'ada', x: '2' });
      assert.deepEqual(connectEvent.multiValueQueryStringParameters, { name: ['ada'], x: ['1', '2'] });
      assert.equal((connectEvent.headers as Record<string, string>)['Sec-WebSocket-Version'], '13');
      assert.deepEqual(connectEvent.stageVariables, { color: 'blue' });
      assert.equal(connectEvent.isBase64Encoded, false);
      assert.equal(connectEvent.body, undefined);
      // MESSAGE events: body, messageId, same connectedAt, no headers
      assert.equal(ctx.eventType, 'MESSAGE');
      assert.equal(ctx.routeKey, 'inspect');
      assert.equal(message.body, '{"action":"inspect"}');
      assert.equal(typeof ctx.messageId, 'string');
      assert.equal(ctx.connectedAt, cctx.connectedAt);
      assert.notEqual(ctx.requestId, cctx.requestId);
      assert.equal(message.headers, undefined);
      assert.deepEqual(message.stageVariables, { color: 'blue' });
    } finally {
      await c.close();
    }
  });

  it('selects routes by $request.body.action; unknown keys, non-JSON text and $-keys go to $default', async () => {
    const c = await connect(s.port, apiId);
    try {
      const ask = async (text: string) => {
        c.ws.send(text);
        return JSON.parse(await c.next()) as { routeKey: string; body: string };
      };
      assert.deepEqual(await ask('{"action":"echo","n":1}'), { routeKey: 'echo', body: '{"action":"echo","n":1}' });
      assert.equal((await ask('{"action":"nope"}')).routeKey, '$default');
      assert.equal((await ask('{"other":1}')).routeKey, '$default');
      assert.equal((await ask('not json')).routeKey, '$default');
      assert.equal((await ask('{"action":"$connect"}')).routeKey, '$default');
      assert.equal((await ask('{"action":"$disconnect"}')).routeKey, '$default');
    } finally {
      await c.close();
    }
  });

  it('sends the result only on two-way routes (route response + $default expression)', async () => {
    const c = await connect(s.port, apiId);
    try {
      c.ws.send('{"action":"oneway"}');
      c.ws.send('{"action":"half"}');
      c.ws.send('{"action":"mock"}');
      await new Promise((r) => setTimeout(r, 150));
      c.ws.send('{"action":"echo"}');
      assert.equal((JSON.parse(await c.next()) as { routeKey: string }).routeKey, 'echo');
      // the one-way routes did run
      assert.ok(recorded().some((e) => contextOf(e).routeKey === 'oneway'));
      assert.ok(recorded().some((e) => contextOf(e).routeKey === 'half'));
    } finally {
      await c.close();
    }
  });

  it('answers an integration failure with an "Internal server error" frame', async () => {
    const c = await connect(s.port, apiId);
    try {
      c.ws.send('{"action":"fail"}');
      const frame = JSON.parse(await c.next()) as Record<string, string>;
      assert.equal(frame.message, 'Internal server error');
      assert.match(frame.connectionId as string, /=$/);
      assert.equal(typeof frame.requestId, 'string');
      // the connection stays usable
      c.ws.send('{"action":"echo"}');
      assert.equal((JSON.parse(await c.next()) as { routeKey: string }).routeKey, 'echo');
    } finally {
      await c.close();
    }
  });

  it('answers a message no route matches (no $default) with a "Forbidden" frame; no $connect route accepts', async () => {
    const c = await connect(s.port, bareApiId);
    try {
      c.ws.send('{"action":"nothing"}');
      const frame = JSON.parse(await c.next()) as Record<string, string>;
      assert.equal(frame.message, 'Forbidden');
      assert.equal(typeof frame.connectionId, 'string');
      assert.equal(typeof frame.requestId, 'string');
      c.ws.send('{"action":"echo"}');
      assert.equal((JSON.parse(await c.next()) as { routeKey: string }).routeKey, 'echo');
    } finally {
      await c.close();
    }
  });

  it('rejects the handshake with the $connect statusCode, 500 when $connect fails', async () => {
    assert.equal(await refusedStatus(connect(s.port, apiId, { path: '/prod?reject=400' })), 400);
    assert.equal(await refusedStatus(connect(s.port, apiId, { path: '/prod?reject=302' })), 302);
    assert.equal(await refusedStatus(connect(s.port, apiId, { path: '/prod?crash=1' })), 500);
  });

  it('rejects unknown APIs and stages with 404; path-style addressing connects', async () => {
    assert.equal(await refusedStatus(connect(s.port, 'zzzzzzzzzz')), 404);
    assert.equal(await refusedStatus(connect(s.port, apiId, { path: '/nostage' })), 404);
    const c = await connect(s.port, apiId, { url: `ws://127.0.0.1:${s.port}/_aws/execute-api/${apiId}/prod` });
    try {
      c.ws.send('{"action":"echo"}');
      assert.equal((JSON.parse(await c.next()) as { routeKey: string }).routeKey, 'echo');
    } finally {
      await c.close();
    }
  });

  it('refuses (403) $connect with apiKeyRequired when the server has no API keys configured', async () => {
    const keyed = await createWsApi(s.client, [{ key: '$connect', apiKeyRequired: true }, { key: '$default', twoWay: true }]);
    assert.equal(await refusedStatus(connect(s.port, keyed, { headers: { 'x-api-key': 'anything-twenty-chars-long' } })), 403);
  });

  it('runs $disconnect after the client closes, with the close code and reason', async () => {
    const c = await connect(s.port, apiId);
    c.ws.send('{"action":"inspect"}');
    const connectionId = contextOf(JSON.parse(await c.next()) as Record<string, unknown>).connectionId as string;
    c.ws.close(4001, 'bye');
    await c.closed;
    const ctx = contextOf(await eventOf(connectionId, 'DISCONNECT'));
    assert.equal(ctx.routeKey, '$disconnect');
    assert.equal(ctx.disconnectStatusCode, 4001);
    assert.equal(ctx.disconnectReason, 'bye');
  });

  it('echoes the subprotocol $connect chose (the fixture picks the second offer, so the gateway did not pick on its own)', async () => {
    const c = await connect(s.port, apiId, { protocols: ['chat.v2', 'chat.v1'] });
    try {
      assert.equal(c.ws.protocol, 'chat.v1');
    } finally {
      await c.close();
    }
  });

  it('closes binary frames with 1003, frames over 32 KB and messages over 128 KB with 1009', async () => {
    const bin = await connect(s.port, apiId);
    bin.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await bin.closed).code, 1003);

    const big = await connect(s.port, apiId);
    big.ws.send('x'.repeat(33 * 1024));
    assert.equal((await big.closed).code, 1009);

    // fragmented: 3 × 20 KB frames (each under 32 KB, 60 KB message) is accepted
    const frag = await connect(s.port, apiId);
    try {
      const part = 'y'.repeat(20 * 1024);
      frag.ws.send(part, { fin: false });
      frag.ws.send(part, { fin: false });
      frag.ws.send(part, { fin: true });
      const reply = JSON.parse(await frag.next()) as { routeKey: string; body: string };
      assert.equal(reply.routeKey, '$default');
      assert.equal(reply.body.length, 60 * 1024);
      // 7 × 20 KB = 140 KB message
      for (let i = 0; i < 6; i++) frag.ws.send(part, { fin: false });
      frag.ws.send(part, { fin: true });
      assert.equal((await frag.closed).code, 1009);
    } finally {
      await frag.close();
    }
  });

  it('leaves upgrade requests to HTTP APIs to the HTTP data plane', async () => {
    const { ApiId } = await s.client.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }));
    const { IntegrationId } = await s.client.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: 'arn:aws:lambda:us-east-1:123456789012:function:ws', PayloadFormatVersion: '1.0' }));
    await s.client.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /hello', Target: `integrations/${IntegrationId}` }));
    await s.client.send(new CreateStageCommand({ ApiId, StageName: '$default', AutoDeploy: true }));
    await new Promise((r) => setTimeout(r, 100));
    const upgradeTo = (path: string) =>
      new Promise<{ status: number; requestId: unknown }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: s.port, path, headers: { host: `${ApiId}.execute-api.localhost`, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' } });
        req.on('response', (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, requestId: res.headers['apigw-requestid'] });
        });
        req.on('upgrade', () => reject(new Error('upgraded')));
        req.on('error', reject);
        req.end();
      });
    const missing = await upgradeTo('/nothing-here');
    assert.equal(missing.status, 404);
    assert.ok(missing.requestId, 'answered by the HTTP data plane (the WebSocket gateway sets no apigw-requestid)');
    const hello = await upgradeTo('/hello');
    assert.notEqual(hello.status, 404, 'the HTTP route was matched and its integration called');
    assert.ok(hello.requestId);
  });
});
