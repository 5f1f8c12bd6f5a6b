import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { connect, contextOf, createWsApi, eventOf, managementClient, recorded, type TestSocket, startWsServer, waitFor, type WsTestServer } from './ws-helpers.js';

async function idOf(c: TestSocket): Promise<string> {
  c.ws.send('{"action":"inspect"}');
  return contextOf(JSON.parse(await c.next()) as Record<string, unknown>).connectionId as string;
}

describe('websocket: the @connections API', () => {
  let s: WsTestServer;
  let apiId: string;
  let mgmt: ApiGatewayManagementApiClient;

  before(async () => {
    s = await startWsServer();
    apiId = await createWsApi(s.client, [{ key: '$connect' }, { key: '$disconnect' }, { key: '$default', twoWay: true }, { key: 'inspect', twoWay: true }]);
    mgmt = managementClient(s.port, apiId);
  });
  after(async () => {
    mgmt.destroy();
    await s.close();
  });

  it('PostToConnection delivers the data as one text message; GetConnection describes the connection', async () => {
    const c = await connect(s.port, apiId, { headers: { 'User-Agent': 'conn-test' } });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const id = await idOf(c);
      const out = await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('{"hello":"world"}') }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(await c.next(), '{"hello":"world"}');
      const info = await mgmt.send(new GetConnectionCommand({ ConnectionId: id }));
      assert.equal(info.$metadata.httpStatusCode, 200);
      assert.ok(info.ConnectedAt instanceof Date);
      assert.ok(info.LastActiveAt instanceof Date);
      assert.ok((info.LastActiveAt as Date).getTime() - (info.ConnectedAt as Date).getTime() >= 40, 'the inbound message moved LastActiveAt');
      assert.deepEqual(info.Identity, { SourceIp: '127.0.0.1', UserAgent: 'conn-test' });
    } finally {
      await c.close();
    }
  });

  it('PostToConnection: UTF-8 data goes out as a text frame, other bytes unchanged as a binary frame', async () => {
    const c = await connect(s.port, apiId);
    try {
      const id = await idOf(c);
      const frames: { data: Buffer; isBinary: boolean }[] = [];
      c.ws.on('message', (data: Buffer, isBinary: boolean) => frames.push({ data, isBinary }));
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('héllo') }));
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array([0xff, 0x00, 0x80, 0x41]) }));
      while (frames.length < 2) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(frames[0], { data: Buffer.from('héllo'), isBinary: false });
      assert.deepEqual(frames[1], { data: Buffer.from([0xff, 0x00, 0x80, 0x41]), isBinary: true }, 'not decoded as UTF-8 (which replaced the bytes with U+FFFD)');
    } finally {
      await c.close();
    }
  });

  it('DeleteConnection closes the socket (204), runs $disconnect, and the id is then gone (410)', async () => {
    const c = await connect(s.port, apiId);
    const id = await idOf(c);
    const out = await mgmt.send(new DeleteConnectionCommand({ ConnectionId: id }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    assert.equal((await c.closed).code, 1000);
    assert.equal(contextOf(await eventOf(id, 'DISCONNECT')).disconnectStatusCode, 1000);
    await assert.rejects(mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array([65]) })), (e: unknown) => {
      assert.ok(e instanceof GoneException);
      assert.equal(e.$metadata.httpStatusCode, 410);
      return true;
    });
    await assert.rejects(mgmt.send(new GetConnectionCommand({ ConnectionId: id })), GoneException);
    await assert.rejects(mgmt.send(new DeleteConnectionCommand({ ConnectionId: id })), GoneException);
  });

  it('answers 410 for unknown well-formed ids, 400 BadRequestException for malformed ones, 413 over 128 KB', async () => {
    await assert.rejects(mgmt.send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: new Uint8Array([65]) })), GoneException);
    await assert.rejects(mgmt.send(new GetConnectionCommand({ ConnectionId: 'not-an-id' })), (e: unknown) => {
      const err = e as { name: string; message: string; $metadata: { httpStatusCode: number } };
      assert.equal(err.name, 'BadRequestException');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.equal(err.message, 'Invalid connectionId: not-an-id');
      return true;
    });
    const c = await connect(s.port, apiId);
    try {
      const id = await idOf(c);
      await assert.rejects(mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array(128 * 1024 + 1) })), (e: unknown) => {
        assert.equal((e as { name: string }).name, 'PayloadTooLargeException');
        assert.equal((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 413);
        return true;
      });
      // exactly 128 KB is fine
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array(128 * 1024).fill(97) }));
      assert.equal((await c.next()).length, 128 * 1024);
    } finally {
      await c.close();
    }
  });

  it('accepts %40connections and the execute-api Host; wrong stage → 403', async () => {
    const c = await connect(s.port, apiId);
    try {
      const id = await idOf(c);
      const res = await fetch(`http://127.0.0.1:${s.port}/_aws/execute-api/${apiId}/prod/%40connections/${encodeURIComponent(id)}`, { method: 'POST', body: 'via-fetch' });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '');
      assert.equal(await c.next(), 'via-fetch');
      const other = managementClient(s.port, apiId, 'nostage');
      await assert.rejects(other.send(new GetConnectionCommand({ ConnectionId: id })), (e: unknown) => (e as { name: string }).name === 'ForbiddenException');
      other.destroy();
    } finally {
      await c.close();
    }
  });

  it('connection ids have AWS shape (16 URL-safe characters) and work unencoded in POST /{stage}/@connections/{id}', async () => {
    // AWS's ids: 11 bytes of URL-safe base64 with the pad, e.g. L0SM9cOFvHcCIhw=, HEJGadx-IAMCJPQ=
    // (see src/websocket/connection-id.test.ts for the sources); never `/`, which would split the path.
    const sockets = await Promise.all(Array.from({ length: 64 }, () => connect(s.port, apiId)));
    try {
      const ids = await Promise.all(sockets.map(idOf));
      assert.equal(new Set(ids).size, ids.length);
      for (const [i, id] of ids.entries()) {
        assert.match(id, /^[A-Za-z0-9_-]{15}=$/);
        const pathStyle = await fetch(`http://127.0.0.1:${s.port}/_aws/execute-api/${apiId}/prod/@connections/${id}`, { method: 'POST', body: `path ${i}` });
        assert.equal(pathStyle.status, 200, id);
        assert.equal(await sockets[i]!.next(), `path ${i}`);
        const hostStyle = await new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port: s.port, method: 'POST', path: `/prod/@connections/${id}`, headers: { host: `${apiId}.execute-api.localhost:${s.port}` } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(`host ${i}`);
        });
        assert.equal(hostStyle, 200, id);
        assert.equal(await sockets[i]!.next(), `host ${i}`);
      }
    } finally {
      await Promise.all(sockets.map((c) => c.close()));
    }
  });

  it('answers 410 while $connect is still running', async () => {
    const before = recorded().length;
    const pending = connect(s.port, apiId, { path: '/prod?slow=300' });
    // the connection id is only known to the $connect handler: find its CONNECT event while it sleeps
    const event = await waitFor('slow CONNECT', () => recorded().slice(before).find((e) => (e.queryStringParameters as Record<string, string> | undefined)?.slow === '300'));
    const id = contextOf(event).connectionId as string;
    await assert.rejects(mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array([65]) })), GoneException);
    const c = await pending;
    try {
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('now') }));
      assert.equal(await c.next(), 'now');
    } finally {
      await c.close();
    }
  });
});
