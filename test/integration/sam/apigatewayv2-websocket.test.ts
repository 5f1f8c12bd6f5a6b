/**
 * `gatehouse serve --template` on test/fixtures/sam/websocket-api.yaml: a WebSocket API of
 * AWS::ApiGatewayV2 resources (a Lambda $connect, a MOCK route with its IntegrationResponse, a
 * RouteResponse and a Model, a Deployment and the Stage that refers to it), called with a `ws` client.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { physicalId } from '../../../src/serverless/apigatewayv2.js';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, startCli } from '../../helpers/cli.js';

const TEMPLATE = join(ROOT, 'test/fixtures/sam/websocket-api.yaml');
const id = (type: string, logicalId: string) => physicalId('sam-app', `AWS::ApiGatewayV2::${type}`, logicalId);

describe('gatehouse serve --template (AWS::ApiGatewayV2 WebSocket API)', () => {
  let server: CliServer;
  let dataDir: string;
  const apiId = id('Api', 'Socket');
  const get = async (path: string) => (await (await fetch(`${server.url}/v2/apis/${apiId}${path}`)).json()) as Record<string, unknown>;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cfn-ws-'));
    server = await startCli(['--template', TEMPLATE, '--log-format', 'json'], { dataDir });
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the model, route response, integration response and deployed stage are management-API state', async () => {
    assert.deepEqual(((await get('/models')).items as { modelId: string; name: string }[]).map((m) => [m.modelId, m.name]), [[id('Model', 'PingModel'), 'PingModel']]);
    const routeId = id('Route', 'PingRoute');
    assert.deepEqual(((await get(`/routes/${routeId}/routeresponses`)).items as { routeResponseId: string; routeResponseKey: string }[]).map((r) => [r.routeResponseId, r.routeResponseKey]), [[id('RouteResponse', 'PingResponse'), '$default']]);
    const integrationId = id('Integration', 'MockIntegration');
    const responses = (await get(`/integrations/${integrationId}/integrationresponses`)).items as { integrationResponseId: string; responseTemplates: unknown }[];
    assert.deepEqual(responses.map((r) => [r.integrationResponseId, r.responseTemplates]), [[id('IntegrationResponse', 'MockResponse'), { $default: '{"pong": true}' }]]);
    const stage = await get('/stages/prod');
    assert.deepEqual(stage.stageVariables, { table: 'connections' });
    assert.match(String(stage.deploymentId), /^[a-z0-9]{6}$/);
  });

  it('connects through the Lambda $connect route and answers ping from the MOCK integration response', async () => {
    const api = (await (await fetch(`${server.url}/v2/apis/${apiId}`)).json()) as { apiEndpoint: string };
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`${api.apiEndpoint}/prod`);
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
    try {
      const reply = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
      ws.send(JSON.stringify({ action: 'ping' }));
      assert.equal(await reply, '{"pong": true}');
    } finally {
      ws.close();
    }
  });

  it('a restart writes nothing and deploys nothing', async () => {
    const before_ = (await get('/stages/prod')).deploymentId;
    await server.stop(true);
    server = await startCli(['--template', TEMPLATE, '--log-format', 'json'], { dataDir });
    assert.match(server.stderr(), /"message":"template applied".*"created":0,"updated":0,"deleted":0/);
    assert.equal((await get('/stages/prod')).deploymentId, before_);
  });
});
