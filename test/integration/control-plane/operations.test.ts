import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HANDLERS } from '../../../src/control-plane/handlers.js';
import { OPERATIONS } from '../../../src/model/service-model.js';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest, startServer } from '../../helpers/server.js';

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** fetch() may not set Host, so this uses node:http. */
function requestWithHost(port: number, host: string, path: string): Promise<{ status: number; headers: Headers; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('operation table', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  it('knows all 77 operations of the AWS model', () => {
    assert.equal(OPERATIONS.length, 77);
    assert.equal(new Set(OPERATIONS.map((o) => o.name)).size, 77);
  });

  it('every handler is named after an operation of the model', () => {
    const names = new Set(OPERATIONS.map((o) => lowerFirst(o.name)));
    for (const name of Object.keys(HANDLERS)) assert.ok(names.has(name), `${name} is not an operation`);
    assert.ok(Object.keys(HANDLERS).length >= 27);
  });

  it('coverage: every operation of the model is implemented (77/77) and none answers NotImplementedException', async () => {
    const missing = OPERATIONS.filter((o) => !HANDLERS[lowerFirst(o.name)]).map((o) => o.name);
    assert.deepEqual(missing, []);
    for (const op of OPERATIONS) {
      const path = op.uri.replace(/\{[^}]+\}/g, 'abc');
      const res = await rawRequest(s.url, op.method, path, op.method === 'GET' || op.method === 'DELETE' ? {} : { headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.notEqual(res.status, 501, `${op.name}: ${res.text}`);
      assert.notEqual(res.headers.get('x-amzn-errortype'), 'NotImplementedException', op.name);
      assert.ok(res.status < 500, `${op.name} answered ${res.status}: ${res.text}`);
    }
  });

  it('a handler table without an operation answers 501 NotImplementedException naming it', async () => {
    const { createControlPlane } = await import('../../../src/control-plane/index.js');
    const { quietLogger } = await import('../../../src/logger.js');
    const { createServer } = await import('node:http');
    const { randomIds, systemClock } = await import('../../../src/model/ids.js');
    const handlers = { ...HANDLERS };
    delete handlers.getApis;
    const plane = createControlPlane({ store: s.gatehouse.store, config: s.config, ids: randomIds, clock: systemClock, endpoints: { apiEndpoint: () => '' }, logger: quietLogger }, handlers);
    const server = createServer(plane);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const res = await rawRequest(`http://127.0.0.1:${port}`, 'GET', '/v2/apis');
      assert.equal(res.status, 501);
      assert.equal(res.headers.get('x-amzn-errortype'), 'NotImplementedException');
      assert.equal((res.json as { message: string }).message, 'Gatehouse does not implement the GetApis operation yet');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('health answers once ready', async () => {
    const res = await rawRequest(s.url, 'GET', '/_gatehouse/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 'ok' });
  });

  it('the data plane is reached by execute-api host and by path style', async () => {
    for (const res of [
      await rawRequest(s.url, 'GET', '/_aws/execute-api/abc/prod/pets'),
      await requestWithHost(s.gatehouse.port, 'abc1234567.execute-api.localhost', '/pets'),
    ]) {
      assert.equal(res.status, 404);
      assert.deepEqual(res.json, { message: 'Not Found' });
      assert.ok(res.headers.get('apigw-requestid'));
      assert.equal(res.headers.get('x-amzn-requestid'), null, 'the data plane does not use the management header');
    }
  });
});
