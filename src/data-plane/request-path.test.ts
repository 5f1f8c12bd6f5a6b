import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathProblem } from './request-path.js';

describe('pathProblem', () => {
  it('accepts ordinary paths, dots inside names, encoded text and empty segments', () => {
    for (const path of ['/', '/pets/7', '/v1.0/file.tar.gz', '/.well-known/x', '/a/...', '/caf%C3%A9', '/x%20y', '/a//b', '/100%25', '/a;b=c', '/a/..b/c.']) {
      assert.equal(pathProblem(path), undefined, path);
    }
  });

  it('refuses dot segments, literal or encoded in any case and mix, also before a ;', () => {
    for (const path of ['/a/../b', '/a/./b', '/a/..', '/%2e%2e/x', '/%2E%2E/x', '/%2e./x', '/.%2E/x', '/%2e/x', '/a/..;/b', '/a/%2e%2e;x=1/b']) {
      assert.match(pathProblem(path) ?? '', /dot segment/, path);
    }
  });

  it('refuses double-encoded dot segments and separators, which a second decoding would expose', () => {
    for (const path of ['/a/%252e%252e/b', '/a/%252E./b', '/a/..%252fb', '/a/x%255cy']) {
      assert.match(pathProblem(path) ?? '', /encoded dot segment or separator/, path);
    }
  });

  it('refuses encoded slashes and backslashes, and literal backslashes', () => {
    assert.match(pathProblem('/a%2Fb') ?? '', /encoded dot segment or separator/);
    assert.match(pathProblem('/a%2fb') ?? '', /encoded dot segment or separator/);
    assert.match(pathProblem('/a%5Cb') ?? '', /encoded dot segment or separator/);
    assert.match(pathProblem('/a\\..\\b') ?? '', /backslash/);
  });

  it('refuses malformed percent-encodings and overlong UTF-8 (a classic encoding of ".")', () => {
    assert.match(pathProblem('/a/%zz') ?? '', /malformed/);
    assert.match(pathProblem('/a/%E0%A4%A') ?? '', /malformed/);
    assert.match(pathProblem('/%c0%ae%c0%ae/x') ?? '', /malformed/);
  });

  it('refuses targets that are not an absolute path, and fragments', () => {
    assert.match(pathProblem('http://evil.example/x') ?? '', /not an absolute path/);
    assert.match(pathProblem('*') ?? '', /not an absolute path/);
    assert.match(pathProblem('/a#/../b') ?? '', /fragment/);
  });
});
