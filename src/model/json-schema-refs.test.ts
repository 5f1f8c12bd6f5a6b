import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anchorsOf, findCycle, resolveFragment } from './json-schema-refs.js';

describe('json schema references', () => {
  it('resolves pointers (escaped, percent-encoded), the root and plain-name anchors', () => {
    const doc = { definitions: { 'a/b': { type: 'string' }, 'c d': { id: '#cd' } }, items: [{ type: 'null' }] };
    const anchors = anchorsOf(doc);
    assert.equal(resolveFragment(doc, '#', anchors), doc);
    assert.deepEqual(resolveFragment(doc, '#/definitions/a~1b', anchors), { type: 'string' });
    assert.deepEqual(resolveFragment(doc, '#/definitions/c%20d', anchors), { id: '#cd' });
    assert.deepEqual(resolveFragment(doc, '#cd', anchors), { id: '#cd' });
    assert.deepEqual(resolveFragment(doc, '#/items/0', anchors), { type: 'null' });
    assert.equal(resolveFragment(doc, '#/items/01', anchors), undefined);
    assert.equal(resolveFragment(doc, '#/nothing', anchors), undefined);
  });

  it('findCycle finds a loop back to a node, and nothing in a graph without one', () => {
    assert.deepEqual(findCycle(new Map([['a', ['a']]])), ['a', 'a']);
    assert.deepEqual(findCycle(new Map([['r', ['a']], ['a', ['b']], ['b', ['c', 'a']], ['c', []]])), ['a', 'b', 'a']);
    assert.equal(findCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), undefined);
    // a long chain, without recursion
    const chain = new Map(Array.from({ length: 100_000 }, (_, i) => [i, [i + 1]] as [number, number[]]));
    assert.equal(findCycle(chain), undefined);
    chain.set(100_000, [0]);
    assert.equal(findCycle(chain)?.length, 100_002);
  });
});
