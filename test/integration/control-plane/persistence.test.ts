import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateApiCommand, CreateRouteCommand, GetApiCommand, GetRoutesCommand, GetIntegrationsCommand } from '@aws-sdk/client-apigatewayv2';
import { startServer } from '../../helpers/server.js';

describe('persistence', () => {
  it('everything survives a restart on the same data directory', async () => {
    const first = await startServer();
    const api = await first.client.send(new CreateApiCommand({ Name: 'durable', ProtocolType: 'HTTP', Target: 'https://example.com' }));
    await first.client.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /kept' }));
    await first.stop();

    const second = await startServer({ dataDir: first.dataDir });
    try {
      const again = await second.client.send(new GetApiCommand({ ApiId: api.ApiId }));
      assert.equal(again.Name, 'durable');
      assert.equal(again.CreatedDate?.getTime(), api.CreatedDate?.getTime());
      assert.equal(again.ApiEndpoint, `http://localhost:${second.gatehouse.port}/_aws/execute-api/${api.ApiId}`, 'the endpoint follows the new port');
      const { Items: routes } = await second.client.send(new GetRoutesCommand({ ApiId: api.ApiId }));
      assert.deepEqual(routes?.map((r) => r.RouteKey).sort(), ['$default', 'GET /kept']);
      const { Items: integrations } = await second.client.send(new GetIntegrationsCommand({ ApiId: api.ApiId }));
      assert.equal(integrations?.length, 1);
    } finally {
      await second.close();
    }
  });
});
