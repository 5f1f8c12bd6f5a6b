import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPERATIONS } from '../model/service-model.js';
import { BadRequestException } from './errors.js';
import { matchOperation, methodsForPath } from './operations.js';

const LABEL = /\{([^}]+)\}/g;
const sample = (label: string) => `v-${label.toLowerCase()}`;

describe('matchOperation over the whole model', () => {
  it('knows all 77 operations', () => {
    assert.equal(OPERATIONS.length, 77);
    assert.equal(new Set(OPERATIONS.map((op) => `${op.method} ${op.uri}`)).size, 77);
  });

  for (const op of OPERATIONS) {
    it(`matches ${op.name} by ${op.method} ${op.uri}`, () => {
      const path = op.uri.replace(LABEL, (_, label: string) => sample(label));
      const labels = Object.fromEntries([...op.uri.matchAll(LABEL)].map((m) => [m[1] as string, sample(m[1] as string)]));
      const match = matchOperation(op.method, path);
      assert.ok(match, `no match for ${op.method} ${path}`);
      assert.equal(match.spec.name, op.name);
      assert.equal(match.spec, op);
      assert.deepEqual(match.labels, labels);
    });
  }
});

describe('matchOperation', () => {
  it('decodes labels after splitting, so an encoded / stays inside the label', () => {
    const match = matchOperation('GET', '/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc');
    assert.equal(match?.spec.name, 'GetTags');
    assert.deepEqual(match?.labels, { ResourceArn: 'arn:aws:apigateway:us-east-1::/apis/abc' });

    assert.equal(matchOperation('POST', '/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc')?.spec.name, 'TagResource');
    assert.equal(matchOperation('DELETE', '/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc')?.spec.name, 'UntagResource');
  });

  it('decodes a route key and a $default stage in DeleteRouteSettings', () => {
    const match = matchOperation('DELETE', '/v2/apis/abc/stages/%24default/routesettings/GET%20%2Fpets%2F%7Bid%7D');
    assert.equal(match?.spec.name, 'DeleteRouteSettings');
    assert.deepEqual(match?.labels, { ApiId: 'abc', StageName: '$default', RouteKey: 'GET /pets/{id}' });
  });

  it('does not match an unencoded / inside a label', () => {
    assert.equal(matchOperation('GET', '/v2/tags/arn:aws:apigateway:us-east-1::/apis/abc'), undefined);
  });

  it('tolerates one trailing slash', () => {
    assert.equal(matchOperation('GET', '/v2/apis/')?.spec.name, 'GetApis');
    const match = matchOperation('GET', '/v2/apis/abc/routes/r1/');
    assert.equal(match?.spec.name, 'GetRoute');
    assert.deepEqual(match?.labels, { ApiId: 'abc', RouteId: 'r1' });
  });

  it('does not match empty labels or doubled slashes', () => {
    assert.equal(matchOperation('GET', '/v2/apis//routes'), undefined);
    assert.equal(matchOperation('GET', '/v2/apis/abc//'), undefined);
    assert.equal(matchOperation('GET', '/v2//apis'), undefined);
  });

  it('returns undefined for unknown paths', () => {
    for (const path of ['/', '', '/v2', '/v1/apis', '/v2/apis/abc/unknown', '/v2/apis/abc/routes/r1/routeresponses/rr/extra', '/V2/APIS']) {
      assert.equal(matchOperation('GET', path), undefined, path);
    }
  });

  it('returns undefined for a method no operation uses on the path', () => {
    assert.equal(matchOperation('POST', '/v2/apis/abc'), undefined);
    assert.equal(matchOperation('PATCH', '/v2/apis'), undefined);
    assert.equal(matchOperation('HEAD', '/v2/apis'), undefined);
    assert.equal(matchOperation('get', '/v2/apis'), undefined);
  });

  it('compares literal segments on their raw form', () => {
    assert.equal(matchOperation('GET', '/v2/%61pis'), undefined);
  });

  it('throws BadRequestException on malformed percent-encoding in a label', () => {
    for (const [path, raw] of [
      ['/v2/apis/%zz', '%zz'],
      ['/v2/apis/abc/routes/%E0%A4%A', '%E0%A4%A'],
      ['/v2/tags/arn%3', 'arn%3'],
    ] as const) {
      assert.throws(
        () => matchOperation('GET', path),
        (err: unknown) =>
          err instanceof BadRequestException && err.status === 400 && err.message === `Invalid percent-encoding in path segment '${raw}'`,
        path,
      );
    }
  });
});

describe('methodsForPath', () => {
  const sorted = (methods: string[]) => [...methods].sort();

  it('lists the methods operations answer on a path', () => {
    assert.deepEqual(sorted(methodsForPath('/v2/apis')), ['GET', 'POST', 'PUT']);
    assert.deepEqual(sorted(methodsForPath('/v2/apis/abc')), ['DELETE', 'GET', 'PATCH', 'PUT']);
    assert.deepEqual(sorted(methodsForPath('/v2/apis/abc/routes')), ['GET', 'POST']);
    assert.deepEqual(sorted(methodsForPath('/v2/apis/abc/cors')), ['DELETE']);
    assert.deepEqual(sorted(methodsForPath('/v2/tags/arn%3Aaws')), ['DELETE', 'GET', 'POST']);
    assert.deepEqual(sorted(methodsForPath('/v2/domainnames/example.com/routingrules/rr1')), ['DELETE', 'GET', 'PUT']);
  });

  it('lists nothing for an unknown path', () => {
    assert.deepEqual(methodsForPath('/v2/nothing'), []);
  });
});
