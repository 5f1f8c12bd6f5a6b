import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadRecorded, makeInvocation } from '../../../test/fixtures/lambda/invocation.js';
import type { ClientCertificate } from '../../tls/client-cert.js';
import type { AuthorizerResult } from '../invocation.js';
import { buildEventV1, buildEventV2, clfTime, isTextContent } from './lambda-events.js';

/** JSON round trip: what the function actually receives. */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Key paths of a JSON value (objects only; arrays are leaves), for shape comparison. */
function keyPaths(v: unknown, prefix = ''): string[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [];
  return Object.entries(v).flatMap(([k, child]) => [`${prefix}${k}`, ...keyPaths(child, `${prefix}${k}.`)]);
}

const ctx = (e: { requestContext: unknown }) => e.requestContext as Record<string, unknown>;

/** The invocation the recorded `$default` capture (apigw-v2-request-no-authorizer) was made from. */
const invocationOfCapture = (recorded: Record<string, unknown>) =>
  makeInvocation({
      method: 'GET',
      path: '/',
      apiId: 'aaaaaaaaaa',
      accountId: '123456789012',
      domainName: 'aaaaaaaaaa.execute-api.us-west-2.amazonaws.com',
      sourceIp: '1.2.3.4',
      requestId: 'LV7fzho-PHcEJPw=',
      requestTimeEpoch: 1587481701067,
      headers: Object.entries(recorded.headers as Record<string, string>),
    });

describe('buildEventV2 against recorded AWS events', () => {
  it('reproduces the real $default capture (apigw-v2-request-no-authorizer) value for value', () => {
    const { event: recorded } = loadRecorded('apigw-v2-request-no-authorizer.json');
    const inv = invocationOfCapture(recorded);
    const built = wire(buildEventV2(inv));
    // Legitimate difference: no mTLS, so no requestContext.authentication.
    const expected = wire(recorded) as { requestContext: Record<string, unknown> };
    delete expected.requestContext.authentication;
    assert.deepEqual(built, expected);
  });

  it('with mutual TLS, reproduces the same capture including requestContext.authentication.clientCert', () => {
    const { event: recorded } = loadRecorded('apigw-v2-request-no-authorizer.json');
    const clientCert = (recorded.requestContext as { authentication: { clientCert: ClientCertificate } }).authentication.clientCert;
    const inv = invocationOfCapture(recorded);
    inv.clientCert = clientCert;
    assert.deepEqual(wire(buildEventV2(inv)), wire(recorded));
    const identity = ctx(buildEventV1(inv)).identity as Record<string, unknown>;
    assert.deepEqual(identity.clientCert, clientCert, '1.0 carries it in requestContext.identity (developer guide, payload 1.0)');
    assert.equal(Object.keys(identity).at(-1), 'clientCert');
  });

  for (const file of ['apigw-v2-request-jwt-authorizer.json', 'apigw-v2-request-lambda-authorizer.json', 'apigw-v2-request-iam.json']) {
    it(`matches the shape and values of ${file}`, () => {
      const { event: recorded } = loadRecorded(file);
      // AuthorizerResult has the 2.0 layout ({jwt} | {lambda} | {iam}): the sample's own value is the input.
      const authorizer = (recorded.requestContext as { authorizer: AuthorizerResult }).authorizer;
      const inv = makeInvocation({
        method: 'GET',
        path: '/my/path',
        rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
        apiId: 'api-id',
        domainName: 'id.execute-api.us-east-1.amazonaws.com',
        sourceIp: 'IP',
        requestId: 'id',
        headers: [
          ['Header1', 'value1'],
          ['Header2', 'value2'],
          ['Cookie', 'cookie1; cookie2'],
          ['User-Agent', 'agent'],
          ['Content-Type', 'application/json'],
        ],
        pathParameters: { proxy: 'hello/world' },
        stageVariables: { stageVariable1: 'value1', stageVariable2: 'value2' },
        authorizer,
        body: '{\r\n\t"a": 1\r\n}',
        accountId: '123456789012',
      });
      const built = wire(buildEventV2(inv)) as unknown as Record<string, unknown>;
      const shape = (e: unknown) => keyPaths(e).filter((k) => !k.startsWith('headers.')).sort();
      assert.deepEqual(shape(built), shape(recorded));
      // Legitimate differences: the samples' header names are not lower-cased (real captures are),
      // and their `time` ("12/Mar/2020:19:03:58+0000") disagrees with their own timeEpoch.
      assert.deepEqual(built.headers, { header1: 'value1', header2: 'value2', 'user-agent': 'agent', 'content-type': 'application/json' });
      assert.equal(ctx(built as { requestContext: unknown }).time, '04/Mar/2020:19:03:58 +0000');
      const strip = (e: Record<string, unknown>) => {
        const copy = wire(e) as { headers?: unknown; requestContext: Record<string, unknown> };
        delete copy.headers;
        delete copy.requestContext.time;
        return copy;
      };
      assert.deepEqual(strip(built), strip(recorded));
    });
  }
});

describe('buildEventV1 against recorded AWS events', () => {
  it('reproduces the real HTTP API 1.0 capture value for value', () => {
    const { event: recorded } = loadRecorded('http-api-v1-request.json');
    const body = recorded.body as string;
    const inv = makeInvocation({
      method: 'POST',
      path: '/question',
      apiId: 'emcdxu5ijj',
      domainName: 'emcdxu5ijj.execute-api.us-east-2.amazonaws.com',
      sourceIp: '109.210.252.44',
      requestId: 'H6SdPgXtiYcEP1w=',
      requestTimeEpoch: 1689098119662,
      headers: Object.entries(recorded.headers as Record<string, string>),
      body,
      accountId: '313369169943',
    });
    assert.deepEqual(wire(buildEventV1(inv)), recorded);
  });
});

describe('paths: stages, $default, custom-domain mapping keys', () => {
  const named = makeInvocation({ method: 'GET', path: '/dev/pets/1', stageName: 'dev', routeKey: 'GET /pets/{id}', pathParameters: { id: '1' } });

  it('2.0 rawPath and http.path include the stage segment for a named stage', () => {
    const e = buildEventV2(named);
    assert.equal(e.rawPath, '/dev/pets/1');
    assert.deepEqual(ctx(e).http, { method: 'GET', path: '/dev/pets/1', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' });
    assert.equal(ctx(e).stage, 'dev');
    assert.equal(e.routeKey, 'GET /pets/{id}');
    assert.deepEqual(e.pathParameters, { id: '1' });
  });

  it('2.0 rawPath has no stage segment on $default', () => {
    const e = buildEventV2(makeInvocation({ path: '/pets/1', routeKey: 'GET /pets/{id}' }));
    assert.equal(e.rawPath, '/pets/1');
    assert.equal(ctx(e).stage, '$default');
  });

  it('1.0 path includes the stage; resource and resourcePath are the route path, resourceId the route key', () => {
    const e = buildEventV1(named);
    assert.equal(e.path, '/dev/pets/1');
    assert.equal(e.resource, '/pets/{id}');
    assert.equal(ctx(e).path, '/dev/pets/1');
    assert.equal(ctx(e).resourcePath, '/pets/{id}');
    assert.equal(ctx(e).resourceId, 'GET /pets/{id}');
    assert.equal(ctx(e).stage, 'dev');
  });

  it('a mapping key is left out of 2.0 rawPath but kept in 1.0 path (TRAPS 20)', () => {
    const inv = makeInvocation({ path: '/api/v1/pets', domainName: 'api.example.com', routeKey: 'GET /pets' });
    const v2 = buildEventV2(inv, { mappingKey: 'api/v1' });
    assert.equal(v2.rawPath, '/pets');
    assert.equal((ctx(v2).http as { path: string }).path, '/pets');
    assert.equal(buildEventV2(makeInvocation({ path: '/v1' }), { mappingKey: 'v1' }).rawPath, '/');
    assert.equal(buildEventV2(makeInvocation({ path: '/v10/x' }), { mappingKey: 'v1' }).rawPath, '/v10/x');
    const v1 = buildEventV1(inv, { mappingKey: 'api/v1' });
    assert.equal(v1.path, '/api/v1/pets');
    assert.equal(ctx(v1).domainPrefix, 'api');
  });
});

describe('headers and cookies', () => {
  const inv = makeInvocation({
    headers: [
      ['Host', 'abc123.execute-api.localhost'],
      ['X-Multi', 'a'],
      ['Cookie', 'session=1; theme=dark'],
      ['x-multi', 'b'],
      ['Accept', 'text/html'],
      ['cookie', 'extra=2;'],
      ['X-MULTI', 'c, d'],
    ],
  });

  it('2.0: lower-cased names, repeats joined with ",", cookies split out and the cookie header removed', () => {
    const e = buildEventV2(inv);
    assert.deepEqual(e.headers, { host: 'abc123.execute-api.localhost', 'x-multi': 'a,b,c, d', accept: 'text/html' });
    assert.deepEqual(e.cookies, ['session=1', 'theme=dark', 'extra=2']);
  });

  it('2.0: no cookies member without a Cookie header', () => {
    assert.equal('cookies' in buildEventV2(makeInvocation({ headers: [['accept', '*/*']] })), false);
  });

  it('1.0: received casing, last value wins, every value in multiValueHeaders, cookie kept as a header', () => {
    const e = buildEventV1(inv);
    assert.deepEqual(e.headers, { Host: 'abc123.execute-api.localhost', 'X-Multi': 'c, d', Cookie: 'extra=2;', Accept: 'text/html' });
    assert.deepEqual(e.multiValueHeaders, {
      Host: ['abc123.execute-api.localhost'],
      'X-Multi': ['a', 'b', 'c, d'],
      Cookie: ['session=1; theme=dark', 'extra=2;'],
      Accept: ['text/html'],
    });
  });

  it('header names like __proto__ and constructor stay plain own properties', () => {
    const e = buildEventV2(makeInvocation({ headers: [['__proto__', 'x'], ['constructor', 'y']] }));
    assert.deepEqual(Object.keys(e.headers), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(e.headers), Object.prototype);
  });
});

describe('query strings', () => {
  const raw = 'a=1&b=two%20words&a=2&plus=x+y&flag&empty=&%E2%9C%93=%E2%9C%93&bad=%E0%A4%A&constructor=c';

  it('2.0: rawQueryString verbatim, decoded parameters, repeats joined with ","', () => {
    const e = buildEventV2(makeInvocation({ rawQueryString: raw }));
    assert.equal(e.rawQueryString, raw);
    assert.deepEqual(e.queryStringParameters, { a: '1,2', b: 'two words', plus: 'x y', flag: '', empty: '', '✓': '✓', bad: '%E0%A4%A', constructor: 'c' });
  });

  it('1.0: last value wins, every value in multiValueQueryStringParameters', () => {
    const e = buildEventV1(makeInvocation({ rawQueryString: 'a=1&a=2&b=3' }));
    assert.deepEqual(e.queryStringParameters, { a: '2', b: '3' });
    assert.deepEqual(e.multiValueQueryStringParameters, { a: ['1', '2'], b: ['3'] });
  });

  it('without a query: 2.0 keeps rawQueryString "" and omits the map; 1.0 has nulls', () => {
    const v2 = buildEventV2(makeInvocation());
    assert.equal(v2.rawQueryString, '');
    assert.equal('queryStringParameters' in v2, false);
    const v1 = buildEventV1(makeInvocation({ rawQueryString: '&' }));
    assert.equal(v1.queryStringParameters, null);
    assert.equal(v1.multiValueQueryStringParameters, null);
  });
});

describe('bodies', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
  const cases: [string, [string, string][], Buffer | string, boolean][] = [
    ['application/json', [['Content-Type', 'application/json']], '{"a":1}', false],
    ['text with charset', [['Content-Type', 'text/plain; charset=utf-8']], 'héllo', false],
    ['vendor +json', [['content-type', 'application/vnd.api+json']], '{}', false],
    ['form', [['content-type', 'application/x-www-form-urlencoded']], 'a=1', false],
    ['image/png', [['content-type', 'image/png']], png, true],
    ['octet-stream', [['content-type', 'application/octet-stream']], 'abc', true],
    ['no content-type', [], 'abc', true],
    ['gzip-encoded JSON', [['content-type', 'application/json'], ['content-encoding', 'gzip']], 'abc', true],
    ['text that is not UTF-8', [['content-type', 'text/plain']], Buffer.from([0xff, 0xfe, 0x41]), true],
  ];
  for (const [name, headers, body, base64] of cases) {
    it(`${name} → isBase64Encoded ${base64}`, () => {
      const buf = Buffer.from(body);
      for (const e of [buildEventV2(makeInvocation({ method: 'POST', headers, body: buf })), buildEventV1(makeInvocation({ method: 'POST', headers, body: buf }))]) {
        assert.equal(e.isBase64Encoded, base64);
        assert.equal(e.body, base64 ? buf.toString('base64') : buf.toString('utf8'));
      }
    });
  }

  it('no body: 2.0 omits body (isBase64Encoded false), 1.0 has body null', () => {
    const v2 = buildEventV2(makeInvocation({ headers: [['content-type', 'image/png']], body: '' }));
    assert.equal('body' in v2, false);
    assert.equal(v2.isBase64Encoded, false);
    const v1 = buildEventV1(makeInvocation());
    assert.equal(v1.body, null);
    assert.equal(v1.isBase64Encoded, false);
  });

  it('stage variables and path parameters: omitted in 2.0, null in 1.0 when absent', () => {
    const v2 = buildEventV2(makeInvocation());
    assert.equal('stageVariables' in v2, false);
    assert.equal('pathParameters' in v2, false);
    const v1 = buildEventV1(makeInvocation({ pathParameters: {} }));
    assert.equal(v1.stageVariables, null);
    assert.equal(v1.pathParameters, null);
    assert.deepEqual(buildEventV1(makeInvocation({ stageVariables: { s: '1' } })).stageVariables, { s: '1' });
  });
});

describe('authorizer context', () => {
  const jwt = { jwt: { claims: { sub: 'u1', exp: '1787996002' }, scopes: null } };
  const lambda = { lambda: { user: 'u1', n: 3 }, principalId: 'p1' };
  const iam = { iam: { accessKey: 'AKIA', accountId: '111122223333', callerId: 'AIDA', cognitoIdentity: null, principalOrgId: null, userArn: 'arn:aws:iam::111122223333:user/x', userId: 'AIDA' } };

  it('2.0 nests jwt (scopes null), lambda and iam', () => {
    assert.deepEqual(ctx(buildEventV2(makeInvocation({ authorizer: jwt }))).authorizer, { jwt: { claims: { sub: 'u1', exp: '1787996002' }, scopes: null } });
    assert.deepEqual(ctx(buildEventV2(makeInvocation({ authorizer: lambda }))).authorizer, { lambda: { user: 'u1', n: 3 } });
    assert.deepEqual(ctx(buildEventV2(makeInvocation({ authorizer: iam }))).authorizer, iam);
    assert.equal('authorizer' in ctx(buildEventV2(makeInvocation())), false);
  });

  it('1.0 puts jwt claims/scopes and the lambda context (with principalId) directly under authorizer', () => {
    assert.deepEqual(ctx(buildEventV1(makeInvocation({ authorizer: { jwt: { claims: { sub: 'u1' }, scopes: ['read'] } } }))).authorizer, {
      claims: { sub: 'u1' },
      scopes: ['read'],
    });
    assert.deepEqual(ctx(buildEventV1(makeInvocation({ authorizer: lambda }))).authorizer, { user: 'u1', n: 3, principalId: 'p1' });
    assert.equal('authorizer' in ctx(buildEventV1(makeInvocation())), false);
  });

  it('1.0 fills identity from an IAM caller', () => {
    const identity = ctx(buildEventV1(makeInvocation({ authorizer: iam, headers: [['User-Agent', 'sdk']] }))).identity as Record<string, unknown>;
    assert.equal(identity.accessKey, 'AKIA');
    assert.equal(identity.caller, 'AIDA');
    assert.equal(identity.userArn, 'arn:aws:iam::111122223333:user/x');
    assert.equal(identity.userAgent, 'sdk');
    assert.equal(identity.cognitoIdentityId, null);
  });
});

describe('helpers', () => {
  it('clfTime formats as dd/MMM/yyyy:HH:mm:ss +0000 in UTC', () => {
    assert.equal(clfTime(1587481701067), '21/Apr/2020:15:08:21 +0000');
    assert.equal(clfTime(Date.UTC(2024, 0, 5, 3, 4, 5)), '05/Jan/2024:03:04:05 +0000');
  });

  it('isTextContent', () => {
    for (const t of ['text/csv', 'application/json', 'application/problem+json', 'application/xml', 'image/svg+xml', 'application/javascript', 'TEXT/HTML; charset=x']) {
      assert.equal(isTextContent(t), true, t);
    }
    for (const t of [undefined, '', 'image/png', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/pdf']) assert.equal(isTextContent(t), false, t);
    assert.equal(isTextContent('application/json', 'br'), false);
    assert.equal(isTextContent('application/json', 'identity'), true);
  });
});

describe('events are plain JSON values (in-process handlers receive them without a JSON copy)', () => {
  const cases = [
    makeInvocation({ method: 'GET', path: '/' }),
    makeInvocation({
      method: 'POST',
      path: '/prod/pets/7',
      rawQueryString: 'a=1&a=2&b',
      stageName: 'prod',
      stageVariables: { color: 'blue' },
      routeKey: 'POST /pets/{id}',
      pathParameters: { id: '7' },
      headers: [['Cookie', 'a=1; b=2'], ['X-Multi', 'one'], ['X-Multi', 'two'], ['Content-Type', 'application/octet-stream']],
      body: Buffer.from([0, 1, 2, 255]),
      authorizer: { jwt: { claims: { sub: 'ann', exp: '1' }, scopes: null } },
    }),
    makeInvocation({ method: 'PUT', path: '/x', body: '{"a":1}', headers: [['content-type', 'application/json']], authorizer: { lambda: { user: 'u', n: 1, ok: true } } }),
  ];
  for (const [i, inv] of cases.entries()) {
    for (const [version, build] of [['2.0', buildEventV2], ['1.0', buildEventV1]] as const) {
      it(`payload ${version} event ${i} survives a JSON round trip unchanged`, () => {
        const event = build(inv, {});
        assert.deepStrictEqual(JSON.parse(JSON.stringify(event)), event);
      });
    }
  }
});

describe('authorizer results in events', () => {
  it('each event gets its own copy of a (cached) Lambda authorizer context: a handler changing it changes nothing else', () => {
    const authorizer: AuthorizerResult = { lambda: { tenant: { id: 't1', roles: ['reader'] } } };
    const first = buildEventV2(makeInvocation({ authorizer }));
    const context = (ctx(first).authorizer as { lambda: { tenant: { roles: string[] } } }).lambda;
    context.tenant.roles.push('admin');
    const second = buildEventV2(makeInvocation({ authorizer }));
    assert.deepStrictEqual((ctx(second).authorizer as { lambda: unknown }).lambda, { tenant: { id: 't1', roles: ['reader'] } });
    const v1 = buildEventV1(makeInvocation({ authorizer }));
    (ctx(v1).authorizer as { tenant: { roles: string[] } }).tenant.roles.push('admin');
    assert.deepStrictEqual(authorizer.lambda, { tenant: { id: 't1', roles: ['reader'] } });
  });
});
