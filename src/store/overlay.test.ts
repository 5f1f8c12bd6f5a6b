import assert from 'node:assert/strict';
import { it } from 'node:test';
import { overlayReader } from './overlay.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

it('overlayReader shows inserts, updates and deletes (with cascades) without writing them', async () => {
  const store = openSqliteStore(':memory:');
  try {
    await store.apply([
      { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: { n: 1 } },
      { op: 'insert', kind: 'route', scope: 'a1', id: 'r2', data: { n: 2 } },
      { op: 'insert', kind: 'routeResponse', scope: 'a1/routes/r2', id: 'rr', data: {} },
    ]);
    const view = overlayReader(store, [
      { op: 'update', kind: 'route', scope: 'a1', id: 'r1', data: { n: 10 } },
      { op: 'delete', kind: 'route', scope: 'a1', id: 'r2', cascade: 'a1/routes/r2' },
      { op: 'insert', kind: 'route', scope: 'a1', id: 'r3', data: { n: 3 } },
      { op: 'check', kind: 'api', scope: '', id: 'a1' },
    ]);
    assert.deepEqual((await view.listAll('route', 'a1')).map((r) => [r.id, r.data]), [['r1', { n: 10 }], ['r3', { n: 3 }]]);
    assert.equal(await view.get('route', 'a1', 'r2'), undefined);
    assert.equal(await view.get('routeResponse', 'a1/routes/r2', 'rr'), undefined, 'the cascade hides the deleted route responses');
    assert.deepEqual((await view.get('route', 'a1', 'r3'))?.data, { n: 3 });
    assert.equal((await store.listAll('route', 'a1')).length, 2, 'the store itself is untouched');
    assert.deepEqual((await store.get('route', 'a1', 'r1'))?.data, { n: 1 });
  } finally {
    await store.close();
  }
});
