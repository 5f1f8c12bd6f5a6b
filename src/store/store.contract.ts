/**
 * The behaviour every Store implementation must have. Each implementation's test calls
 * `storeContract` with a factory that opens a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent, Store } from './store.js';
import { StoreError } from './store.js';

const rejectsWith = (p: Promise<unknown>, code: string) =>
  assert.rejects(p, (err: unknown) => err instanceof StoreError && err.code === code);

/** Registers the contract tests for one implementation. */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`${name} store contract`, () => {
    const withStore = (fn: (s: Store) => Promise<void>) => async () => {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    };

    it('ping answers while the store is open and rejects once it is closed (readiness)', async () => {
      const store = await open();
      await store.ping();
      await store.close();
      await assert.rejects(store.ping());
    });

    it('inserts, gets and finds by key', withStore(async (s) => {
      const [created] = await s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'r1', key: 'GET /', data: { routeKey: 'GET /' } }]);
      assert.equal(created?.version, 1);
      assert.deepEqual((await s.get('route', 'a1', 'r1'))?.data, { routeKey: 'GET /' });
      assert.equal((await s.findByKey('route', 'a1', 'GET /'))?.id, 'r1');
      assert.equal(await s.get('route', 'a2', 'r1'), undefined, 'scopes are separate');
    }));

    it('enforces unique keys per scope, not across scopes', withStore(async (s) => {
      await s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'r1', key: 'GET /', data: {} }]);
      await rejectsWith(s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'r2', key: 'GET /', data: {} }]), 'CONFLICT');
      await s.apply([{ op: 'insert', kind: 'route', scope: 'a2', id: 'r2', key: 'GET /', data: {} }]);
      await rejectsWith(s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: {} }]), 'CONFLICT');
    }));

    it('one of two concurrent identical inserts wins', withStore(async (s) => {
      const results = await Promise.allSettled([
        s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'x1', key: 'POST /', data: {} }]),
        s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'x2', key: 'POST /', data: {} }]),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal((failed.reason as StoreError).code, 'CONFLICT');
    }));

    it('applies a batch atomically', withStore(async (s) => {
      await rejectsWith(
        s.apply([
          { op: 'insert', kind: 'api', scope: '', id: 'a1', data: {} },
          { op: 'check', kind: 'integration', scope: 'a1', id: 'missing' },
        ]),
        'NOT_FOUND',
      );
      assert.equal(await s.get('api', '', 'a1'), undefined, 'the insert before the failed check was rolled back');
    }));

    it('updates with optimistic versions and re-keys', withStore(async (s) => {
      await s.apply([
        { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', key: 'GET /', data: { n: 1 } },
        { op: 'insert', kind: 'route', scope: 'a1', id: 'r2', key: 'GET /b', data: { n: 1 } },
      ]);
      const [updated] = await s.apply([{ op: 'update', kind: 'route', scope: 'a1', id: 'r1', key: 'GET /a', data: { n: 2 }, ifVersion: 1 }]);
      assert.equal(updated?.version, 2);
      assert.equal(updated?.key, 'GET /a');
      assert.equal(await s.findByKey('route', 'a1', 'GET /'), undefined);
      assert.equal((await s.findByKey('route', 'a1', 'GET /a'))?.id, 'r1', 'the new key is indexed');
      await rejectsWith(s.apply([{ op: 'update', kind: 'route', scope: 'a1', id: 'r1', data: {}, ifVersion: 1 }]), 'STALE');
      await rejectsWith(s.apply([{ op: 'update', kind: 'route', scope: 'a1', id: 'r1', key: 'GET /b', data: {} }]), 'CONFLICT');
      await rejectsWith(s.apply([{ op: 'update', kind: 'route', scope: 'a1', id: 'nope', data: {} }]), 'NOT_FOUND');
      const [same] = await s.apply([{ op: 'update', kind: 'route', scope: 'a1', id: 'r1', data: { n: 3 } }]);
      assert.equal(same?.key, 'GET /a', 'an update without key keeps the key');
      assert.equal(same?.version, 3);
      assert.equal((await s.findByKey('route', 'a1', 'GET /a'))?.id, 'r1');
      assert.deepEqual((await s.get('route', 'a1', 'r1'))?.data, { n: 3 }, 'the failed updates changed nothing');
    }));

    it('deletes with cascade over the scope and its sub-scopes only', withStore(async (s) => {
      await s.apply([
        { op: 'insert', kind: 'api', scope: '', id: 'a1', data: {} },
        { op: 'insert', kind: 'api', scope: '', id: 'a10', data: {} },
        { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: {} },
        { op: 'insert', kind: 'routeResponse', scope: 'a1/routes/r1', id: 'rr1', data: {} },
        { op: 'insert', kind: 'route', scope: 'a10', id: 'r2', data: {} },
      ]);
      await s.apply([{ op: 'delete', kind: 'api', scope: '', id: 'a1', cascade: 'a1' }]);
      assert.equal(await s.get('api', '', 'a1'), undefined);
      assert.equal(await s.get('route', 'a1', 'r1'), undefined);
      assert.equal(await s.get('routeResponse', 'a1/routes/r1', 'rr1'), undefined);
      assert.ok(await s.get('route', 'a10', 'r2'), 'a sibling scope sharing a prefix survives');
      await rejectsWith(s.apply([{ op: 'delete', kind: 'api', scope: '', id: 'a1' }]), 'NOT_FOUND');
    }));

    it('refuses to drop a referenced resource', withStore(async (s) => {
      await s.apply([
        { op: 'insert', kind: 'authorizer', scope: 'a1', id: 'z1', data: {} },
        { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: { authorizerId: 'z1' } },
      ]);
      await assert.rejects(
        s.apply([
          { op: 'checkUnreferenced', kind: 'route', scope: 'a1', field: 'authorizerId', value: 'z1' },
          { op: 'delete', kind: 'authorizer', scope: 'a1', id: 'z1' },
        ]),
        (err: unknown) => err instanceof StoreError && err.code === 'IN_USE' && err.holder?.id === 'r1',
      );
      assert.ok(await s.get('authorizer', 'a1', 'z1'));
    }));

    it('pages in insertion order', withStore(async (s) => {
      await s.apply(Array.from({ length: 5 }, (_, i) => ({ op: 'insert' as const, kind: 'route' as const, scope: 'a1', id: `r${i}`, data: { i } })));
      const seen: string[] = [];
      let after: number | undefined;
      let pages = 0;
      do {
        const page = await s.list('route', 'a1', { limit: 2, ...(after === undefined ? {} : { after }) });
        seen.push(...page.items.map((r) => r.id));
        after = page.next;
        pages++;
      } while (after !== undefined);
      assert.deepEqual(seen, ['r0', 'r1', 'r2', 'r3', 'r4']);
      assert.equal(pages, 3);
      assert.deepEqual((await s.listAll('route', 'a1')).map((r) => r.id), seen);
      assert.equal((await s.list('route', 'a1', { limit: 5 })).next, undefined, 'an exactly full last page has no next');
    }));

    it('finds resources across scopes by kind, and by kind and id', withStore(async (s) => {
      await s.apply([
        { op: 'insert', kind: 'api', scope: '000000000000:us-east-1', id: 'a1', data: { n: 1 } },
        { op: 'insert', kind: 'api', scope: '111122223333:eu-west-1', id: 'a2', data: { n: 2 } },
        { op: 'insert', kind: 'route', scope: 'a1', id: 'a2', data: {} },
      ]);
      assert.deepEqual((await s.listEveryScope('api')).map((r) => [r.scope, r.id]), [['000000000000:us-east-1', 'a1'], ['111122223333:eu-west-1', 'a2']]);
      assert.equal((await s.getInAnyScope('api', 'a2'))?.scope, '111122223333:eu-west-1');
      assert.equal((await s.getInAnyScope('route', 'a2'))?.scope, 'a1', 'the kind is part of the look-up');
      assert.equal(await s.getInAnyScope('api', 'nope'), undefined);
    }));

    it('derives writes inside the transaction: they see the batch, and commit or fail with it', withStore(async (s) => {
      await s.apply([{ op: 'insert', kind: 'api', scope: 'p', id: 'a1', data: {} }]);
      const written = await s.apply(
        [{ op: 'lock', kind: 'api', scope: 'p', id: 'a1' }, { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: { routeKey: 'GET /' } }],
        async (reader) => {
          const routes = await reader.listAll('route', 'a1');
          return [{ op: 'insert', kind: 'deployment', scope: 'a1', id: 'd1', data: { routes: routes.length } }];
        },
      );
      assert.deepEqual(written.map((r) => r.id), ['r1', 'd1']);
      assert.deepEqual((await s.get('deployment', 'a1', 'd1'))?.data, { routes: 1 });
      await assert.rejects(
        s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'r2', data: {} }], async () => {
          throw new Error('derive failed');
        }),
        /derive failed/,
      );
      assert.equal(await s.get('route', 'a1', 'r2'), undefined, 'a failing derive rolls the batch back');
      await assert.rejects(
        s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'r3', data: {} }], async () => [{ op: 'insert', kind: 'deployment', scope: 'a1', id: 'd1', data: {} }]),
        (err: unknown) => err instanceof StoreError && err.code === 'CONFLICT' && err.step === 1,
      );
      assert.equal(await s.get('route', 'a1', 'r3'), undefined, 'a failing derived write rolls the batch back');
      await rejectsWith(s.apply([{ op: 'lock', kind: 'api', scope: 'p', id: 'missing' }]), 'NOT_FOUND');
    }));

    it('lets a derive step read concurrently, each read seeing the batch (PostgreSQL: one query at a time on its connection)', withStore(async (s) => {
      // Deployments snapshot an API with Promise.all of reads. pg 8 queues a query sent while another runs on
      // the same connection and warns that pg 9 will refuse it; the warning is emitted once per process.
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
      process.on('warning', onWarning);
      try {
        await s.apply([{ op: 'insert', kind: 'api', scope: 'p', id: 'a1', data: {} }, { op: 'insert', kind: 'integration', scope: 'a1', id: 'i1', data: {} }]);
        await s.apply([{ op: 'lock', kind: 'api', scope: 'p', id: 'a1' }, { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: {} }], async (reader) => {
          const [routes, integrations, authorizers, api, missing] = await Promise.all([
            reader.listAll('route', 'a1'),
            reader.listAll('integration', 'a1'),
            reader.listAll('authorizer', 'a1'),
            reader.get('api', 'p', 'a1'),
            reader.get('route', 'a1', 'nope'),
          ]);
          return [{ op: 'insert', kind: 'deployment', scope: 'a1', id: 'd1', data: { seen: [routes.length, integrations.length, authorizers.length, api?.id ?? null, missing ?? null] } }];
        });
        assert.deepEqual((await s.get('deployment', 'a1', 'd1'))?.data, { seen: [1, 1, 0, 'a1', null] });
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(warnings.filter((w) => /already executing a query/.test(w)), []);
      } finally {
        process.off('warning', onWarning);
      }
    }));

    it('serialises batches that lock the same resource, so each derive sees the others', withStore(async (s) => {
      await s.apply([
        { op: 'insert', kind: 'api', scope: 'p', id: 'a1', data: {} },
        { op: 'insert', kind: 'stage', scope: 'a1', id: 'st', data: { count: 0 } },
      ]);
      // Each batch adds a route and derives the stage's count of routes: with serialised derives the last count is the total.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          s.apply([{ op: 'lock', kind: 'api', scope: 'p', id: 'a1' }, { op: 'insert', kind: 'route', scope: 'a1', id: `r${i}`, data: {} }], async (reader) => {
            const count = (await reader.listAll('route', 'a1')).length;
            return [{ op: 'update', kind: 'stage', scope: 'a1', id: 'st', data: { count } }];
          }),
        ),
      );
      assert.deepEqual((await s.get('stage', 'a1', 'st'))?.data, { count: 20 });
    }));

    it('notifies watchers of committed writes only', withStore(async (s) => {
      const events: ChangeEvent[] = [];
      const stop = s.watch((e) => events.push(e));
      await s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: {} }]);
      await s.apply([{ op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: {} }]).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      stop();
      await s.apply([{ op: 'delete', kind: 'route', scope: 'a1', id: 'r1' }]);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(events.length, 1);
      assert.deepEqual(events[0], { kinds: ['route'], scopes: ['a1'] });
    }));
  });
}
