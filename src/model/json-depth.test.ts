import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonNestingExceeds, valueNestingExceeds } from './json-depth.js';

const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('jsonNestingExceeds', () => {
  it('counts arrays and objects, in strings and in bytes', () => {
    for (const text of ['{"a":[{"b":[]}]}', Buffer.from('{"a":[{"b":[]}]}')]) {
      assert.equal(jsonNestingExceeds(text, 4), false);
      assert.equal(jsonNestingExceeds(text, 3), true);
    }
    assert.equal(jsonNestingExceeds('1', 0), false);
    assert.equal(jsonNestingExceeds('{}', 0), true);
  });

  it('measures the deepest point, not the number of brackets', () => {
    assert.equal(jsonNestingExceeds(`[${Array(1000).fill('[[]]').join(',')}]`, 3), false);
    assert.equal(jsonNestingExceeds(nested(5000), 1000), true);
    assert.equal(jsonNestingExceeds(nested(1000), 1000), false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    assert.equal(jsonNestingExceeds(`{"a":"${'['.repeat(50)}"}`, 1), false);
    assert.equal(jsonNestingExceeds(`{"a":"\\"[[[[","b":"\\\\"}`, 1), false);
    assert.equal(jsonNestingExceeds(`{"a\\"{{{":["x\\\\",[[]]]}`, 3), true);
    assert.equal(jsonNestingExceeds(Buffer.from(`{"é\\"[[[":"ü"}`), 1), false);
  });
});

describe('valueNestingExceeds', () => {
  it('walks parsed values without recursion', () => {
    assert.equal(valueNestingExceeds({ a: [{ b: [] }] }, 4), false);
    assert.equal(valueNestingExceeds({ a: [{ b: [] }] }, 3), true);
    assert.equal(valueNestingExceeds('x', 0), false);
    assert.equal(valueNestingExceeds(JSON.parse(nested(100_000)), 1000), true);
  });
});
