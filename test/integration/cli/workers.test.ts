/**
 * `gatehouse serve --workers 2` (issue 13 point 1): two processes behind one port on one SQLite file.
 * Each request here comes on a fresh connection, so the primary deals them to the workers in turn.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { DeleteConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { startCli, type CliServer } from '../../helpers/cli.js';
import { fixture, lambdaArn } from '../../helpers/data-plane.js';
import { sdkClient } from '../../helpers/server.js';
import { parseMetrics, valueOf } from '../../helpers/metrics.js';
import { connect, contextOf, createWsApi, HANDLERS, managementClient, type TestSocket } from '../websocket/ws-helpers.js';

/** One request on a connection of its own (`agent: false`, `connection: close`). */
function fresh(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gatehouse serve --workers 2', () => {
  let s: CliServer;
  let httpApiId = '';
  before(async () => {
    // Two whole servers start at once: on a loaded machine that takes a while.
    s = await startCli(['--workers', '2', '--log-format', 'json', '--function', `echo=${fixture('echo.mjs')}`, '--function', `ws=${HANDLERS}#handler`], { startTimeoutMs: 60_000 });
    await s.waitFor(/"message":"worker started","worker":0/, 0, 60_000);
    await s.waitFor(/"message":"worker started","worker":1/, 0, 60_000);
    // Both workers listen before the first request is dealt (until then the primary deals every connection to one).
    await s.waitFor(/"message":"worker listening","worker":0/, 0, 60_000);
    await s.waitFor(/"message":"worker listening","worker":1/, 0, 60_000);
  });
  after(async () => {
    assert.equal(await s.stop(), 0, 'SIGTERM stops the primary and both workers cleanly');
  });

  it('a change made through one worker is served by both, and a stage limit holds for the two together', async () => {
    const client = sdkClient(s.url);
    const apiId = (await client.send(new CreateApiCommand({ Name: 'w', ProtocolType: 'HTTP' }))).ApiId as string;
    const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /hello', Target: `integrations/${IntegrationId}` }));
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /limited', Target: `integrations/${IntegrationId}` }));
    await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true, RouteSettings: { 'GET /limited': { ThrottlingBurstLimit: 4, ThrottlingRateLimit: 0 } } }));
    client.destroy();
    httpApiId = apiId;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await fresh(s.port, `/_aws/execute-api/${apiId}/hello`));
    assert.deepEqual(statuses, Array(8).fill(200), 'both workers serve the route the other created');
    const limited: number[] = [];
    for (let i = 0; i < 8; i++) limited.push(await fresh(s.port, `/_aws/execute-api/${apiId}/limited`));
    assert.equal(limited.filter((x) => x === 200).length, 4, `burst 4 for the group (2 a worker): ${limited.join(' ')}`);
    assert.equal(limited.filter((x) => x === 429).length, 4);

    // Each scrape reaches one worker and answers the sum over both (issue 13 point 4).
    for (const _ of [1, 2]) {
      const text = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: s.port, path: '/_gatehouse/metrics', agent: false, headers: { connection: 'close' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
      const samples = parseMetrics(text);
      const route = (key: string, statusClass: string) => ({ api_id: apiId, stage: '$default', route: key, status_class: statusClass });
      assert.equal(valueOf(samples, 'gatehouse_count', route('GET /hello', '2xx')), 8);
      assert.equal(valueOf(samples, 'gatehouse_count', route('GET /limited', '2xx')), 4);
      assert.equal(valueOf(samples, 'gatehouse_count', route('GET /limited', '4xx')), 4);
    }
  });

  it('@connections reaches a WebSocket connection whichever worker holds it', async () => {
    const client = sdkClient(s.url);
    const apiId = await createWsApi(client, [{ key: '$connect' }, { key: '$disconnect' }, { key: '$default', twoWay: true }, { key: 'inspect', twoWay: true }]);
    client.destroy();
    const mgmt = managementClient(s.port, apiId, 'prod', { fresh: true });
    const sockets: TestSocket[] = [];
    try {
      for (let i = 0; i < 4; i++) sockets.push(await connect(s.port, apiId));
      for (const [i, socket] of sockets.entries()) {
        socket.ws.send('{"action":"inspect"}');
        const id = contextOf(JSON.parse(await socket.next()) as Record<string, unknown>).connectionId as string;
        // Two calls per connection, on new connections: at least one of them lands on the other worker.
        for (const n of [1, 2]) {
          assert.equal((await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode(`{"n":${i}${n}}`) }))).$metadata.httpStatusCode, 200);
          assert.equal(await socket.next(), `{"n":${i}${n}}`);
        }
        if (i === 0) {
          assert.equal((await mgmt.send(new DeleteConnectionCommand({ ConnectionId: id }))).$metadata.httpStatusCode, 204);
          assert.equal((await socket.closed).code, 1000);
          for (const _ of [1, 2]) await assert.rejects(mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array([65]) })), GoneException);
        }
      }
    } finally {
      for (const socket of sockets) await socket.close().catch(() => undefined);
      mgmt.destroy();
    }
  });

  it('a worker killed with SIGKILL is replaced, and requests keep being served', async () => {
    const pid = Number(/"message":"worker started","worker":1,"pid":(\d+)/.exec(s.stderr())?.[1]);
    assert.ok(pid > 0);
    const mark = s.stderr().length;
    process.kill(pid, 'SIGKILL');
    await s.waitFor(/"message":"worker died; starting a replacement","worker":1/, mark, 30_000);
    const replacement = await s.waitFor(/"message":"worker started","worker":1,"pid":\d+/, mark, 30_000);
    await s.waitFor(/"message":"worker listening","worker":1/, mark, 30_000);
    assert.notEqual(Number(/"pid":(\d+)/.exec(replacement)?.[1]), pid, 'a new process took the killed worker\'s place');
    // The replacement reads the store like the others: the route created before it started is served by both.
    const deadline = Date.now() + 10_000;
    let served: number[] = [];
    do {
      served = [];
      for (let i = 0; i < 6; i++) served.push(await fresh(s.port, `/_aws/execute-api/${httpApiId}/hello`));
    } while (served.some((x) => x !== 200) && Date.now() < deadline);
    assert.deepEqual(served, Array(6).fill(200));
  });
});
