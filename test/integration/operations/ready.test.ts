/**
 * /_gatehouse/ready on a real server: 200 when the store answers, the stages are compiled and the
 * server is not draining; 503 naming the failed check when the store is closed or a drain began.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { call } from '../../helpers/data-plane.js';
import { rawRequest, sdkClient, startServer } from '../../helpers/server.js';
import { startUpstream } from '../../helpers/upstream.js';

describe('operations: /_gatehouse/ready', () => {
  it('answers 200 with every check ok, then 503 naming the store once it cannot be reached', async () => {
    const s = await startServer();
    try {
      const ready = await rawRequest(s.url, 'GET', '/_gatehouse/ready');
      assert.equal(ready.status, 200);
      assert.deepEqual(ready.json, { status: 'ready', checks: { store: 'ok', snapshots: 'ok', draining: 'ok' } });
      await s.gatehouse.store.close();
      const down = await rawRequest(s.url, 'GET', '/_gatehouse/ready');
      assert.equal(down.status, 503);
      assert.deepEqual(down.json, { status: 'not ready', failed: ['store'], checks: { store: 'The database connection is not open', snapshots: 'ok', draining: 'ok' } });
      assert.equal((await rawRequest(s.url, 'GET', '/_gatehouse/health')).status, 200, 'health (liveness) does not depend on the store');
    } finally {
      await s.close();
    }
  });

  it('answers 503 "draining" from the moment close() begins, while an in-flight request still completes', async () => {
    const upstream = await startUpstream();
    const s = await startServer({ args: ['--admin-port', '0', '--drain-timeout', '5000'] });
    const client = sdkClient(s.gatehouse.adminUrl as string);
    try {
      const apiId = (await client.send(new CreateApiCommand({ Name: 'drain', ProtocolType: 'HTTP' }))).ApiId as string;
      const { IntegrationId } = await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${upstream.origin}/slow`, PayloadFormatVersion: '1.0' }));
      await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /slow', Target: `integrations/${IntegrationId}` }));
      await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
      client.destroy();
      const slow = call(s.gatehouse.port, apiId, 'GET', '/slow', { headers: { 'x-upstream-delay': '600' } });
      while (upstream.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const closed = s.gatehouse.close();
      assert.equal(s.gatehouse.draining, true);
      const adminUrl = s.gatehouse.adminUrl as string;
      const during = await rawRequest(adminUrl, 'GET', '/_gatehouse/ready');
      assert.equal(during.status, 503);
      assert.deepEqual(during.json, { status: 'not ready', failed: ['draining'], checks: { store: 'ok', snapshots: 'ok', draining: 'the server is shutting down' } });
      const res = await slow;
      assert.equal(res.status, 200, 'the request in flight when the drain began is answered');
      const answered = Date.now();
      await closed;
      // The client's keep-alive connection (65 s keep-alive timeout) was closed once idle.
      assert.ok(Date.now() - answered < 2000, `the drain ended ${Date.now() - answered} ms after the last response`);
    } finally {
      client.destroy();
      await s.close();
      await upstream.close();
    }
  });
});
