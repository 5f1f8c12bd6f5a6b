/**
 * PostgreSQL restarted under two Gatehouse nodes (issue 13): while writes go on, the database is
 * restarted; no write that was answered 2xx is lost, writes answered otherwise changed nothing half-way,
 * and afterwards both nodes serve again (the store reconnects, and so does node B's change feed).
 * The PostgreSQL here is a private server the test creates (initdb) and starts on a free port, as the
 * OS user postgres, so restarting it disturbs nothing else.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import { loadConfig } from '../../src/config.js';
import { quietLogger } from '../../src/logger.js';
import { createServer, type Gatehouse } from '../../src/server.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { call, fixture, lambdaArn } from '../helpers/data-plane.js';
import { sdkClient } from '../helpers/server.js';
import { freePort } from '../helpers/net.js';

const BIN = existsSync('/usr/lib/postgresql') ? join('/usr/lib/postgresql', readdirSync('/usr/lib/postgresql').sort().at(-1) as string, 'bin') : undefined;
const IS_ROOT = process.getuid?.() === 0;


/** Runs a PostgreSQL program as the OS user postgres (initdb and the server refuse root). */
const asPostgres = (program: string, args: readonly string[]) =>
  execFileSync('runuser', ['-u', 'postgres', '--', join(BIN as string, program), ...args], { stdio: 'pipe', timeout: 60_000 });

describe('PostgreSQL restarted under two nodes', { skip: !BIN || !IS_ROOT ? 'needs the PostgreSQL server binaries and root (to run them as the user postgres)' : false }, () => {
  it('loses no acknowledged write, and both nodes serve again afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-pg-restart-'));
    const owner = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const group = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(owner), Number(group));
    const data = join(dir, 'data');
    const port = await freePort();
    const pgCtl = (...args: string[]) => asPostgres('pg_ctl', ['-D', data, '-w', '-t', '30', ...args]);
    asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    pgCtl('-o', options, '-l', join(dir, 'log'), 'start');
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const dirs = [mkdtempSync(join(tmpdir(), 'gh-pgr-a-')), mkdtempSync(join(tmpdir(), 'gh-pgr-b-'))];
    const nodes: Gatehouse[] = [];
    try {
      for (const d of dirs) {
        nodes.push(
          await createServer({
            config: loadConfig(['--port', '0', '--data-dir', d, '--function', `echo=${fixture('echo.mjs')}`], {}),
            store: await openPostgresStore(url),
            logger: quietLogger,
          }),
        );
      }
      const [a, b] = nodes as [Gatehouse, Gatehouse];
      const client = sdkClient(a.url, { maxAttempts: 1 });
      const apiId = (await client.send(new CreateApiCommand({ Name: 'restart', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }));
      await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));

      // Writes, one after another, while the database restarts under them.
      const acknowledged: string[] = [];
      const refused: number[] = [];
      let i = 0;
      const write = async () => {
        const key = `GET /r${i++}`;
        try {
          await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: key, Target: `integrations/${IntegrationId}` }));
          acknowledged.push(key);
        } catch (err) {
          refused.push((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0);
        }
      };
      for (let n = 0; n < 10; n++) await write();
      const restarting = new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          try {
            pgCtl('-m', 'fast', '-o', options, '-l', join(dir, 'log'), 'restart');
            resolve();
          } catch (err) {
            reject(err as Error);
          }
        }, 50);
      });
      const until = Date.now() + 4_000;
      let restarted = false;
      void restarting.then(() => (restarted = true));
      while (!restarted || Date.now() < until) {
        await write();
        await new Promise((r) => setTimeout(r, 20));
        if (Date.now() > until + 30_000) break;
      }
      await restarting;
      // Service resumes: a write after the restart is acknowledged (a few tries while the pool reconnects).
      let resumed = false;
      for (let n = 0; n < 50 && !resumed; n++) {
        const before = acknowledged.length;
        await write();
        resumed = acknowledged.length > before;
        if (!resumed) await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(resumed, `writes resume after the restart (refused: ${refused.join(' ')})`);
      assert.ok(refused.every((status) => status === 503 || status === 429 || status === 500), `refusals during the restart are 5xx/429, not a client error: ${refused.join(' ')}`);

      // Every acknowledged write is there, read through node B.
      const fromB = sdkClient(b.url, { maxAttempts: 1 });
      const stored = new Set<string>();
      let token: string | undefined;
      do {
        const page = await fromB.send(new GetRoutesCommand({ ApiId: apiId, ...(token ? { NextToken: token } : {}) }));
        for (const r of page.Items ?? []) stored.add(r.RouteKey as string);
        token = page.NextToken;
      } while (token);
      fromB.destroy();
      const lost = acknowledged.filter((key) => !stored.has(key));
      assert.deepEqual(lost, [], `${acknowledged.length} writes acknowledged, ${refused.length} refused`);

      // Node B's change feed is back: a route created through A after the restart is served by B.
      const last = acknowledged.at(-1) as string;
      let status = 0;
      for (let n = 0; n < 100 && status !== 200; n++) {
        status = (await call(b.port, apiId, 'GET', last.slice(4))).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, `node B serves ${last}, created after the restart`);
      client.destroy();
    } finally {
      await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
