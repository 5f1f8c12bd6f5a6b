import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateApiCommand, GetApisCommand } from '@aws-sdk/client-apigatewayv2';
import { ConfigError, loadConfig } from '../../src/config.js';
import { rejectsAws } from '../helpers/assert-aws.js';
import type { TestServer } from '../helpers/server.js';
import { rawRequest, sdkClient, startServer } from '../helpers/server.js';

const ELSEWHERE = 'The management API is not served on this listener; use the admin listener (--admin-port)';

describe('--admin-port: the management API on its own listener', () => {
  let s: TestServer;
  let adminUrl: string;
  before(async () => {
    s = await startServer({ args: ['--admin-port', '0'] });
    adminUrl = s.gatehouse.adminUrl as string;
  });
  after(() => s.close());

  it('exposes the admin listener on loopback, on another port', () => {
    assert.match(adminUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(adminUrl, `http://127.0.0.1:${s.gatehouse.adminPort}`);
    assert.notEqual(s.gatehouse.adminPort, s.gatehouse.port);
  });

  it('CreateApi and GetApis work on the admin listener; endpoints still name the main port', async () => {
    const admin = sdkClient(adminUrl);
    try {
      const api = await admin.send(new CreateApiCommand({ Name: 'admin', ProtocolType: 'HTTP' }));
      assert.equal(api.ApiEndpoint, `http://localhost:${s.gatehouse.port}/_aws/execute-api/${api.ApiId}`);
      assert.ok((await admin.send(new GetApisCommand({}))).Items?.some((a) => a.ApiId === api.ApiId));
    } finally {
      admin.destroy();
    }
  });

  it('the main listener answers management calls with a 404 NotFoundException pointing at the admin listener', async () => {
    await rejectsAws(s.client.send(new GetApisCommand({})), 'NotFoundException', ELSEWHERE, 404);
    const res = await rawRequest(s.url, 'POST', '/v2/apis', { body: '{"name":"x","protocolType":"HTTP"}' });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-amzn-errortype'), 'NotFoundException');
    assert.deepEqual(res.json, { message: ELSEWHERE });
  });

  it('the main listener still serves health and the data plane; the admin listener serves health too', async () => {
    assert.deepEqual((await rawRequest(s.url, 'GET', '/_gatehouse/health')).json, { status: 'ok' });
    assert.deepEqual((await rawRequest(adminUrl, 'GET', '/_gatehouse/health')).json, { status: 'ok' });
    const dataPlane = await rawRequest(s.url, 'GET', '/_aws/execute-api/abcdef1234/prod/pets');
    assert.notDeepEqual(dataPlane.json, { message: ELSEWHERE });
    assert.equal(dataPlane.headers.get('x-amzn-errortype'), null);
  });

  it('the admin listener does not serve the data plane', async () => {
    const res = await rawRequest(adminUrl, 'GET', '/_aws/execute-api/abcdef1234/prod/pets');
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-amzn-errortype'), 'NotFoundException');
    assert.match((res.json as { message: string }).message, /management API matches GET \/_aws\/execute-api\/abcdef1234\/prod\/pets$/);
  });
});

describe('--admin-port with credentials', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ args: ['--admin-port', '0'], env: { GATEHOUSE_CREDENTIALS: 'AKIDADMIN:admin-secret' } });
  });
  after(() => s.close());

  it('enforces SigV4 on the admin listener', async () => {
    const signed = sdkClient(s.gatehouse.adminUrl as string, { credentials: { accessKeyId: 'AKIDADMIN', secretAccessKey: 'admin-secret' } });
    const unknown = sdkClient(s.gatehouse.adminUrl as string);
    try {
      await signed.send(new GetApisCommand({}));
      await rejectsAws(unknown.send(new GetApisCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
    } finally {
      signed.destroy();
      unknown.destroy();
    }
  });
});

describe('--admin-port lifecycle and configuration', () => {
  it('close() closes both listeners', async () => {
    const s = await startServer({ args: ['--admin-port', '0'] });
    const adminUrl = s.gatehouse.adminUrl as string;
    assert.equal((await rawRequest(adminUrl, 'GET', '/_gatehouse/health')).status, 200);
    await s.close();
    await assert.rejects(fetch(`${adminUrl}/_gatehouse/health`));
    await assert.rejects(fetch(`${s.url}/_gatehouse/health`));
  });

  it('without --admin-port there is no admin listener and the main one serves the management API', async () => {
    const s = await startServer();
    try {
      assert.equal(s.gatehouse.adminUrl, undefined);
      assert.equal(s.gatehouse.adminPort, undefined);
      await s.client.send(new GetApisCommand({}));
    } finally {
      await s.close();
    }
  });

  it('parses --admin-port / GATEHOUSE_ADMIN_PORT and --admin-host / GATEHOUSE_ADMIN_HOST', () => {
    assert.equal(loadConfig([], {}).admin, undefined);
    assert.deepEqual(loadConfig(['--admin-port', '9001'], {}).admin, { port: 9001, host: '127.0.0.1' });
    assert.deepEqual(loadConfig([], { GATEHOUSE_ADMIN_PORT: '9001', GATEHOUSE_ADMIN_HOST: '::1' }).admin, { port: 9001, host: '::1' });
    assert.equal(loadConfig(['--admin-host', '0.0.0.0'], {}).admin, undefined, 'the host alone does not enable the listener');
    assert.equal(loadConfig(['--admin-port='], { GATEHOUSE_ADMIN_PORT: '9001' }).admin, undefined);
  });

  it('rejects a bad admin port, or the main port again', () => {
    const rejects = (argv: string[], message: string) =>
      assert.throws(() => loadConfig(argv, {}), (err: unknown) => err instanceof ConfigError && err.message === message);
    rejects(['--admin-port', 'http'], '--admin-port / GATEHOUSE_ADMIN_PORT must be a port number 0-65535, got "http"');
    rejects(['--admin-port', '70000'], '--admin-port / GATEHOUSE_ADMIN_PORT must be a port number 0-65535, got "70000"');
    rejects(['--admin-port', '4580'], '--admin-port / GATEHOUSE_ADMIN_PORT must differ from --port (4580)');
    rejects(['--admin-port', '9001', '--admin-host='], '--admin-host / GATEHOUSE_ADMIN_HOST must not be empty');
  });
});
