import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, contextOf, createWsApi, eventOf, startWsServer, type WsTestServer } from './ws-helpers.js';

describe('websocket: idle timeout and maximum duration', () => {
  let idle: WsTestServer;
  let max: WsTestServer;
  let idleApi: string;
  let maxApi: string;
  const routes = [{ key: '$disconnect' }, { key: 'inspect', twoWay: true }] as const;

  before(async () => {
    [idle, max] = await Promise.all([startWsServer({ idleTimeoutMs: 300 }), startWsServer({ maxDurationMs: 400 })]);
    [idleApi, maxApi] = await Promise.all([createWsApi(idle.client, routes), createWsApi(max.client, routes)]);
  });
  after(() => Promise.all([idle.close(), max.close()]));

  it('closes an idle connection with 1001 and runs $disconnect; traffic keeps it open', async () => {
    const c = await connect(idle.port, idleApi);
    c.ws.send('{"action":"inspect"}');
    const id = contextOf(JSON.parse(await c.next()) as Record<string, unknown>).connectionId as string;
    // activity every 100 ms keeps it alive past the 300 ms idle timeout (two thirds of it to spare on a loaded machine)
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 100));
      c.ws.send('{"action":"inspect"}');
      await c.next();
    }
    const started = Date.now();
    const { code } = await c.closed;
    assert.equal(code, 1001);
    assert.ok(Date.now() - started >= 200);
    assert.equal(contextOf(await eventOf(id, 'DISCONNECT')).disconnectStatusCode, 1001);
  });

  it('closes a connection at its maximum duration even when active', async () => {
    const c = await connect(max.port, maxApi);
    const started = Date.now();
    let id = '';
    const ping = setInterval(() => c.ws.readyState === c.ws.OPEN && c.ws.send('{"action":"inspect"}'), 50);
    try {
      id = contextOf(JSON.parse(await c.next()) as Record<string, unknown>).connectionId as string;
      assert.equal((await c.closed).code, 1001);
      assert.ok(Date.now() - started >= 350);
    } finally {
      clearInterval(ping);
    }
    const ctx = contextOf(await eventOf(id, 'DISCONNECT'));
    assert.equal(ctx.disconnectStatusCode, 1001);
  });

  it('closes open connections with 1001 when the server stops', async () => {
    const s = await startWsServer();
    const apiId = await createWsApi(s.client, routes);
    const c = await connect(s.port, apiId);
    c.ws.send('{"action":"inspect"}');
    const id = contextOf(JSON.parse(await c.next()) as Record<string, unknown>).connectionId as string;
    await s.close();
    assert.equal((await c.closed).code, 1001);
    assert.equal(contextOf(await eventOf(id, 'DISCONNECT')).disconnectStatusCode, 1001);
  });
});
