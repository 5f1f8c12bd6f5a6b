/**
 * Invoke URLs that resolve (README "Addresses"): the `apiEndpoint` the management API reports is
 * path style on the public origin by default, so Node (dns.lookup, fetch), Python (urllib) and curl
 * reach the API through it on a stock machine, where `{apiId}.execute-api.localhost` resolves only in
 * curl and browsers; `--public-url http://127.0.0.1:P` gives a working URL too; `{apiEndpoint}/{stage}`
 * reaches a named stage (HTTP and WebSocket), as Terraform and SDK users build it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import WebSocket from 'ws';
import { fixture, lambdaArn } from '../helpers/data-plane.js';
import type { TestServer } from '../helpers/server.js';
import { startServer } from '../helpers/server.js';
import { freePort } from '../helpers/net.js';

const run = promisify(execFile);


/** Whether a command runs here (python3, curl). */
async function has(command: string): Promise<boolean> {
  try {
    await run(command, ['--version']);
    return true;
  } catch {
    return false;
  }
}

describe('apiEndpoint resolves and reaches the API', () => {
  let s: TestServer;
  let endpoint: string;
  before(async () => {
    s = await startServer({ args: ['--function', `echo=${fixture('echo.mjs')}`] });
    const api = await s.client.send(new CreateApiCommand({ Name: 'resolvable', ProtocolType: 'HTTP', Target: lambdaArn('echo') }));
    endpoint = api.ApiEndpoint as string;
  });
  after(() => s.close());

  it('is path style on http://localhost:{port}', () => {
    assert.match(endpoint, new RegExp(`^http://localhost:${s.gatehouse.port}/_aws/execute-api/[a-z0-9]{10}$`));
  });

  it("Node's dns.lookup resolves its host, and fetch gets the function's answer", async () => {
    const url = new URL(endpoint);
    const address = await lookup(url.hostname);
    assert.ok(['127.0.0.1', '::1'].includes(address.address), address.address);
    const res = await fetch(`${endpoint}/pets?x=1`);
    assert.equal(res.status, 200);
    const event = (await res.json()) as { rawPath: string; rawQueryString: string; routeKey: string };
    assert.deepEqual([event.rawPath, event.rawQueryString, event.routeKey], ['/pets', 'x=1', '$default']);
  });

  it('Python (urllib) and curl reach it as well', async (t) => {
    if (await has('python3')) {
      const { stdout } = await run('python3', ['-c', 'import sys, urllib.request; r = urllib.request.urlopen(sys.argv[1]); print(r.status)', `${endpoint}/py`]);
      assert.equal(stdout.trim(), '200');
    } else t.diagnostic('python3 is not installed: not checked');
    if (await has('curl')) {
      const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${endpoint}/curl`]);
      assert.equal(stdout, '200');
    } else t.diagnostic('curl is not installed: not checked');
  });

  it('{apiEndpoint}/{stage} reaches a named stage; a WebSocket API\'s endpoint connects with ws', async () => {
    const api = await s.client.send(new CreateApiCommand({ Name: 'staged', ProtocolType: 'HTTP', Target: lambdaArn('echo') }));
    await s.client.send(new CreateStageCommand({ ApiId: api.ApiId, StageName: 'prod', AutoDeploy: true }));
    // A change deploys the auto-deploy stage.
    await s.client.send(new CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /ping' }));
    const res = await fetch(`${api.ApiEndpoint}/prod/anything`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { requestContext: { stage: string } }).requestContext.stage, 'prod');

    const ws = await s.client.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
    assert.match(ws.ApiEndpoint ?? '', new RegExp(`^ws://localhost:${s.gatehouse.port}/_aws/execute-api/${ws.ApiId}$`));
    const integration = await s.client.send(new CreateIntegrationCommand({ ApiId: ws.ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo') }));
    await s.client.send(new CreateRouteCommand({ ApiId: ws.ApiId, RouteKey: '$default', Target: `integrations/${integration.IntegrationId}` }));
    await s.client.send(new CreateStageCommand({ ApiId: ws.ApiId, StageName: 'production', AutoDeploy: true }));
    const socket = new WebSocket(`${ws.ApiEndpoint}/production`);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
    } finally {
      socket.terminate();
    }
  });
});

describe('apiEndpoint on --public-url', () => {
  it('http://127.0.0.1:P yields http://127.0.0.1:P/_aws/execute-api/{id}, which answers', async () => {
    const port = await freePort();
    const s = await startServer({ args: ['--port', String(port), '--public-url', `http://127.0.0.1:${port}`, '--function', `echo=${fixture('echo.mjs')}`] });
    try {
      const api = await s.client.send(new CreateApiCommand({ Name: 'ip', ProtocolType: 'HTTP', Target: lambdaArn('echo') }));
      assert.equal(api.ApiEndpoint, `http://127.0.0.1:${port}/_aws/execute-api/${api.ApiId}`);
      assert.equal((await fetch(`${api.ApiEndpoint}/x`)).status, 200);
    } finally {
      await s.close();
    }
  });

  it('--endpoint-style host gives AWS\'s shape on a DNS name, served by Host header', async () => {
    const s = await startServer({ args: ['--endpoint-style', 'host', '--public-url', 'https://gw.example.com', '--function', `echo=${fixture('echo.mjs')}`] });
    try {
      const api = await s.client.send(new CreateApiCommand({ Name: 'host', ProtocolType: 'HTTP', Target: lambdaArn('echo') }));
      assert.equal(api.ApiEndpoint, `https://${api.ApiId}.execute-api.gw.example.com`);
      const ws = await s.client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
      assert.equal(ws.ApiEndpoint, `wss://${ws.ApiId}.execute-api.gw.example.com`);
      // A wildcard DNS record would send the request here; the Host header is what selects the API.
      const status = await new Promise<number | undefined>((resolve, reject) =>
        get(`${s.url}/x`, { headers: { host: `${api.ApiId}.execute-api.gw.example.com` } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on('error', reject),
      );
      assert.equal(status, 200);
    } finally {
      await s.close();
    }
  });
});
