/**
 * The embedded store: SQLite (better-sqlite3) in WAL mode under the data directory.
 * Statements are prepared once; every batch runs in one IMMEDIATE transaction, so writers in
 * several processes sharing the file are serialised by SQLite itself; within the process, batches
 * queue behind each other, since a derive step keeps the transaction open across awaits.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ChangeEvent, Derive, Page, ResourceKind, Store, StoreReader, StoredResource, WriteOp } from '../store.js';
import { StoreError } from '../store.js';
import { MIGRATIONS } from './migrations.js';

interface Row {
  seq: number;
  kind: ResourceKind;
  scope: string;
  id: string;
  key: string | null;
  version: number;
  data: string;
}

const toResource = <T>(row: Row): StoredResource<T> => ({
  kind: row.kind,
  scope: row.scope,
  id: row.id,
  key: row.key,
  version: row.version,
  seq: row.seq,
  data: JSON.parse(row.data) as T,
});

const likePrefix = (scope: string) => scope.replace(/[\\%_]/g, (c) => `\\${c}`) + '/%';

/** Opens (creating and migrating as needed) the SQLite store at `{dataDir}/gatehouse.db`; `:memory:` for a private in-memory store. */
export function openSqliteStore(dataDir: string): Store {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, 'gatehouse.db');
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  if (applied > MIGRATIONS.length) {
    throw new Error(`the data directory's schema is version ${applied}, newer than this Gatehouse (${MIGRATIONS.length}); upgrade Gatehouse`);
  }
  const run = db.transaction(() => {
    for (let v = applied + 1; v <= MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v - 1] as string);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(v, new Date().toISOString());
    }
  });
  run.immediate();
}

class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #listeners = new Set<(e: ChangeEvent) => void>();
  readonly #stmt;
  /** The tail of the queue of batches (one open transaction at a time on this connection). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(db: Database.Database) {
    this.#db = db;
    this.#stmt = {
      get: db.prepare<[string, string, string], Row>('SELECT * FROM resources WHERE kind = ? AND scope = ? AND id = ?'),
      byKey: db.prepare<[string, string, string], Row>('SELECT * FROM resources WHERE kind = ? AND scope = ? AND key = ?'),
      page: db.prepare<[string, string, number, number], Row>(
        'SELECT * FROM resources WHERE kind = ? AND scope = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      all: db.prepare<[string, string], Row>('SELECT * FROM resources WHERE kind = ? AND scope = ? ORDER BY seq'),
      everyScope: db.prepare<[string], Row>('SELECT * FROM resources WHERE kind = ? ORDER BY seq'),
      anyScope: db.prepare<[string, string], Row>('SELECT * FROM resources WHERE kind = ? AND id = ? ORDER BY seq LIMIT 1'),
      insert: db.prepare<[string, string, string, string | null, string], Row>(
        'INSERT INTO resources (kind, scope, id, key, version, data) VALUES (?, ?, ?, ?, 1, ?) RETURNING *',
      ),
      update: db.prepare<[string | null, string, number], Row>(
        'UPDATE resources SET key = ?, data = ?, version = version + 1 WHERE seq = ? RETURNING *',
      ),
      delete: db.prepare<[number]>('DELETE FROM resources WHERE seq = ?'),
      deleteScope: db.prepare<[string, string]>("DELETE FROM resources WHERE scope = ? OR scope LIKE ? ESCAPE '\\'"),
      referenced: db.prepare<[string, string, string, string], Row>(
        'SELECT * FROM resources WHERE kind = ? AND scope = ? AND json_extract(data, ?) = ? LIMIT 1',
      ),
    };
  }

  async get<T>(kind: ResourceKind, scope: string, id: string): Promise<StoredResource<T> | undefined> {
    const row = this.#stmt.get.get(kind, scope, id);
    return row && toResource<T>(row);
  }

  async findByKey<T>(kind: ResourceKind, scope: string, key: string): Promise<StoredResource<T> | undefined> {
    const row = this.#stmt.byKey.get(kind, scope, key);
    return row && toResource<T>(row);
  }

  async list<T>(kind: ResourceKind, scope: string, page: { limit: number; after?: number }): Promise<Page<T>> {
    const rows = this.#stmt.page.all(kind, scope, page.after ?? 0, page.limit + 1);
    const items = rows.slice(0, page.limit).map((r) => toResource<T>(r));
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: last.seq } : { items };
  }

  async listAll<T>(kind: ResourceKind, scope: string): Promise<readonly StoredResource<T>[]> {
    return this.#stmt.all.all(kind, scope).map((r) => toResource<T>(r));
  }

  async listEveryScope<T>(kind: ResourceKind): Promise<readonly StoredResource<T>[]> {
    return this.#stmt.everyScope.all(kind).map((r) => toResource<T>(r));
  }

  async getInAnyScope<T>(kind: ResourceKind, id: string): Promise<StoredResource<T> | undefined> {
    const row = this.#stmt.anyScope.get(kind, id);
    return row && toResource<T>(row);
  }

  apply(batch: readonly WriteOp[], derive?: Derive): Promise<StoredResource[]> {
    const run = this.#queue.then(() => this.#transaction(batch, derive));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #transaction(batch: readonly WriteOp[], derive: Derive | undefined): Promise<StoredResource[]> {
    const db = this.#db;
    let ops = batch;
    try {
      db.exec('BEGIN IMMEDIATE');
      const written = batch.flatMap((op, step) => this.#step(op, step));
      if (derive) {
        const derived = await derive(this.#reader);
        written.push(...derived.flatMap((op, i) => this.#step(op, batch.length + i)));
        ops = [...batch, ...derived];
      }
      db.exec('COMMIT');
      this.#notify(ops);
      return written;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (err instanceof StoreError) throw err;
      const code = (err as { code?: string }).code ?? '';
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw new StoreError('UNAVAILABLE', 'the store is busy');
      throw err;
    }
  }

  /** Reads inside the open transaction (they see the batch's own writes). */
  readonly #reader: StoreReader = {
    get: (kind, scope, id) => this.get(kind, scope, id),
    listAll: (kind, scope) => this.listAll(kind, scope),
  };

  #step(op: WriteOp, step: number): StoredResource[] {
    const s = this.#stmt;
    switch (op.op) {
      case 'check':
      case 'lock':
        // The IMMEDIATE transaction already excludes every other writer.
        if (!s.get.get(op.kind, op.scope, op.id)) throw new StoreError('NOT_FOUND', `${op.kind} ${op.id} does not exist`, step);
        return [];
      case 'checkUnreferenced': {
        const holder = s.referenced.get(op.kind, op.scope, `$."${op.field}"`, op.value);
        if (holder) throw new StoreError('IN_USE', `${op.value} is referenced by ${op.kind} ${holder.id}`, step, toResource(holder));
        return [];
      }
      case 'insert': {
        if (s.get.get(op.kind, op.scope, op.id)) throw new StoreError('CONFLICT', `${op.kind} ${op.id} already exists`, step);
        if (op.key !== undefined && s.byKey.get(op.kind, op.scope, op.key)) {
          throw new StoreError('CONFLICT', `${op.kind} with key ${op.key} already exists`, step);
        }
        return [toResource(s.insert.get(op.kind, op.scope, op.id, op.key ?? null, JSON.stringify(op.data)) as Row)];
      }
      case 'update': {
        const current = s.get.get(op.kind, op.scope, op.id);
        if (!current) throw new StoreError('NOT_FOUND', `${op.kind} ${op.id} does not exist`, step);
        if (op.ifVersion !== undefined && current.version !== op.ifVersion) {
          throw new StoreError('STALE', `${op.kind} ${op.id} was changed concurrently`, step);
        }
        if (op.key !== undefined) {
          const clash = s.byKey.get(op.kind, op.scope, op.key);
          if (clash && clash.seq !== current.seq) throw new StoreError('CONFLICT', `${op.kind} with key ${op.key} already exists`, step);
        }
        return [toResource(s.update.get(op.key ?? current.key, JSON.stringify(op.data), current.seq) as Row)];
      }
      case 'delete': {
        const current = s.get.get(op.kind, op.scope, op.id);
        if (!current) throw new StoreError('NOT_FOUND', `${op.kind} ${op.id} does not exist`, step);
        s.delete.run(current.seq);
        if (op.cascade !== undefined) s.deleteScope.run(op.cascade, likePrefix(op.cascade));
        return [];
      }
    }
  }

  #notify(batch: readonly WriteOp[]): void {
    const writes = batch.filter((op) => op.op === 'insert' || op.op === 'update' || op.op === 'delete');
    if (writes.length === 0 || this.#listeners.size === 0) return;
    const event: ChangeEvent = {
      kinds: [...new Set(writes.map((op) => op.kind))],
      scopes: [...new Set(writes.map((op) => op.scope))],
    };
    for (const listener of this.#listeners) listener(event);
  }

  watch(listener: (event: ChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async ping(): Promise<void> {
    // A closed database throws "The database connection is not open".
    this.#db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    if (this.#db.open) this.#db.close();
  }
}
