import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { quietLogger } from '../../src/logger.js';
import { createServer } from '../../src/server.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { call, fixture, lambdaArn } from '../helpers/data-plane.js';
import { sdkClient } from '../helpers/server.js';

const URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('two nodes sharing one PostgreSQL store', () => {
  it('a route created through node A is served by node B (change feed), and survives both', async () => {
    const schema = `gh_nodes_${randomBytes(4).toString('hex')}`;
    const dirs = [mkdtempSync(join(tmpdir(), 'gh-node-a-')), mkdtempSync(join(tmpdir(), 'gh-node-b-'))];
    const start = async (dir: string) =>
      createServer({
        config: loadConfig(['--port', '0', '--data-dir', dir, '--function', `echo=${fixture('echo.mjs')}`], {}),
        store: await openPostgresStore(URL, { schema }),
        logger: quietLogger,
      });
    const a = await start(dirs[0] as string);
    const b = await start(dirs[1] as string);
    const client = sdkClient(a.url);
    try {
      const apiId = (await client.send(new CreateApiCommand({ Name: 'shared', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' }));
      await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
      await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /hello', Target: `integrations/${IntegrationId}` }));
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await call(b.port, apiId, 'GET', '/hello')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(status, 200, 'node B serves the route node A created');
      const fromB = sdkClient(b.url);
      assert.deepEqual((await fromB.send(new GetRoutesCommand({ ApiId: apiId }))).Items?.map((r) => r.RouteKey), ['GET /hello']);
      fromB.destroy();
    } finally {
      client.destroy();
      await a.close();
      await b.close();
      const admin = new pg.Client({ connectionString: URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
