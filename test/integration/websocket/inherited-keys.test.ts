/**
 * A WebSocket $connect whose query string or headers use names every JavaScript object inherits
 * (`constructor`, `__proto__`, `toString`): they are ordinary parameters of the event, and the
 * connection is accepted (it used to end in a TypeError while the event was built).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, contextOf, createWsApi, eventOf, startWsServer, type WsTestServer } from './ws-helpers.js';

describe('websocket: inherited property names in $connect', () => {
  let s: WsTestServer;
  let apiId: string;
  before(async () => {
    s = await startWsServer();
    apiId = await createWsApi(s.client, [{ key: '$connect' }, { key: 'inspect', twoWay: true }]);
  });
  after(() => s.close());

  it('query parameters and headers named constructor, __proto__ and toString reach the $connect event as given', async () => {
    const c = await connect(s.port, apiId, { path: '/prod?constructor=1&__proto__=2&toString=3&toString=4', headers: { constructor: 'c', 'x-ok': 'y' } });
    try {
      c.ws.send(JSON.stringify({ action: 'inspect' }));
      const connectionId = contextOf(JSON.parse(await c.next()) as Record<string, unknown>).connectionId as string;
      const event = await eventOf(connectionId, 'CONNECT');
      assert.equal(JSON.stringify(event.queryStringParameters), '{"constructor":"1","__proto__":"2","toString":"4"}');
      assert.equal(JSON.stringify(event.multiValueQueryStringParameters), '{"constructor":["1"],"__proto__":["2"],"toString":["3","4"]}');
      assert.equal((event.headers as Record<string, string>).constructor, 'c');
      assert.deepEqual((event.multiValueHeaders as Record<string, string[]>).constructor, ['c']);
      assert.equal((event.headers as Record<string, string>)['x-ok'], 'y');
    } finally {
      await c.close();
    }
  });
});
