import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { ChangeEvent, Store } from '../store.js';
import { ConfigError } from '../../config.js';
import { StoreError } from '../store.js';
import { storeContract } from '../store.contract.js';
import { MIGRATIONS } from './migrations.js';
import { openPostgresStore, transactionReader, withDefaultUser } from './postgres-store.js';

// CI starts PostgreSQL before the tests, so an unreachable server fails them rather than skipping.
const URL = process.env['GATEHOUSE_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const schemas: string[] = [];
const freshSchema = () => {
  const schema = `gh_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

// Closed again at the end, so a failed test cannot keep the process alive with open connections.
const opened: Store[] = [];
const openTestStore = async (schema: string): Promise<Store> => {
  try {
    const store = await openPostgresStore(URL, { schema });
    opened.push(store);
    return store;
  } catch (err) {
    throw new Error(`cannot open the PostgreSQL test store at ${URL} (start PostgreSQL or set GATEHOUSE_TEST_POSTGRES_URL): ${(err as Error).message}`, { cause: err });
  }
};

const withAdmin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

const until = async (done: () => boolean, what: string) => {
  for (const start = Date.now(); !done(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - start > 5000) assert.fail(`timed out waiting for ${what}`);
  }
};

after(async () => {
  await Promise.all(opened.map((s) => s.close()));
  if (schemas.length === 0) return;
  await withAdmin(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }).catch(() => undefined);
});

storeContract('postgres', () => openTestStore(freshSchema()));

describe('withDefaultUser: the user of a URL that names none (libpq: PGUSER, else the OS user)', () => {
  /** Runs `fn` as if neither PGUSER nor USER were set (pg reads both; USER once, into pg.defaults). */
  const withoutEnvironmentUser = (fn: () => void) => {
    const saved = { pgUser: process.env.PGUSER, defaults: pg.defaults.user };
    delete process.env.PGUSER;
    pg.defaults.user = undefined;
    try {
      fn();
    } finally {
      if (saved.pgUser !== undefined) process.env.PGUSER = saved.pgUser;
      pg.defaults.user = saved.defaults;
    }
  };

  it('keeps a URL that names its user (userinfo or ?user=)', () => {
    withoutEnvironmentUser(() => {
      assert.equal(withDefaultUser('postgres://bob@db:5432/gh', () => 'os'), 'postgres://bob@db:5432/gh');
      assert.equal(withDefaultUser('postgres://db/gh?user=carol', () => 'os'), 'postgres://db/gh?user=carol');
    });
  });

  it('adds the OS user as a user parameter, before any fragment', () => {
    withoutEnvironmentUser(() => {
      assert.equal(withDefaultUser('postgres://db:5432/gh', () => 'svc'), 'postgres://db:5432/gh?user=svc');
      assert.equal(withDefaultUser('postgresql://db/gh?sslmode=disable#x', () => 'a b'), 'postgresql://db/gh?sslmode=disable&user=a%20b#x');
    });
  });

  it('leaves the user to pg when PGUSER is set (libpq: PGUSER before the OS user)', () => {
    withoutEnvironmentUser(() => {
      process.env.PGUSER = 'from-env';
      try {
        assert.equal(withDefaultUser('postgres://db/gh', () => 'os'), 'postgres://db/gh');
      } finally {
        delete process.env.PGUSER;
      }
    });
  });

  it('refuses, naming the setting and showing the URL with a user, when no user can be found', () => {
    withoutEnvironmentUser(() => {
      assert.throws(() => withDefaultUser('postgres://127.0.0.1:5432/test', () => undefined), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(
          e.message,
          '--store / GATEHOUSE_STORE: the PostgreSQL URL names no user, and none can be found (PGUSER and USER are unset and the OS user has no name): put the user in the URL (postgres://USER@127.0.0.1:5432/test) or set PGUSER',
        );
        return true;
      });
    });
  });
});

describe('postgres store', () => {
  it('keeps data across reopen', async () => {
    const schema = freshSchema();
    const first = await openTestStore(schema);
    await first.apply([{ op: 'insert', kind: 'api', scope: '', id: 'a1', data: { name: 'pets' } }]);
    await first.close();
    const second = await openTestStore(schema);
    assert.deepEqual((await second.get('api', '', 'a1'))?.data, { name: 'pets' });
    await second.close();
  });

  it('migrates once when several nodes open the same schema at once', async () => {
    const schema = freshSchema();
    const stores = await Promise.all([openTestStore(schema), openTestStore(schema), openTestStore(schema)]);
    await Promise.all(stores.map((s) => s.close()));
    await (await openTestStore(schema)).close();
    const { rows } = await withAdmin((c) => c.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`));
    assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((_, i) => i + 1));
  });

  it('feeds changes to the watchers of every node on the schema, once per batch', async () => {
    const schema = freshSchema();
    const [a, b, other] = await Promise.all([openTestStore(schema), openTestStore(schema), openTestStore(freshSchema())]);
    const seenA: ChangeEvent[] = [];
    const seenB: ChangeEvent[] = [];
    const seenOther: ChangeEvent[] = [];
    a.watch((e) => seenA.push(e));
    b.watch((e) => seenB.push(e));
    other.watch((e) => seenOther.push(e));
    await a.apply([
      { op: 'insert', kind: 'api', scope: '', id: 'a1', data: {} },
      { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: {} },
      { op: 'check', kind: 'api', scope: '', id: 'a1' },
      { op: 'insert', kind: 'route', scope: 'a1', id: 'r2', data: {} },
    ]);
    await until(() => seenA.length > 0 && seenB.length > 0, 'the change on both nodes');
    await new Promise((r) => setTimeout(r, 100));
    const expected = { kinds: ['api', 'route'], scopes: ['', 'a1'] };
    assert.deepEqual(seenA, [expected]);
    assert.deepEqual(seenB, [expected]);
    assert.deepEqual(seenOther, [], 'another schema has a feed of its own');
    await Promise.all([a.close(), b.close(), other.close()]);
  });

  it('notifies "*" scopes when the real ones would overflow NOTIFY', async () => {
    const store = await openTestStore(freshSchema());
    const events: ChangeEvent[] = [];
    store.watch((e) => events.push(e));
    await store.apply(Array.from({ length: 100 }, (_, i) => ({ op: 'insert' as const, kind: 'route' as const, scope: `${i}-${'x'.repeat(100)}`, id: 'r', data: {} })));
    await until(() => events.length > 0, 'the change');
    assert.deepEqual(events, [{ kinds: ['route'], scopes: ['*'] }]);
    await store.close();
  });

  it('makes one of two concurrent versioned updates STALE', async () => {
    const store = await openTestStore(freshSchema());
    await store.apply([{ op: 'insert', kind: 'api', scope: '', id: 'a1', data: { n: 0 } }]);
    const results = await Promise.allSettled([1, 2].map((n) => store.apply([{ op: 'update', kind: 'api', scope: '', id: 'a1', data: { n }, ifVersion: 1 }])));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((failed.reason as StoreError).code, 'STALE');
    assert.equal((await store.get('api', '', 'a1'))?.version, 2);
    await store.close();
  });

  it('sees a reference committed by a batch that was checking the target while it deleted it', async () => {
    const schema = freshSchema();
    const store = await openTestStore(schema);
    await store.apply([{ op: 'insert', kind: 'authorizer', scope: 'a1', id: 'z1', data: {} }]);
    await withAdmin(async (creator) => {
      // Stands in for another node's CreateRoute: `check` the authorizer, then insert a route using it.
      await creator.query('BEGIN');
      await creator.query(`SELECT 1 FROM "${schema}".resources WHERE kind = 'authorizer' AND id = 'z1' FOR SHARE`);
      const deleting = store.apply([
        { op: 'checkUnreferenced', kind: 'route', scope: 'a1', field: 'authorizerId', value: 'z1' },
        { op: 'delete', kind: 'authorizer', scope: 'a1', id: 'z1' },
      ]);
      const settled = deleting.then(() => undefined, () => undefined);
      await new Promise((r) => setTimeout(r, 200));
      await creator.query(
        `INSERT INTO "${schema}".resources (kind, scope, id, version, data) VALUES ('route', 'a1', 'r1', 1, '{"authorizerId":"z1"}')`,
      );
      await creator.query('COMMIT');
      await settled;
      await assert.rejects(deleting, (err: unknown) => err instanceof StoreError && err.code === 'IN_USE' && err.step === 0 && err.holder?.id === 'r1');
    });
    assert.ok(await store.get('authorizer', 'a1', 'z1'));
    await store.close();
  });

  it('reconnects a lost feed and says anything may have changed meanwhile', async () => {
    const schema = freshSchema();
    const store = await openTestStore(schema);
    const events: ChangeEvent[] = [];
    store.watch((e) => events.push(e));
    const { rowCount } = await withAdmin((c) =>
      c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1', [`LISTEN "gatehouse_changes_${schema}"`]),
    );
    assert.equal(rowCount, 1);
    await until(() => events.length > 0, 'the reconnect');
    assert.deepEqual(events[0]?.scopes, ['*']);
    assert.ok(events[0]?.kinds.includes('routingRule'));
    await store.apply([{ op: 'insert', kind: 'api', scope: '', id: 'a1', data: {} }]);
    await until(() => events.length > 1, 'the change after the reconnect');
    assert.deepEqual(events.slice(1), [{ kinds: ['api'], scopes: [''] }]);
    await store.close();
  });

  it('reports an unreachable server as UNAVAILABLE', async () => {
    await assert.rejects(openPostgresStore('postgres://postgres@127.0.0.1:1/test'), (err: unknown) => err instanceof StoreError && err.code === 'UNAVAILABLE');
  });
});

describe('transactionReader: the reads of a derive step on the transaction connection', () => {
  /**
   * A real connection whose `query` counts calls sent while another runs (pg 9 refuses those); with
   * `failFirst`, the first read fails as a lost connection would make it.
   */
  const instrumented = async (fn: (client: Pick<pg.PoolClient, 'query'>, log: { overlaps: number; sent: number }) => Promise<void>, failFirst = false) => {
    const schema = freshSchema();
    const store = await openTestStore(schema);
    await store.apply([{ op: 'insert', kind: 'api', scope: 'p', id: 'a1', data: {} }, { op: 'insert', kind: 'route', scope: 'a1', id: 'r1', data: {} }]);
    const client = new pg.Client({ connectionString: URL, options: `-c search_path=${schema}` });
    await client.connect();
    const log = { overlaps: 0, sent: 0 };
    let running = 0;
    const query = async (text: string, values?: unknown[]) => {
      if (running > 0) log.overlaps++;
      running++;
      try {
        if (log.sent++ === 0 && failFirst) throw new Error('Connection terminated unexpectedly');
        return await client.query(text, values);
      } finally {
        running--;
      }
    };
    try {
      await fn({ query } as unknown as Pick<pg.PoolClient, 'query'>, log);
    } finally {
      await client.end();
      await store.close();
    }
  };

  it('sends concurrent reads one at a time, each with its own answer', async () => {
    await instrumented(async (client, log) => {
      const { reader, end } = transactionReader(client);
      const [routes, api, missing, apis] = await Promise.all([reader.listAll('route', 'a1'), reader.get('api', 'p', 'a1'), reader.get('route', 'a1', 'nope'), reader.listAll('api', 'p')]);
      await end();
      assert.deepEqual([routes.map((r) => r.id), api?.id, missing, apis.length], [['r1'], 'a1', undefined, 1]);
      assert.equal(log.sent, 4);
      assert.equal(log.overlaps, 0);
    });
  });

  it('after a failed read, end() waits for the read under way and none of the others reaches the connection', async () => {
    await instrumented(async (client, log) => {
      const { reader, end } = transactionReader(client);
      const reads = [reader.get('api', 'p', 'a1'), reader.listAll('route', 'a1'), reader.get('api', 'p', 'a1'), reader.listAll('api', 'p')];
      // What #transaction does when a derive step's Promise.all rejects: end the reads, then ROLLBACK.
      await assert.rejects(Promise.all(reads), /Connection terminated/);
      await end();
      const sentBeforeRollback = log.sent;
      await client.query('SELECT 1');
      assert.equal(log.overlaps, 0, 'no read still running where the ROLLBACK goes');
      const outcomes = await Promise.allSettled(reads);
      assert.equal(outcomes.filter((o) => o.status === 'rejected' && /after the step ended/.test(String(o.reason))).length, reads.length - sentBeforeRollback);
      await assert.rejects(reader.get('api', 'p', 'a1'), /after the step ended/);
      assert.equal(log.sent, sentBeforeRollback + 1, 'only the SELECT 1 was sent after end()');
    }, true);
  });
});
