/**
 * WebSocket connections across nodes (issue 13 point 3): three nodes on one PostgreSQL store and one
 * Redis; `@connections` sent to any node reaches the connection wherever it is held; DeleteConnection
 * runs `$disconnect` once, on the holder; a node killed with SIGKILL has its connections answer 410
 * `GoneException` within three heartbeats.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { quietLogger } from '../../src/logger.js';
import { createServer, type Gatehouse } from '../../src/server.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { sdkClient } from '../helpers/server.js';
import { connect, contextOf, createWsApi, HANDLERS, managementClient, recorded, type TestSocket } from './websocket/ws-helpers.js';

const POSTGRES = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NODE_SCRIPT = fileURLToPath(new URL('../../../test/fixtures/cluster/node.mjs', import.meta.url));
const HEARTBEAT_MS = 200;

async function idOf(c: TestSocket): Promise<string> {
  c.ws.send('{"action":"inspect"}');
  return contextOf(JSON.parse(await c.next()) as Record<string, unknown>).connectionId as string;
}

/** Connects once the node has compiled the API's stage (change feed). */
async function connectWhenServed(port: number, apiId: string): Promise<TestSocket> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await connect(port, apiId);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('WebSocket connections across three nodes (PostgreSQL + Redis)', () => {
  it('@connections on any node reaches the holder; $disconnect runs once; a killed node\'s connections are gone within three heartbeats', async () => {
    const schema = `gh_wscluster_${randomBytes(4).toString('hex')}`;
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'gh-wscluster-')));
    const start = async (dir: string) =>
      createServer({
        config: loadConfig(['--port', '0', '--data-dir', dir, '--redis', REDIS, '--function', `ws=${HANDLERS}#handler`], {}),
        store: await openPostgresStore(POSTGRES, { schema }),
        logger: quietLogger,
        accessLog: () => undefined,
        websocket: { heartbeatMs: HEARTBEAT_MS },
        redis: { commandTimeoutMs: 2_000 },
      });
    const a: Gatehouse = await start(dirs[0] as string);
    const b: Gatehouse = await start(dirs[1] as string);
    // Node C runs in a process of its own, so that it can be killed.
    const c = spawn(process.execPath, [NODE_SCRIPT], {
      env: { ...process.env, GATEHOUSE_TEST_SCHEMA: schema, GATEHOUSE_TEST_REDIS: REDIS, GATEHOUSE_TEST_HEARTBEAT_MS: String(HEARTBEAT_MS), GATEHOUSE_TEST_DATA_DIR: dirs[2] as string, GATEHOUSE_TEST_HANDLERS: HANDLERS },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const sockets: TestSocket[] = [];
    const clients: ApiGatewayManagementApiClient[] = [];
    const control = sdkClient(a.url);
    const redis = new Redis(REDIS);
    try {
      const cPort = await new Promise<number>((resolve, reject) => {
        let out = '';
        c.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /listening (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        c.once('exit', (code) => reject(new Error(`node C exited with ${code}`)));
      });
      const apiId = await createWsApi(control, [{ key: '$connect' }, { key: '$disconnect' }, { key: '$default', twoWay: true }, { key: 'inspect', twoWay: true }]);
      const onA = managementClient(a.port, apiId);
      const onB = managementClient(b.port, apiId);
      clients.push(onA, onB);

      // A client held by node C, reached through A and B.
      const held = await connectWhenServed(cPort, apiId);
      sockets.push(held);
      const heldId = await idOf(held);
      // A second client on C that nobody asks about: its registry entry must still go when C dies.
      const idle = await connectWhenServed(cPort, apiId);
      sockets.push(idle);
      const idleId = await idOf(idle);
      const cNode = await redis.hget(`gatehouse:conn:${idleId}`, 'node');
      assert.ok(cNode, 'node C registered its connection');
      assert.ok(await redis.sismember(`gatehouse:held:${cNode}`, idleId));
      assert.equal((await onA.send(new PostToConnectionCommand({ ConnectionId: heldId, Data: new TextEncoder().encode('{"via":"A"}') }))).$metadata.httpStatusCode, 200);
      assert.equal(await held.next(), '{"via":"A"}');
      const info = await onB.send(new GetConnectionCommand({ ConnectionId: heldId }));
      assert.equal(info.$metadata.httpStatusCode, 200);
      assert.equal(info.Identity?.SourceIp, '127.0.0.1');
      assert.ok(info.ConnectedAt instanceof Date);

      // A client held by node B (in this process), deleted through A: $disconnect runs once, on B.
      const onNodeB = await connectWhenServed(b.port, apiId);
      sockets.push(onNodeB);
      const bId = await idOf(onNodeB);
      assert.equal((await onA.send(new DeleteConnectionCommand({ ConnectionId: bId }))).$metadata.httpStatusCode, 204);
      assert.equal((await onNodeB.closed).code, 1000);
      await new Promise((r) => setTimeout(r, 300));
      const disconnects = recorded().filter((e) => contextOf(e).connectionId === bId && contextOf(e).eventType === 'DISCONNECT');
      assert.equal(disconnects.length, 1, '$disconnect ran exactly once');
      await assert.rejects(onA.send(new GetConnectionCommand({ ConnectionId: bId })), GoneException);

      // Node C dies without a word: within three heartbeats its connection is gone for everybody.
      const killedAt = Date.now();
      c.kill('SIGKILL');
      let gone = false;
      while (!gone && Date.now() - killedAt < 5_000) {
        try {
          await onA.send(new PostToConnectionCommand({ ConnectionId: heldId, Data: new Uint8Array([65]) }));
          await new Promise((r) => setTimeout(r, 50));
        } catch (err) {
          if (!(err instanceof GoneException)) throw err;
          gone = true;
        }
      }
      const elapsed = Date.now() - killedAt;
      assert.ok(gone, 'the killed node\'s connection answers 410');
      assert.ok(elapsed <= 3 * HEARTBEAT_MS + 1_000, `gone after ${elapsed} ms (bound: three heartbeats of ${HEARTBEAT_MS} ms, plus the check's own time)`);
      await assert.rejects(onB.send(new GetConnectionCommand({ ConnectionId: heldId })), GoneException);

      // The surviving nodes sweep C's entries at their next beats: Redis keeps nothing of it.
      const sweepDeadline = Date.now() + 3 * HEARTBEAT_MS + 2_000;
      while ((await redis.exists(`gatehouse:conn:${idleId}`, `gatehouse:held:${cNode}`)) > 0 && Date.now() < sweepDeadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(await redis.exists(`gatehouse:conn:${idleId}`), 0, 'the dead node\'s idle connection left the registry');
      assert.equal(await redis.exists(`gatehouse:held:${cNode}`), 0, 'the dead node\'s set of connections is gone');
      assert.equal(await redis.sismember('gatehouse:nodes', cNode as string), 0, 'the dead node left the set of nodes');
    } finally {
      redis.disconnect();
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      for (const s of sockets) await s.close().catch(() => undefined);
      for (const m of clients) m.destroy();
      control.destroy();
      await Promise.all([a.close(), b.close()]);
      const admin = new pg.Client({ connectionString: POSTGRES });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
