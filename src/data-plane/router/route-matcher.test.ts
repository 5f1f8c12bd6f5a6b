import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRouteMatcher } from './route-matcher.js';

const compile = (keys: readonly string[]) => compileRouteMatcher(keys.map((routeKey, value) => ({ routeKey, value })));

type Row = [method: string, path: string, routeKey: string | undefined, params?: Record<string, string>];

function check(keys: readonly string[], rows: readonly Row[]): void {
  const match = compile(keys);
  for (const [method, path, routeKey, params] of rows) {
    const got = match(method, path);
    assert.equal(got?.routeKey, routeKey, `${method} ${path}`);
    if (routeKey !== undefined) {
      assert.equal(got?.value, keys.indexOf(routeKey), `${method} ${path}: value`);
      assert.deepEqual(got?.pathParameters, params, `${method} ${path}: pathParameters`);
    }
  }
}

describe('compileRouteMatcher', () => {
  it('follows the AWS documentation example', () => {
    check(['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default'], [
      ['GET', '/pets/dog/1', 'GET /pets/dog/1'],
      ['GET', '/pets/dog/2', 'GET /pets/dog/{id}', { id: '2' }],
      ['GET', '/pets/cat/1', 'GET /pets/{proxy+}', { proxy: 'cat/1' }],
      ['POST', '/test/5', 'ANY /{proxy+}', { proxy: 'test/5' }],
      ['POST', '/', '$default'],
    ]);
  });

  it('tolerates one trailing slash and treats the empty path as the root', () => {
    check(['GET /', 'GET /hello', 'GET /a/{x}'], [
      ['GET', '/hello/', 'GET /hello'],
      ['GET', '/hello//', undefined],
      ['GET', '/a/1/', 'GET /a/{x}', { x: '1' }],
      ['GET', '/', 'GET /'],
      ['GET', '', 'GET /'],
      ['POST', '/', undefined],
    ]);
  });

  it('never matches an empty segment with {var} or a literal', () => {
    check(['GET /a/{x}/b', 'GET /a/b', 'GET /c/{rest+}'], [
      ['GET', '/a//b', undefined],
      ['GET', '/a/b', 'GET /a/b'],
      ['GET', '//a/b', undefined],
      ['GET', '/c//x', 'GET /c/{rest+}', { rest: '/x' }],
    ]);
  });

  it('percent-decodes parameter values and compares literals decoded', () => {
    check(['GET /caf%C3%A9', 'GET /u/{name}', 'GET /f/{path+}'], [
      ['GET', '/caf%C3%A9', 'GET /caf%C3%A9'],
      ['GET', '/caf%c3%a9', 'GET /caf%C3%A9'],
      ['GET', '/café', 'GET /caf%C3%A9'],
      ['GET', '/u/J%C3%BCrgen%20M', 'GET /u/{name}', { name: 'Jürgen M' }],
      ['GET', '/u/a%2Fb', 'GET /u/{name}', { name: 'a/b' }],
      ['GET', '/u/100%', 'GET /u/{name}', { name: '100%' }],
      ['GET', '/f/x%20y/%E0%A4%A/z', 'GET /f/{path+}', { path: 'x y/%E0%A4%A/z' }],
    ]);
  });

  it('sends the explicit method to its route and every other method to ANY on the same path', () => {
    check(['GET /items', 'ANY /items', 'DELETE /items/{id}'], [
      ['GET', '/items', 'GET /items'],
      ['POST', '/items', 'ANY /items'],
      ['HEAD', '/items', 'ANY /items'],
      ['get', '/items', 'ANY /items'],
      ['GET', '/items/1', undefined],
    ]);
  });

  it('does not route HEAD to GET routes', () => {
    check(['GET /a', 'HEAD /b', 'GET /c/{proxy+}'], [
      ['HEAD', '/a', undefined],
      ['HEAD', '/b', 'HEAD /b'],
      ['HEAD', '/c/d', undefined],
    ]);
  });

  it('needs at least one segment for a greedy parameter', () => {
    check(['GET /pets/{proxy+}', 'ANY /{all+}'], [
      ['GET', '/pets', 'ANY /{all+}', { all: 'pets' }],
      ['GET', '/pets/', 'ANY /{all+}', { all: 'pets' }],
      ['GET', '/pets/a/b/', 'GET /pets/{proxy+}', { proxy: 'a/b' }],
      ['GET', '/', undefined],
    ]);
  });

  it('prefers a literal at the first differing position, then a longer greedy prefix', () => {
    check(['GET /{a}/b', 'GET /a/{b}', 'GET /{x}/{y}', 'GET /x/{proxy+}', 'GET /{p}/q/{rest+}', 'GET /{p}/{q}/{deep+}'], [
      ['GET', '/a/b', 'GET /a/{b}', { b: 'b' }],
      ['GET', '/z/b', 'GET /{a}/b', { a: 'z' }],
      ['GET', '/x/y', 'GET /{x}/{y}', { x: 'x', y: 'y' }],
      ['GET', '/x/y/z', 'GET /{p}/{q}/{deep+}', { p: 'x', q: 'y', deep: 'z' }],
      ['GET', '/x/q/z', 'GET /{p}/q/{rest+}', { p: 'x', rest: 'z' }],
      ['GET', '/x/y/', 'GET /{x}/{y}', { x: 'x', y: 'y' }],
    ]);
  });

  it('backtracks from a literal branch that dead-ends', () => {
    check(['GET /a/b/c', 'GET /{x}/b/d', 'POST /a/{y}/d'], [
      ['GET', '/a/b/d', 'GET /{x}/b/d', { x: 'a' }],
      ['POST', '/a/b/d', 'POST /a/{y}/d', { y: 'b' }],
    ]);
  });

  it('ranks path specificity before method: ANY on a more specific path beats an explicit method on a looser one', () => {
    check(['GET /pets/{id}', 'ANY /pets/dog', 'GET /{proxy+}', 'ANY /pets/{rest+}'], [
      ['GET', '/pets/dog', 'ANY /pets/dog'],
      ['GET', '/pets/cat', 'GET /pets/{id}', { id: 'cat' }],
      ['GET', '/pets/cat/1', 'ANY /pets/{rest+}', { rest: 'cat/1' }],
      ['GET', '/toys/1', 'GET /{proxy+}', { proxy: 'toys/1' }],
    ]);
  });

  it('falls back to $default, else returns undefined', () => {
    check(['GET /a', '$default'], [
      ['POST', '/a', '$default'],
      ['GET', '/nothing/here', '$default'],
    ]);
    check(['GET /a'], [['GET', '/b', undefined]]);
    check([], [['GET', '/', undefined]]);
  });

  it('keeps a {__proto__} parameter as an own key', () => {
    const got = compile(['GET /{__proto__}'])('GET', '/x');
    assert.deepEqual(Object.entries(got?.pathParameters ?? {}), [['__proto__', 'x']]);
  });

  it('throws on invalid keys and on duplicate method + path patterns', () => {
    assert.throws(() => compile(['GET /a', 'GET /a']), /conflicts/);
    assert.throws(() => compile(['GET /a/{x}', 'GET /a/{y}']), /conflicts/);
    assert.throws(() => compile(['ANY /{p+}', 'ANY /{q+}']), /conflicts/);
    assert.throws(() => compile(['GET /%61', 'GET /a']), /conflicts/);
    assert.throws(() => compile(['$default', '$default']), /duplicate/);
    assert.throws(() => compile(['GET /a/']), /invalid route key 'GET \/a\/'/);
    assert.doesNotThrow(() => compile(['GET /a/{x}', 'ANY /a/{y}', 'GET /a/{z+}', 'GET /a']));
  });
});
