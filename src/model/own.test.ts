import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { own, pushOwn, setOwn } from './own.js';

describe('own members of maps with user-chosen keys', () => {
  it('own reads only what the map has itself', () => {
    const map: Record<string, string> = JSON.parse('{"a":"1","__proto__":"p"}') as Record<string, string>;
    assert.equal(own(map, 'a'), '1');
    assert.equal(own(map, '__proto__'), 'p');
    assert.equal(own(map, 'constructor'), undefined);
    assert.equal(own(map, 'toString'), undefined);
    assert.equal(own(undefined, 'a'), undefined);
  });

  it('setOwn and pushOwn make __proto__ and constructor members, leaving the prototype alone', () => {
    const single: Record<string, string> = {};
    setOwn(single, '__proto__', 'x');
    setOwn(single, 'constructor', 'y');
    assert.equal(JSON.stringify(single), '{"__proto__":"x","constructor":"y"}');
    assert.equal(Object.getPrototypeOf(single), Object.prototype);
    const multi: Record<string, string[]> = {};
    for (const key of ['constructor', '__proto__', 'constructor']) pushOwn(multi, key, key.length.toString());
    assert.equal(JSON.stringify(multi), '{"constructor":["11","11"],"__proto__":["9"]}');
    assert.equal(Object.getPrototypeOf(multi), Object.prototype);
  });
});
