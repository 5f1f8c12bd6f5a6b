import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSegment, splitRequestPath } from './path-segments.js';

const split = (path: string): string[] => {
  const into = ['stale', 'stale', 'stale', 'stale', 'stale', 'stale'];
  return into.slice(0, splitRequestPath(path, into));
};

describe('splitRequestPath', () => {
  it('splits, drops one trailing slash and keeps empty segments', () => {
    assert.deepEqual(split(''), []);
    assert.deepEqual(split('/'), []);
    assert.deepEqual(split('//'), []);
    assert.deepEqual(split('/a'), ['a']);
    assert.deepEqual(split('/a/'), ['a']);
    assert.deepEqual(split('/a//'), ['a', '']);
    assert.deepEqual(split('/a//b'), ['a', '', 'b']);
    assert.deepEqual(split('///'), ['', '']);
    assert.deepEqual(split('a/b'), ['a', 'b']);
  });

  it('decodes each segment after splitting, keeping malformed escapes raw', () => {
    assert.deepEqual(split('/caf%C3%A9/x%2Fy/100%/%E0%A4%A/'), ['café', 'x/y', '100%', '%E0%A4%A']);
  });
});

describe('decodeSegment', () => {
  it('leaves plus signs and malformed escapes alone', () => {
    assert.equal(decodeSegment('a+b%20c'), 'a+b c');
    assert.equal(decodeSegment('%zz'), '%zz');
  });
});
