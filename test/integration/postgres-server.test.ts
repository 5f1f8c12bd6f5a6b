import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateApiCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, GetRoutesCommand, GetStageCommand } from '@aws-sdk/client-apigatewayv2';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { quietLogger } from '../../src/logger.js';
import { createServer } from '../../src/server.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { call, fixture, lambdaArn } from '../helpers/data-plane.js';
import { sdkClient } from '../helpers/server.js';

const URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('three nodes sharing one PostgreSQL store', () => {
  it('a route created through A is served by B and C; a deployment made through B changes the stage on A and C; all survive', async () => {
    const schema = `gh_nodes_${randomBytes(4).toString('hex')}`;
    const dirs = ['a', 'b', 'c'].map((n) => mkdtempSync(join(tmpdir(), `gh-node-${n}-`)));
    const start = async (dir: string) =>
      createServer({
        config: loadConfig(['--port', '0', '--data-dir', dir, '--function', `echo=${fixture('echo.mjs')}`], {}),
        store: await openPostgresStore(URL, { schema }),
        logger: quietLogger,
      });
    const [a, b, c] = [await start(dirs[0] as string), await start(dirs[1] as string), await start(dirs[2] as string)];
    const client = sdkClient(a.url);
    const fromB = sdkClient(b.url);
    /** Waits (up to 2 s) until `port` answers `path` with `status`. */
    const servedWith = async (port: number, apiId: string, path: string, status: number, stage?: string) => {
      let last = 0;
      for (let i = 0; i < 100 && last !== status; i++) {
        last = (await call(port, apiId, 'GET', stage ? `/${stage}${path}` : path)).status;
        if (last !== status) await new Promise((r) => setTimeout(r, 20));
      }
      return last;
    };
    try {
      const apiId = (await client.send(new CreateApiCommand({ Name: 'shared', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }));
      await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
      await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /hello', Target: `integrations/${IntegrationId}` }));
      assert.equal(await servedWith(b.port, apiId, '/hello', 200), 200, 'node B serves the route node A created');
      assert.equal(await servedWith(c.port, apiId, '/hello', 200), 200, 'node C serves it too');
      assert.deepEqual((await fromB.send(new GetRoutesCommand({ ApiId: apiId }))).Items?.map((r) => r.RouteKey), ['GET /hello']);

      // A manually deployed stage: the route exists, but `prod` serves it only once deployed — through B.
      await client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod' }));
      assert.equal((await call(a.port, apiId, 'GET', '/prod/hello')).status, 404, 'not deployed yet');
      const { DeploymentId } = await fromB.send(new CreateDeploymentCommand({ ApiId: apiId, StageName: 'prod' }));
      assert.equal((await client.send(new GetStageCommand({ ApiId: apiId, StageName: 'prod' }))).DeploymentId, DeploymentId, 'A reads the deployment B made');
      assert.equal(await servedWith(a.port, apiId, '/hello', 200, 'prod'), 200, 'the deployment made through B is served by A');
      assert.equal(await servedWith(c.port, apiId, '/hello', 200, 'prod'), 200, 'and by C');
    } finally {
      client.destroy();
      fromB.destroy();
      await Promise.all([a.close(), b.close(), c.close()]);
      const admin = new pg.Client({ connectionString: URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** `dist/bundle/cli/main.js`, the `gatehouse` command (package.json "bin"). */
const MAIN = fileURLToPath(new globalThis.URL('../../bundle/cli/main.js', import.meta.url));
const IS_ROOT = process.getuid?.() === 0;
/** The uid and gid of the OS user `postgres` (the Debian packages create it, and a role of that name). */
const postgresAccount = (): { uid: number; gid: number } | undefined => {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
};

interface Exit {
  readonly code: number | null;
  readonly stderr: string;
}

/**
 * Runs `gatehouse serve` in a child whose environment holds PATH only (no USER, LOGNAME, PGUSER,
 * HOME), as the OS user `uid`; `onListening` gets its URL. Resolves when the child exits.
 */
function serveInChild(args: readonly string[], ids: { uid: number; gid: number }, onListening?: (url: string) => Promise<void>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--access-log', 'stderr', ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      cwd: tmpdir(),
      uid: ids.uid,
      gid: ids.gid,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let stderr = '';
    let failure: unknown;
    child.stderr.on('data', (chunk: Buffer) => {
      const before = stderr;
      stderr += chunk.toString('utf8');
      const line = stderr.split('\n').find((l) => l.includes('"message":"gatehouse listening"'));
      if (line && !before.includes('"message":"gatehouse listening"') && onListening) {
        onListening((JSON.parse(line) as { url: string }).url)
          .catch((error: unknown) => (failure = error))
          .finally(() => child.kill('SIGTERM'));
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (failure) reject(failure as Error);
      else resolve({ code, stderr });
    });
  });
}

describe('--store with a PostgreSQL URL that names no user, started without USER or PGUSER', () => {
  const skip = IS_ROOT ? false : 'runs the server as other OS users, which needs root';

  it('connects as the OS user, as libpq does (os.userInfo(), not $USER)', { skip }, async () => {
    const account = postgresAccount();
    assert.ok(account, 'the PostgreSQL packages create the OS user postgres');
    const schema = `gh_nouser_${randomBytes(4).toString('hex')}`;
    const dataDir = join(tmpdir(), `gh-nouser-${schema}`);
    const admin = new pg.Client({ connectionString: URL });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      let apiId = '';
      // No user in the URL; search_path keeps the child's tables in a schema of its own.
      const store = `postgres://127.0.0.1:5432/test?options=-c%20search_path%3D${schema}`;
      const exit = await serveInChild(['--data-dir', dataDir, '--store', store], account, async (url) => {
        const client = sdkClient(url);
        try {
          apiId = (await client.send(new CreateApiCommand({ Name: 'no-user', ProtocolType: 'HTTP' }))).ApiId as string;
        } finally {
          client.destroy();
        }
      });
      assert.equal(exit.code, 0, exit.stderr);
      const rows = await admin.query<{ id: string }>(`SELECT id FROM ${schema}.resources WHERE kind = 'api'`);
      assert.deepEqual(rows.rows.map((r) => r.id), [apiId], 'the API was stored through the connection made as the OS user');
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stops start-up naming the setting to fix when the OS user has no name either', { skip }, async () => {
    const noPasswdEntry = { uid: 54321, gid: 54321 };
    assert.equal(readFileSync('/etc/passwd', 'utf8').includes(':54321:'), false);
    const exit = await serveInChild(['--data-dir', join(tmpdir(), 'gh-nouser-none'), '--store', 'postgres://127.0.0.1:5432/test'], noPasswdEntry);
    assert.equal(exit.code, 2, exit.stderr);
    assert.equal(
      exit.stderr.trim().split('\n').at(-1),
      'gatehouse: --store / GATEHOUSE_STORE: the PostgreSQL URL names no user, and none can be found (PGUSER and USER are unset and the OS user has no name): put the user in the URL (postgres://USER@127.0.0.1:5432/test) or set PGUSER',
    );
  });
});
