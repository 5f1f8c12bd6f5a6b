import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byCodeUnits } from './text-order.js';

describe('byCodeUnits', () => {
  it('orders as the default sort does: by UTF-16 code unit, upper case before lower case', () => {
    const names = ['beta', 'Alpha', 'alpha', 'Zeta', 'é', 'e', 'alpha-2', ''];
    assert.deepEqual([...names].sort(byCodeUnits), [...names].sort());
    assert.deepEqual([...names].sort(byCodeUnits), ['', 'Alpha', 'Zeta', 'alpha', 'alpha-2', 'beta', 'e', 'é']);
  });

  it('gives 0 for equal strings only, so a second key can break ties', () => {
    assert.equal(byCodeUnits('a', 'a'), 0);
    assert.equal(byCodeUnits('a', 'b'), -1);
    assert.equal(byCodeUnits('b', 'a'), 1);
    const rows = [{ name: 'x', id: '2' }, { name: 'x', id: '1' }, { name: 'w', id: '3' }];
    assert.deepEqual(rows.sort((p, q) => byCodeUnits(p.name, q.name) || byCodeUnits(p.id, q.id)).map((r) => r.id), ['3', '1', '2']);
  });
});
