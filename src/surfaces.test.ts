import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiIdFromHost, surfaceOf } from './surfaces.js';

describe('apiIdFromHost', () => {
  it('reads the API id from an execute-api host', () => {
    assert.equal(apiIdFromHost('abc123.execute-api.localhost'), 'abc123');
    assert.equal(apiIdFromHost('abc123.execute-api.us-east-1.amazonaws.com'), 'abc123');
  });

  it('ignores the port', () => {
    assert.equal(apiIdFromHost('abc123.execute-api.localhost:4580'), 'abc123');
  });

  it('matches in any case and lower-cases the id', () => {
    assert.equal(apiIdFromHost('ABC123.Execute-API.LocalHost:4580'), 'abc123');
  });

  it('is undefined for other hosts', () => {
    for (const host of [undefined, '', 'localhost', 'localhost:4580', 'execute-api.localhost', 'a.b.execute-api.localhost', 'abc.execute-apix.localhost', 'abc-1.execute-api.localhost', 'abc.execute-api', `${'a'.repeat(65)}.execute-api.localhost`]) {
      assert.equal(apiIdFromHost(host), undefined, String(host));
    }
    assert.equal(apiIdFromHost(`${'a'.repeat(64)}.execute-api.localhost`), 'a'.repeat(64));
  });
});

describe('surfaceOf', () => {
  it('sends execute-api hosts to the data plane whatever the path', () => {
    assert.equal(surfaceOf('abc123.execute-api.localhost:4580', '/pets'), 'data-plane');
    assert.equal(surfaceOf('ABC123.EXECUTE-API.localhost', '/v2/apis'), 'data-plane');
    assert.equal(surfaceOf('abc123.execute-api.localhost', '/_gatehouse/health'), 'data-plane');
  });

  it('sends path-style execute-api requests to the data plane', () => {
    assert.equal(surfaceOf('localhost:4580', '/_aws/execute-api/abc123/prod/pets'), 'data-plane');
    assert.equal(surfaceOf(undefined, '/_aws/execute-api/abc123'), 'data-plane');
  });

  it('sends /_gatehouse/ paths to the internal endpoints', () => {
    assert.equal(surfaceOf('localhost:4580', '/_gatehouse/health'), 'internal');
    assert.equal(surfaceOf(undefined, '/_gatehouse/'), 'internal');
  });

  it('sends everything else to the control plane', () => {
    assert.equal(surfaceOf('localhost:4580', '/v2/apis'), 'control-plane');
    assert.equal(surfaceOf(undefined, '/'), 'control-plane');
    assert.equal(surfaceOf('localhost', '/_aws/execute-api'), 'control-plane');
    assert.equal(surfaceOf('localhost', '/_gatehouse'), 'control-plane');
    assert.equal(surfaceOf('localhost', '/v2/_aws/execute-api/abc'), 'control-plane');
    assert.equal(surfaceOf('localhost', '/_AWS/execute-api/abc'), 'control-plane');
    assert.equal(surfaceOf('execute-api.localhost', '/v2/apis'), 'control-plane');
  });
});
