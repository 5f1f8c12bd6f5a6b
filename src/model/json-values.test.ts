import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonical, codePoints, hasType, isMultipleOf } from './json-values.js';

describe('json values', () => {
  it('hasType knows the seven draft-4 types', () => {
    assert.deepEqual(['integer', 'number', 'object', 'array', 'string', 'boolean', 'null'].map((t) => hasType(1, t)), [true, true, false, false, false, false, false]);
    assert.equal(hasType(1.5, 'integer'), false);
    assert.equal(hasType([], 'object'), false);
    assert.equal(hasType(null, 'null'), true);
  });

  it('isMultipleOf is decimal-exact and codePoints counts code points', () => {
    assert.equal(isMultipleOf(0.3, 0.1), true);
    assert.equal(isMultipleOf(0.35, 0.1), false);
    assert.equal(codePoints('a😀'), 2);
  });

  it('canonical: equal JSON values have equal texts, whatever the member order or depth', () => {
    assert.equal(canonical({ b: [1, { d: null, c: 'x' }], a: true }).text, '{"a":true,"b":[1,{"c":"x","d":null}]}');
    assert.equal(canonical({ b: 1, a: 2 }).text, canonical({ a: 2, b: 1 }).text);
    assert.notEqual(canonical({ a: '1' }).text, canonical({ a: 1 }).text);
    assert.notEqual(canonical(['a,b']).text, canonical(['a', 'b']).text);
    assert.equal(canonical(-0).text, canonical(0).text);
    assert.equal(canonical({ 'a"': [] }).nodes, 2);
    let deep: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const { text, nodes } = canonical(deep);
    assert.equal(text.length, 200_002);
    assert.equal(nodes, 100_001);
  });
});
