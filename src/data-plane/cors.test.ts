import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { CorsConfiguration } from '../model/resources.js';
import { compileCors, type CompiledCors } from './cors.js';
import type { GatewayResponse, Invocation } from './invocation.js';

function request(method: string, headers: Record<string, string>): Invocation {
  return {
    requestId: 'id',
    requestTimeEpoch: 0,
    request: {
      method,
      path: '/pets',
      rawQueryString: '',
      headers,
      rawHeaders: Object.entries(headers).flat(),
      sourceIp: '127.0.0.1',
      protocol: 'HTTP/1.1',
      domainName: 'abc.execute-api.localhost',
      domainPrefix: 'abc',
    },
    incoming: {} as IncomingMessage,
  };
}

const preflight = (origin: string, method: string, requestHeaders?: string): Invocation =>
  request('OPTIONS', {
    origin,
    'access-control-request-method': method,
    ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
  });

function compile(config: CorsConfiguration): CompiledCors {
  const cors = compileCors(config);
  assert.ok(cors);
  return cors;
}

const FULL: CorsConfiguration = {
  allowOrigins: ['https://a.example', 'https://b.example'],
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['Authorization', 'content-type'],
  exposeHeaders: ['x-api-id', 'date'],
  maxAge: 300,
  allowCredentials: true,
};

describe('compileCors', () => {
  it('undefined when the API has no CORS configuration', () => {
    assert.equal(compileCors(undefined), undefined);
  });

  it('preflight with several allowed origins answers the single matching origin', () => {
    const res = compile(FULL).preflight(preflight('https://b.example', 'POST', 'authorization,Content-Type'));
    assert.deepEqual(res, {
      statusCode: 204,
      headers: {
        'access-control-allow-origin': 'https://b.example',
        'access-control-allow-methods': 'GET,POST',
        'access-control-allow-headers': 'authorization,content-type',
        'access-control-max-age': '300',
        'access-control-allow-credentials': 'true',
      },
    });
  });

  it('preflight from an origin not allowed: 204 without CORS headers', () => {
    assert.deepEqual(compile(FULL).preflight(preflight('https://evil.example', 'GET')), { statusCode: 204, headers: {} });
  });

  it('preflight with a method or header not allowed: 204 without CORS headers', () => {
    const cors = compile(FULL);
    assert.deepEqual(cors.preflight(preflight('https://a.example', 'DELETE')), { statusCode: 204, headers: {} });
    assert.deepEqual(cors.preflight(preflight('https://a.example', 'GET', 'x-secret')), { statusCode: 204, headers: {} });
  });

  it('origins compare case-insensitively and the request origin is echoed', () => {
    const res = compile(FULL).preflight(preflight('HTTPS://A.example', 'get'));
    assert.equal(res?.headers['access-control-allow-origin'], 'HTTPS://A.example');
  });

  it('origin * without credentials answers *', () => {
    const res = compile({ allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'] }).preflight(preflight('https://x.example', 'PATCH', 'x-a, x-b'));
    assert.equal(res?.headers['access-control-allow-origin'], '*');
    assert.equal(res?.headers['access-control-allow-methods'], '*');
    assert.equal(res?.headers['access-control-allow-headers'], 'x-a, x-b', 'headers * echoes what was requested');
    assert.equal(res?.headers['access-control-allow-credentials'], undefined);
  });

  it('methods * with credentials echoes the requested method (browsers take * literally then)', () => {
    const res = compile({ allowOrigins: ['https://a.example'], allowMethods: ['*'], allowCredentials: true }).preflight(preflight('https://a.example', 'PUT'));
    assert.equal(res?.headers['access-control-allow-methods'], 'PUT');
    assert.equal(res?.headers['access-control-allow-origin'], 'https://a.example');
  });

  it('scheme wildcards: https://* matches any https origin only', () => {
    const cors = compile({ allowOrigins: ['https://*'], allowMethods: ['GET'] });
    assert.equal(cors.preflight(preflight('https://anything.example:8443', 'GET'))?.headers['access-control-allow-origin'], 'https://anything.example:8443');
    assert.deepEqual(cors.preflight(preflight('http://anything.example', 'GET'))?.headers, {});
    const sub = compile({ allowOrigins: ['https://*.example.com'], allowMethods: ['GET'] });
    assert.equal(sub.preflight(preflight('https://app.example.com', 'GET'))?.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.deepEqual(sub.preflight(preflight('https://example.org', 'GET'))?.headers, {});
  });

  it('without allowMethods only the CORS-safelisted methods pass', () => {
    const cors = compile({ allowOrigins: ['*'] });
    const get = cors.preflight(preflight('https://a.example', 'GET'));
    assert.equal(get?.headers['access-control-allow-origin'], '*');
    assert.equal(get?.headers['access-control-allow-methods'], undefined);
    assert.deepEqual(cors.preflight(preflight('https://a.example', 'DELETE'))?.headers, {});
  });

  it('not a preflight: other methods, OPTIONS without Origin or Access-Control-Request-Method', () => {
    const cors = compile(FULL);
    assert.equal(cors.preflight(request('GET', { origin: 'https://a.example' })), undefined);
    assert.equal(cors.preflight(request('OPTIONS', { origin: 'https://a.example' })), undefined);
    assert.equal(cors.preflight(request('OPTIONS', { 'access-control-request-method': 'GET' })), undefined);
  });

  it('decorate: allowed origin gets the configured headers; backend CORS headers are overridden', () => {
    const response: GatewayResponse = {
      statusCode: 200,
      headers: {
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'DELETE',
        'access-control-expose-headers': 'x-backend',
      },
    };
    compile(FULL).decorate(request('GET', { origin: 'https://a.example' }), response);
    assert.deepEqual(response.headers, {
      'content-type': 'application/json',
      'access-control-allow-origin': 'https://a.example',
      'access-control-expose-headers': 'x-api-id,date',
      'access-control-allow-credentials': 'true',
    });
  });

  it('decorate: origin not allowed or absent still drops the backend CORS headers, adds none', () => {
    const cors = compile(FULL);
    for (const headers of [{ origin: 'https://evil.example' }, {}] as Record<string, string>[]) {
      const response: GatewayResponse = { statusCode: 200, headers: { 'access-control-allow-origin': '*', 'x-kept': '1' } };
      cors.decorate(request('GET', headers), response);
      assert.deepEqual(response.headers, { 'x-kept': '1' });
    }
  });

  it('decorate with origin *: answers * and omits expose-headers when not configured', () => {
    const response: GatewayResponse = { statusCode: 200, headers: {} };
    compile({ allowOrigins: ['*'] }).decorate(request('POST', { origin: 'https://z.example' }), response);
    assert.deepEqual(response.headers, { 'access-control-allow-origin': '*' });
  });

  it('decorate leaves the preflight answers of the same CORS untouched', () => {
    const cors = compile(FULL);
    const inv = preflight('https://a.example', 'GET', 'authorization');
    const answer = cors.preflight(inv);
    assert.ok(answer);
    const before = { ...answer.headers };
    cors.decorate(inv, answer);
    assert.deepEqual(answer.headers, before);
    assert.equal(answer.headers['access-control-allow-methods'], 'GET,POST');
  });
});
