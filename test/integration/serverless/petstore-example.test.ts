/**
 * examples/petstore-serverless as the README runs it: the real CLI on the example's serverless.yml,
 * called over HTTP (public routes, the JWT route with a token of the built-in issuer, CORS) and
 * WebSocket; a restart keeps the API ids; start-up errors are one line with exit status 2.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { CliServer } from '../../helpers/cli.js';
import { ROOT, runCli, startCli } from '../../helpers/cli.js';
import { freePort } from '../../helpers/net.js';

const EXAMPLE = join(ROOT, 'examples/petstore-serverless/serverless.yml');


interface Api {
  name: string;
  apiId: string;
  protocolType: string;
}

async function apisOf(url: string): Promise<Api[]> {
  const res = await fetch(`${url}/v2/apis`);
  const body = (await res.json()) as { items: Api[] };
  return body.items.map((a) => ({ name: a.name, apiId: a.apiId, protocolType: a.protocolType })).sort((a, b) => a.name.localeCompare(b.name));
}

describe('examples/petstore-serverless', () => {
  let server: CliServer;
  let port: number;
  let apis: Api[];
  let base: string;
  before(async () => {
    port = await freePort();
    server = await startCli(['--port', String(port), '--serverless', EXAMPLE, '--oidc-issuer', 'petstore', '--function-isolation', 'worker', '--log-format', 'json'], { env: { GATEHOUSE_PORT: String(port) } });
    apis = await apisOf(server.url);
    base = `${server.url}/_aws/execute-api/${apis[0]?.apiId}`;
  });
  after(async () => {
    await server.stop();
    // The restart below names the data directory itself, so its stop() keeps it.
    rmSync(server.dataDir, { recursive: true, force: true });
  });

  it('defines dev-petstore (HTTP) and dev-petstore-websockets, visible through the management API', () => {
    assert.deepEqual(apis.map((a) => [a.name, a.protocolType]), [
      ['dev-petstore', 'HTTP'],
      ['dev-petstore-websockets', 'WEBSOCKET'],
    ]);
  });

  it('serves the public routes with the provider environment', async () => {
    const list = await fetch(`${base}/pets`);
    assert.equal(list.status, 200);
    assert.deepEqual(await list.json(), { store: 'Gatehouse Pets', stage: 'dev', pets: [{ id: '1', name: 'Rex', type: 'dog' }, { id: '2', name: 'Tom', type: 'cat' }] });
    const one = await fetch(`${base}/pets/2`);
    assert.deepEqual(await one.json(), { id: '2', name: 'Tom', type: 'cat' });
    const none = await fetch(`${base}/pets/9`);
    assert.equal(none.status, 404);
    assert.deepEqual(await none.json(), { message: 'no pet 9' });
  });

  it('guards POST /pets with the JWT authorizer of the built-in issuer, scope pets:write', async () => {
    const anonymous = await fetch(`${base}/pets`, { method: 'POST', body: '{"name":"Bo"}' });
    assert.equal(anonymous.status, 401);
    const readOnly = await runCli(['token', '--url', server.url, '--issuer', 'petstore', '--aud', 'petstore-api', '--scope', 'pets:read']);
    const forbidden = await fetch(`${base}/pets`, { method: 'POST', body: '{"name":"Bo"}', headers: { authorization: `Bearer ${readOnly.stdout.trim()}` } });
    assert.equal(forbidden.status, 403);
    const token = await runCli(['token', '--url', server.url, '--issuer', 'petstore', '--aud', 'petstore-api', '--scope', 'pets:write', '--sub', 'alice']);
    assert.equal(token.code, 0, token.stderr);
    const created = await fetch(`${base}/pets`, { method: 'POST', body: '{"name":"Bo","type":"fish"}', headers: { authorization: `Bearer ${token.stdout.trim()}` } });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { id: '3', name: 'Bo', type: 'fish', createdBy: 'alice' });
  });

  it('answers CORS preflights (cors: true)', async () => {
    const res = await fetch(`${base}/pets`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' } });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'OPTIONS,GET,POST');
  });

  it('answers WebSocket messages on the $default route', async () => {
    const ws = new WebSocket(`${server.url.replace('http:', 'ws:')}/_aws/execute-api/${apis[1]?.apiId}/dev`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('hello pets'));
      ws.once('message', (m: Buffer) => resolve(m.toString()));
      ws.once('error', reject);
    });
    ws.close();
    const body = JSON.parse(reply) as { routeKey: string; echo: string; connectionId: string };
    assert.equal(body.routeKey, '$default');
    assert.equal(body.echo, 'hello pets');
  });

  it('a restart on the same data directory (in-process this time) serves the same API ids, each function with its own environment', async () => {
    const dataDir = server.dataDir;
    await server.stop(true);
    server = await startCli(['--port', String(port), '--serverless', EXAMPLE, '--oidc-issuer', 'petstore', '--log-format', 'json'], { env: { GATEHOUSE_PORT: String(port) }, dataDir });
    assert.deepEqual(await apisOf(server.url), apis);
    assert.match(server.stderr(), /"message":"serverless.yml applied".*"created":0,"updated":0,"deleted":0/);
    assert.equal((await fetch(`${base}/pets/1`)).status, 200);
    const list = await fetch(`${base}/pets`);
    assert.deepEqual(((await list.json()) as { store: string; stage: string }).store, 'Gatehouse Pets', "the project's environment in-process too");
  });
});

describe('--serverless start-up errors', () => {
  const FIXTURES = join(ROOT, 'test/fixtures/serverless');
  // The errors come before anything is opened: the data directory is never created.
  let parent: string;
  let dataDir: string;
  before(() => {
    parent = mkdtempSync(join(tmpdir(), 'gatehouse-sls-errors-'));
    dataDir = join(parent, 'data');
  });
  after(() => {
    assert.equal(existsSync(dataDir), false);
    rmSync(parent, { recursive: true, force: true });
  });
  it('an unsupported variable source stops start-up with one line naming the file position', async () => {
    const result = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--serverless', join(FIXTURES, 'errors/ssm-variable.yml')]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `gatehouse: ${FIXTURES}/errors/ssm-variable.yml:5:13: provider.environment.SECRET: the variable \${ssm:/app/secret} cannot be resolved: Gatehouse does not read the "ssm" variable source (it needs AWS or the Framework); replace it with a literal or \${env:NAME} (supported: \${self:...}, \${env:...}, \${opt:stage}, \${sls:stage}, \${aws:region}, \${aws:accountId}, \${file(./x.yml):path}, each with an optional fallback such as \${env:NAME, 'default'})\n`,
    );
  });

  it('--stage without --serverless is refused', async () => {
    const result = await runCli(['serve', '--port', '0', '--data-dir', dataDir, '--stage', 'prod']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'gatehouse: --stage / GATEHOUSE_STAGE applies to a serverless.yml project; add --serverless ./serverless.yml\n');
  });
});
