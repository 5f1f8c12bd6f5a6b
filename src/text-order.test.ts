import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byCodeUnits, byName } from './text-order.js';

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

describe('byName', () => {
  it('orders letters regardless of case, then upper case first where only case differs', () => {
    assert.deepEqual(['users', 'Pets', 'orders', 'pets', 'Orders'].sort(byName), ['Orders', 'orders', 'Pets', 'pets', 'users']);
  });

  it('keeps punctuation in its code-unit place: a path parameter after the literal segments', () => {
    assert.deepEqual(['GET /pets/{id}', 'GET /pets/search', 'GET /pets', '$default'].sort(byName), ['$default', 'GET /pets', 'GET /pets/search', 'GET /pets/{id}']);
    assert.equal(byName('same', 'same'), 0);
  });
});
