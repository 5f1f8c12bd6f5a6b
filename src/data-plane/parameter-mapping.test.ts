import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { ApiRecord, DeploymentSnapshot, RouteRecord, StageRecord } from '../model/resources.js';
import type { GatewayResponse, Invocation } from './invocation.js';
import { MAPPING_BODY_LIMIT, QueryString, compileRequestMapping, compileResponseMapping, type RequestMappingTarget } from './parameter-mapping.js';

function invocation(over: Partial<Invocation> = {}): Invocation {
  const rawHeaders = ['Host', 'abc.execute-api.localhost', 'X-Multi', 'one', 'x-multi', 'two', 'X-Token', 'tok', 'User-Agent', 'ua/1'];
  return {
    requestId: 'req-123',
    requestTimeEpoch: 0,
    request: {
      method: 'POST',
      path: '/prod/parent/a%20b/c',
      rawQueryString: 'q=1&Q=upper&q=2&sp=a+b%21',
      headers: { host: 'abc.execute-api.localhost', 'x-multi': 'one, two', 'x-token': 'tok', 'user-agent': 'ua/1' },
      rawHeaders,
      sourceIp: '198.51.100.1',
      protocol: 'HTTP/1.1',
      domainName: 'abc.execute-api.localhost',
      domainPrefix: 'abc',
    },
    incoming: {} as IncomingMessage,
    stage: { apiId: 'abc', accountId: '123456789012', region: 'us-east-1', stageName: 'prod', deploymentId: 'd', api: {} as ApiRecord, stageVariables: { env: 'blue' }, cors: undefined, accessLog: undefined, snapshot: {} as DeploymentSnapshot, stageRecord: {} as StageRecord, match: () => undefined },
    route: { route: {} as RouteRecord, routeKey: 'ANY /parent/{proxy+}', integration: undefined, authorizer: undefined, throttle: undefined },
    routePath: '/parent/a%20b/c',
    pathParameters: { proxy: 'a b/c' },
    body: Buffer.from(JSON.stringify({ user: { name: 'Ann', tags: ['x', 'y'], age: 7, ok: true, nil: null }, 'odd key': 'v' })),
    ...over,
  };
}

function target(query = 'keep=%20raw&drop=1'): RequestMappingTarget {
  return { headers: { 'x-existing': 'e', 'x-drop': 'd' }, query: new QueryString(query), path: '/backend' };
}

/** Applies a single `overwrite:header.x-out` mapping with `value` and returns the header (undefined when skipped). */
function mapOne(value: string, inv = invocation()): string | undefined {
  const plan = compileRequestMapping({ 'overwrite:header.x-out': value });
  assert.ok(plan);
  const t = target();
  plan.apply(inv, t);
  return t.headers['x-out'];
}

describe('request mapping value sources', () => {
  it('$request.header is case-insensitive and joins repeated headers with a comma', () => {
    assert.equal(mapOne('$request.header.X-TOKEN'), 'tok');
    assert.equal(mapOne('$request.header.x-multi'), 'one,two');
  });

  it('$request.querystring is case-sensitive, decoded, and joins repeated names with a comma', () => {
    assert.equal(mapOne('$request.querystring.q'), '1,2');
    assert.equal(mapOne('$request.querystring.Q'), 'upper');
    assert.equal(mapOne('$request.querystring.sp'), 'a b!');
  });

  it('$request.body and JSON paths (dots, [n], quoted keys); objects render as JSON', () => {
    assert.equal(mapOne('$request.body.user.name'), 'Ann');
    assert.equal(mapOne('$request.body.user.tags[1]'), 'y');
    assert.equal(mapOne('$request.body.user.age'), '7');
    assert.equal(mapOne('$request.body.user.ok'), 'true');
    assert.equal(mapOne('$request.body.user.nil'), 'null');
    assert.equal(mapOne("${request.body['odd key']}"), 'v');
    assert.equal(mapOne('$request.body.user.tags'), '["x","y"]');
    assert.equal(mapOne('$request.body'), invocation().body?.toString());
  });

  it('JSON paths see only the first 100 KB of the body', () => {
    const big = Buffer.from(JSON.stringify({ a: 'x', pad: 'p'.repeat(MAPPING_BODY_LIMIT) }));
    assert.equal(mapOne('$request.body.a', invocation({ body: big })), undefined, 'truncated JSON does not parse: mapping skipped');
    assert.equal(mapOne('$request.body.a', invocation({ body: Buffer.from('not json') })), undefined);
  });

  it('recursive descent, filters and wildcards are not supported', () => {
    assert.equal(mapOne('${request.body..name}'), undefined);
    assert.equal(mapOne('${request.body.user.*}'), undefined);
  });

  it('$request.path (no stage), $request.path.<var>, $context, $stageVariables', () => {
    assert.equal(mapOne('$request.path'), '/parent/a%20b/c');
    assert.equal(mapOne('$request.path.proxy'), 'a b/c');
    assert.equal(mapOne('$context.requestId'), 'req-123');
    assert.equal(mapOne('$context.routeKey'), 'ANY /parent/{proxy+}');
    assert.equal(mapOne('$stageVariables.env'), 'blue');
  });

  it('static text mixed with braced and bare variables', () => {
    assert.equal(mapOne('static'), 'static');
    assert.equal(mapOne('${request.path.proxy}-${stageVariables.env}'), 'a b/c-blue');
    assert.equal(mapOne('Bearer $request.header.x-token'), 'Bearer tok');
    assert.equal(mapOne('id=$context.requestId.'), 'id=req-123.', 'a trailing dot ends the variable');
    assert.equal(mapOne('$context.requestId,$stageVariables.env'), 'req-123,blue');
    assert.equal(mapOne('costs $5 or $unknown.thing'), 'costs $5 or $unknown.thing', 'a $ that starts no variable is text');
  });

  it('a value referencing a missing variable skips the mapping', () => {
    assert.equal(mapOne('Bearer $request.header.absent'), undefined);
    assert.equal(mapOne('$stageVariables.absent'), undefined);
    assert.equal(mapOne('$request.body.user.absent'), undefined);
  });
});

describe('compileRequestMapping', () => {
  it('undefined without mappings', () => {
    assert.equal(compileRequestMapping(undefined), undefined);
    assert.equal(compileRequestMapping({}), undefined);
  });

  it('append / overwrite / remove headers', () => {
    const plan = compileRequestMapping({
      'append:header.x-existing': 'more',
      'append:header.x-new': 'n',
      'overwrite:header.X-Over': '$request.header.x-token',
      'remove:header.x-drop': '',
    });
    const t = target();
    plan?.apply(invocation(), t);
    assert.deepEqual(t.headers, { 'x-existing': 'e,more', 'x-new': 'n', 'x-over': 'tok' });
  });

  it('append / overwrite / remove query parameters; untouched pairs keep their raw encoding', () => {
    const plan = compileRequestMapping({
      'append:querystring.keep': 'second value',
      'overwrite:querystring.drop': '$request.querystring.q',
      'remove:querystring.gone': '',
    });
    assert.equal(plan?.mapsQuery, true);
    const t = target('keep=%20raw&drop=1&gone=x');
    plan?.apply(invocation(), t);
    assert.equal(t.query.toString(), 'keep=%20raw&drop=1%2C2&keep=second%20value');
  });

  it('operations apply remove, then overwrite, then append', () => {
    const plan = compileRequestMapping({ 'append:header.x-a': 'appended', 'overwrite:header.x-a': 'over', 'remove:header.x-b': '' });
    const t = { ...target(), headers: { 'x-a': 'orig', 'x-b': 'b' } };
    plan?.apply(invocation(), t);
    assert.deepEqual(t.headers, { 'x-a': 'over,appended' });
  });

  it('overwrite:path with /$request.path.proxy encodes the value but keeps slashes', () => {
    const plan = compileRequestMapping({ 'overwrite:path': '/$request.path.proxy' });
    assert.equal(plan?.mapsPath, true);
    const t = target();
    plan?.apply(invocation(), t);
    assert.equal(t.path, '/a%20b/c');
  });

  it('overwrite:path keeps $request.path and static text as they are', () => {
    const plan = compileRequestMapping({ 'overwrite:path': '/v2%41$request.path' });
    const t = target();
    plan?.apply(invocation(), t);
    assert.equal(t.path, '/v2%41/parent/a%20b/c');
  });

  it('needsBody only when a value reads $request.body', () => {
    assert.equal(compileRequestMapping({ 'overwrite:header.x': '$request.header.y' })?.needsBody, false);
    assert.equal(compileRequestMapping({ 'overwrite:header.x': '$request.body.a' })?.needsBody, true);
    assert.equal(compileRequestMapping({ 'overwrite:path': '/${request.body}' })?.needsBody, true);
  });

  it('reserved headers and invalid keys are never applied', () => {
    const plan = compileRequestMapping({
      'overwrite:header.x-amz-date': 'x',
      'overwrite:header.Authorization': 'x',
      'overwrite:header.access-control-allow-origin': '*',
      'bogus:header.x': 'x',
      'overwrite:statuscode': '200',
      'overwrite:header.x-ok': 'ok',
    });
    const t = target();
    plan?.apply(invocation(), t);
    assert.deepEqual(t.headers, { 'x-existing': 'e', 'x-drop': 'd', 'x-ok': 'ok' });
  });

  it('a header value with CR/LF (from the body) is skipped', () => {
    assert.equal(mapOne('$request.body.v', invocation({ body: Buffer.from('{"v":"a\\r\\nInjected: 1"}') })), undefined);
  });
});

describe('compileResponseMapping', () => {
  const response = (): GatewayResponse => ({
    statusCode: 404,
    headers: { 'content-type': 'application/json', 'x-b': 'bee', 'x-r': 'remove me', 'set-cookie': 'a=1' },
  });

  it('undefined without mappings; plans only for configured status codes', () => {
    assert.equal(compileResponseMapping(undefined), undefined);
    assert.equal(compileResponseMapping({ '200': {} }), undefined);
    const mappings = compileResponseMapping({ '404': { 'overwrite:statuscode': '200' } });
    assert.ok(mappings?.forStatus(404));
    assert.equal(mappings?.forStatus(200), undefined);
  });

  it('overwrite:statuscode and header append/overwrite/remove from $response.header, $context, static', () => {
    const plan = compileResponseMapping({
      '404': {
        'overwrite:statuscode': '200',
        'append:header.x-b': 'more',
        'overwrite:header.x-copy': '$response.header.X-B',
        'remove:header.x-r': '',
        'append:header.set-cookie': 'b=2',
        'overwrite:header.x-req': '$context.requestId',
      },
    })?.forStatus(404);
    const res = response();
    plan?.apply(invocation(), res);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.headers, {
      'content-type': 'application/json',
      'x-b': 'bee,more',
      'x-copy': 'bee',
      'set-cookie': ['a=1', 'b=2'],
      'x-req': 'req-123',
    });
  });

  it('values are read from the backend response before any mapping writes', () => {
    const plan = compileResponseMapping({ '404': { 'remove:header.x-b': '', 'overwrite:header.x-copy': '$response.header.x-b' } })?.forStatus(404);
    const res = response();
    plan?.apply(invocation(), res);
    assert.equal(res.headers['x-copy'], 'bee');
    assert.equal(res.headers['x-b'], undefined);
  });

  it('$response.body JSON paths (needsBody) and invalid status codes ignored', () => {
    const plan = compileResponseMapping({ '404': { 'overwrite:header.x-name': '$response.body.user.name', 'overwrite:statuscode': '$response.body.code' } })?.forStatus(404);
    assert.equal(plan?.needsBody, true);
    const res = response();
    plan?.apply(invocation(), res, Buffer.from('{"user":{"name":"Bo"},"code":"999"}'));
    assert.equal(res.headers['x-name'], 'Bo');
    assert.equal(res.statusCode, 404, '999 is not a status code');
    const res2 = response();
    plan?.apply(invocation(), res2, '{"user":{},"code":201}');
    assert.equal(res2.statusCode, 201);
    assert.equal(res2.headers['x-name'], undefined);
  });

  it('non-numeric status keys are ignored', () => {
    assert.equal(compileResponseMapping({ default: { 'overwrite:statuscode': '200' } }), undefined);
  });
});

describe('QueryString', () => {
  it('keeps the raw string when untouched and reads decoded values', () => {
    const q = new QueryString('a=1&b=x+y&a=%32');
    assert.equal(q.toString(), 'a=1&b=x+y&a=%32');
    assert.deepEqual(q.getAll('a'), ['1', '2']);
    assert.deepEqual(q.getAll('b'), ['x y']);
    q.set('b', 'z&');
    assert.equal(q.toString(), 'a=1&a=%32&b=z%26');
    q.delete('a');
    assert.equal(q.toString(), 'b=z%26');
    assert.equal(new QueryString('').toString(), '');
  });
});
