import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkWebSocketRouteKey, parseHttpRouteKey, RouteKeyError } from './route-key.js';

describe('parseHttpRouteKey', () => {
  it('parses $default, the root and parameters', () => {
    assert.deepEqual(parseHttpRouteKey('$default'), { kind: '$default' });
    assert.deepEqual(parseHttpRouteKey('GET /'), { kind: 'route', method: 'GET', path: '/', segments: [] });
    assert.deepEqual(parseHttpRouteKey('ANY /pets/{id}/{proxy+}').kind === 'route' && parseHttpRouteKey('ANY /pets/{id}/{proxy+}'), {
      kind: 'route',
      method: 'ANY',
      path: '/pets/{id}/{proxy+}',
      segments: [
        { kind: 'literal', value: 'pets' },
        { kind: 'param', name: 'id' },
        { kind: 'greedy', name: 'proxy' },
      ],
    });
  });

  const invalid: [string, RegExp][] = [
    ['GET', /METHOD/],
    ['get /pets', /method must be one of/],
    ['TRACE /pets', /method must be one of/],
    ['GET pets', /must start with/],
    ['GET /pets/', /must not end with/],
    ['GET /a//b', /empty segments/],
    ['GET /{proxy+}/a', /must be the last segment/],
    ['GET /a{id}', /characters a path may not contain/],
    ['GET /{id}/{id}', /more than once/],
    ['GET /{}', /invalid path parameter/],
    ['GET /a b', /characters a path may not contain/],
  ];
  for (const [key, reason] of invalid) {
    it(`rejects '${key}'`, () => {
      assert.throws(() => parseHttpRouteKey(key), (err: unknown) => err instanceof RouteKeyError && reason.test(err.message));
    });
  }
});

describe('checkWebSocketRouteKey', () => {
  it('accepts reserved and custom keys, rejects other $ keys', () => {
    for (const key of ['$connect', '$disconnect', '$default', 'sendmessage']) checkWebSocketRouteKey(key);
    assert.throws(() => checkWebSocketRouteKey('$foo'), RouteKeyError);
    assert.throws(() => checkWebSocketRouteKey('  '), RouteKeyError);
  });
});
