/**
 * Cluster-wide throttling through Redis (issue 13 point 2): three Gatehouse nodes sharing one
 * PostgreSQL store and one Redis hold a stage's limits together (the burst exactly, the rate within 10%); Redis stopped mid-run leaves every
 * request served under per-node limits; Redis back, the cluster limit holds again; a stage change made
 * through node B holds on all three.
 * The Redis here is a private `redis-server` started by the test on a free port (so it can be killed).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { createServer, type Gatehouse } from '../../src/server.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { call, fixture, lambdaArn } from '../helpers/data-plane.js';
import { sdkClient } from '../helpers/server.js';
import { freePort } from '../helpers/net.js';

const POSTGRES = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The rate of `GET /rate` (requests per second) and how long it is measured. */
const RATE = 40;
const WINDOW_MS = 2_500;

/** One client per node asks `GET /rate` back to back for WINDOW_MS: what was admitted and refused, and the time it took. */
async function rateWindow(ports: readonly number[], apiId: string): Promise<{ admitted: number; refused: number; elapsedMs: number }> {
  let admitted = 0;
  let refused = 0;
  const started = Date.now();
  await Promise.all(
    ports.map(async (port) => {
      while (Date.now() - started < WINDOW_MS) {
        const status = (await call(port, apiId, 'GET', '/rate')).status;
        if (status === 200) admitted++;
        else if (status === 429) refused++;
        else throw new Error(`GET /rate answered ${status}`);
      }
    }),
  );
  return { admitted, refused, elapsedMs: Date.now() - started };
}


/** Starts `redis-server` on `port`, resolves once it accepts connections. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', reject);
  });
  return child;
}

const stopRedis = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/** Keeps what the node logs, to wait for Redis's recovery. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } as unknown as Logger & { lines: string[] };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('three nodes, one PostgreSQL store, one Redis: cluster-wide throttling', () => {
  it('holds the stage limit across the nodes, serves on per-node limits while Redis is down, and holds it again when Redis is back', async () => {
    const redisPort = await freePort();
    let redis = await startRedis(redisPort);
    const schema = `gh_cluster_${randomBytes(4).toString('hex')}`;
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'gh-cluster-')));
    const loggers = dirs.map(() => recordingLogger());
    const nodes: Gatehouse[] = [];
    try {
      for (const [i, dir] of dirs.entries()) {
        nodes.push(
          await createServer({
            config: loadConfig(['--port', '0', '--data-dir', dir, '--function', `echo=${fixture('echo.mjs')}`, '--redis', `redis://127.0.0.1:${redisPort}`], {}),
            store: await openPostgresStore(POSTGRES, { schema }),
            logger: loggers[i] as Logger,
            // A loaded machine may answer slower than the default 100 ms: this test is about the shared bucket.
            redis: { commandTimeoutMs: 2_000 },
          }),
        );
      }
      const client = sdkClient((nodes[0] as Gatehouse).url);
      const apiId = (await client.send(new CreateApiCommand({ Name: 'throttled', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }));
      await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /t', Target: `integrations/${IntegrationId}` }));
      await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /ping', Target: `integrations/${IntegrationId}` }));
      await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /rate', Target: `integrations/${IntegrationId}` }));
      // Rate 0: the burst is all there is, so the count is exact whatever the timing. GET /ping is not throttled.
      await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true, RouteSettings: { 'GET /t': { ThrottlingBurstLimit: 6, ThrottlingRateLimit: 0 }, 'GET /rate': { ThrottlingBurstLimit: 5, ThrottlingRateLimit: RATE } } }));
      client.destroy();
      const statuses = async (count: number) => {
        const out: number[] = [];
        for (let i = 0; i < count; i++) out.push((await call((nodes[i % 3] as Gatehouse).port, apiId, 'GET', '/t')).status);
        return out;
      };
      // Every node has compiled the stage (change feed) before the count starts: a 404 would spoil it.
      for (const node of nodes) await until(async () => (await call(node.port, apiId, 'GET', '/ping')).status === 200, `node ${node.port} to serve the stage`);

      const together = await statuses(18);
      assert.equal(together.filter((s) => s === 200).length, 6, `one bucket of 6 for the cluster: ${together.join(' ')}`);
      assert.equal(together.filter((s) => s === 429).length, 12);

      // The rate: three clients, one per node, ask as fast as they can for WINDOW_MS; the cluster admits
      // the burst plus RATE per second of the window, within 10%.
      const window = await rateWindow(nodes.map((n) => n.port), apiId);
      const expected = 5 + (RATE * window.elapsedMs) / 1000;
      assert.ok(window.refused > window.admitted, `the load exceeded the rate (${window.admitted} admitted, ${window.refused} refused)`);
      assert.ok(Math.abs(window.admitted - expected) <= expected * 0.1, `${window.admitted} admitted in ${window.elapsedMs} ms across three nodes; the stage allows ${expected.toFixed(1)} (burst 5 + ${RATE}/s), ±10%`);

      await stopRedis(redis);
      await until(() => loggers.every((l) => l.lines.some((line) => line.startsWith('warn redis: unreachable'))), 'every node to notice Redis is gone');
      const alone = await statuses(9);
      assert.deepEqual(alone, Array(9).fill(200), 'Redis down: each node serves on its own bucket (3 requests each, burst 6), nothing fails');

      redis = await startRedis(redisPort);
      await until(() => loggers.every((l) => l.lines.some((line) => line.startsWith('info redis: reachable again'))), 'every node to reconnect', 15_000);
      const again = await statuses(18);
      assert.equal(again.filter((s) => s === 200).length, 6, `Redis back (empty): one fresh cluster bucket of 6: ${again.join(' ')}`);

      // A stage change made through node B (new limits, so a new cluster bucket of 5) holds on A and C too.
      const fromB = sdkClient((nodes[1] as Gatehouse).url);
      await fromB.send(new UpdateStageCommand({ ApiId: apiId, StageName: '$default', RouteSettings: { 'GET /t': { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 0 } } }));
      fromB.destroy();
      // Each node admits one request once it compiled the change (its old bucket is empty): three of the five tokens.
      for (const node of nodes) await until(async () => (await call(node.port, apiId, 'GET', '/t')).status === 200, `node ${node.port} to apply the stage change made on B`);
      const changed = await statuses(9);
      assert.equal(changed.filter((s) => s === 200).length, 2, `the two tokens left of the new bucket of 5, for the three nodes together: ${changed.join(' ')}`);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await stopRedis(redis);
      const admin = new pg.Client({ connectionString: POSTGRES });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
