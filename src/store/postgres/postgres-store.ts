/**
 * The shared store: PostgreSQL, for several Gatehouse nodes over one database.
 * Every batch runs in one READ COMMITTED transaction; unique constraints and row locks, not
 * pre-checks, decide races. Committed batches are announced with NOTIFY, so every node's
 * watchers (this one's included) hear of each batch exactly once, from one LISTEN connection.
 */
import { userInfo } from 'node:os';
import pg from 'pg';
import { ConfigError, SETTINGS } from '../../config.js';
import type { ChangeEvent, Derive, Page, ResourceKind, Store, StoreReader, StoredResource, WriteOp } from '../store.js';
import { StoreError } from '../store.js';
import { migrate } from './migrations.js';

interface Row {
  seq: string;
  kind: ResourceKind;
  scope: string;
  id: string;
  key: string | null;
  version: number;
  data: Record<string, unknown>;
}

const COLUMNS = 'seq, kind, scope, id, key, version, data';

const toResource = <T>(row: Row): StoredResource<T> => ({
  kind: row.kind,
  scope: row.scope,
  id: row.id,
  key: row.key,
  version: row.version,
  seq: Number(row.seq),
  data: row.data as T,
});

const likePrefix = (scope: string) => scope.replace(/[\\%_]/g, (c) => `\\${c}`) + '/%';

// Exhaustive by construction: the compiler rejects a missing or unknown kind.
const KIND_SET: Record<ResourceKind, true> = {
  api: true, route: true, integration: true, authorizer: true, stage: true, deployment: true, routeResponse: true,
  integrationResponse: true, model: true, domainName: true, apiMapping: true, vpcLink: true, routingRule: true,
};
const ALL_KINDS = Object.keys(KIND_SET) as ResourceKind[];

/** NOTIFY payloads must stay below 8000 bytes. */
const MAX_PAYLOAD = 7999;
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 3;
const RECONNECT_MAX_MS = 30_000;

// Deadlocks and serialization failures abort one side of a race; the batch is pure data, so it is retried.
const RETRYABLE = new Set(['40001', '40P01']);
const UNREACHABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  '53300', '55P03', '57014', '57P01', '57P02', '57P03',
]);

const isUnavailable = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNREACHABLE.has(code) || code.startsWith('08'))) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended|ECONNREFUSED/i.test(message);
};

const unavailable = (err: unknown, step = -1) =>
  new StoreError('UNAVAILABLE', `PostgreSQL is unavailable: ${err instanceof Error ? err.message : String(err)}`, step);

/**
 * The change notified for a batch, like the SQLite store's. Scopes `['*']` mean "anything may have
 * changed": sent when the real scopes would overflow NOTIFY, and after the feed reconnects.
 */
function changePayload(batch: readonly WriteOp[]): string | undefined {
  const writes = batch.filter((op) => op.op === 'insert' || op.op === 'update' || op.op === 'delete');
  if (writes.length === 0) return undefined;
  const kinds = [...new Set(writes.map((op) => op.kind))];
  const payload = JSON.stringify({ kinds, scopes: [...new Set(writes.map((op) => op.scope))] });
  return Buffer.byteLength(payload) <= MAX_PAYLOAD ? payload : JSON.stringify({ kinds, scopes: ['*'] });
}

/**
 * Reads inside an open transaction (they see its own writes and what others committed before each read).
 * A derive step may ask for several at once (`Promise.all`); the transaction has one connection, which
 * runs one query at a time, so they wait in turn here: pg 8 queues a query sent while another runs, with a
 * deprecation warning, and pg 9 refuses it. `end()` waits for the read under way and refuses the ones not
 * started: after a failed read has failed the step (`Promise.all` rejects at once), none may reach the
 * connection once the transaction goes on to its ROLLBACK, or the connection back to the pool.
 */
export function transactionReader(client: Pick<pg.PoolClient, 'query'>): { readonly reader: StoreReader; end(): Promise<void> } {
  let previous: Promise<unknown> = Promise.resolve();
  let ended = false;
  const rowsOf = (text: string, values: unknown[]): Promise<Row[]> => {
    const rows = previous.then(() => {
      if (ended) throw new Error('a read of a derive step after the step ended');
      return client.query<Row>(text, values);
    }).then((result) => result.rows);
    previous = rows.catch(() => undefined);
    return rows;
  };
  return {
    reader: {
      async get<T>(kind: ResourceKind, scope: string, id: string) {
        const [row] = await rowsOf(`SELECT ${COLUMNS} FROM resources WHERE kind = $1 AND scope = $2 AND id = $3`, [kind, scope, id]);
        return row && toResource<T>(row);
      },
      async listAll<T>(kind: ResourceKind, scope: string) {
        const rows = await rowsOf(`SELECT ${COLUMNS} FROM resources WHERE kind = $1 AND scope = $2 ORDER BY seq`, [kind, scope]);
        return rows.map((r) => toResource<T>(r));
      },
    },
    async end() {
      ended = true;
      await previous;
    },
  };
}

/** The OS user name as libpq finds it: the passwd entry of the effective uid (works without $USER). */
const osUserName = (): string | undefined => {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined; // a uid without a passwd entry (containers started with --user 12345)
  }
};

/**
 * The URL, with a `user` parameter added when it names no user and pg finds none either (pg falls
 * back to PGUSER, then $USER only): like libpq, the OS user name. Throws a ConfigError naming the
 * setting to fix when there is none.
 */
export function withDefaultUser(url: string, osUser: () => string | undefined = osUserName): string {
  // pg's own resolution (URL user, ?user=, PGUSER, $USER); constructing a Client does not connect.
  if (new pg.Client({ connectionString: url }).user) return url;
  const user = osUser();
  if (!user) {
    const example = url.includes('@') ? '' : ` (${url.replace(/^(postgres(?:ql)?:\/\/)/, '$1USER@')})`;
    throw new ConfigError(
      `${SETTINGS.store.flag} / ${SETTINGS.store.env}: the PostgreSQL URL names no user, and none can be found (PGUSER and USER are unset and the OS user has no name): put the user in the URL${example} or set PGUSER`,
    );
  }
  const hash = url.indexOf('#');
  const [base, fragment] = hash === -1 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  return `${base}${base.includes('?') ? '&' : '?'}user=${encodeURIComponent(user)}${fragment}`;
}

/**
 * Opens (migrating as needed) the store at a PostgreSQL URL. `schema` (lower-case letters, digits
 * and `_`) puts the tables in that schema, created if missing, and gives it a change feed of its own.
 */
export async function openPostgresStore(url: string, options: { schema?: string } = {}): Promise<Store> {
  const { schema } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,44}$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: use up to 45 lower-case letters, digits and _`);
  }
  const config: pg.ClientConfig = { connectionString: withDefaultUser(url), connectionTimeoutMillis: CONNECT_TIMEOUT_MS };
  const pool = new pg.Pool({ ...config, ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }) });
  // An idle pooled connection that dies is dropped by the pool; without a listener the error would crash the process.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool, config, schema === undefined ? 'gatehouse_changes' : `gatehouse_changes_${schema}`);
  try {
    const client = await pool.connect();
    const lost = () => undefined; // the migration's own query fails; see #transaction
    client.on('error', lost);
    try {
      await migrate(client, schema);
    } finally {
      client.off('error', lost);
      client.release();
    }
    await store.listen();
  } catch (err) {
    await store.close();
    throw isUnavailable(err) ? unavailable(err) : err;
  }
  return store;
}

class PostgresStore implements Store {
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #listeners = new Set<(e: ChangeEvent) => void>();
  #feed: pg.Client | undefined;
  #reconnect: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(pool: pg.Pool, config: pg.ClientConfig, channel: string) {
    this.#pool = pool;
    this.#config = config;
    this.#channel = channel;
  }

  async get<T>(kind: ResourceKind, scope: string, id: string): Promise<StoredResource<T> | undefined> {
    const [row] = await this.#query(`SELECT ${COLUMNS} FROM resources WHERE kind = $1 AND scope = $2 AND id = $3`, [kind, scope, id]);
    return row && toResource<T>(row);
  }

  async findByKey<T>(kind: ResourceKind, scope: string, key: string): Promise<StoredResource<T> | undefined> {
    const [row] = await this.#query(`SELECT ${COLUMNS} FROM resources WHERE kind = $1 AND scope = $2 AND key = $3`, [kind, scope, key]);
    return row && toResource<T>(row);
  }

  async list<T>(kind: ResourceKind, scope: string, page: { limit: number; after?: number }): Promise<Page<T>> {
    const rows = await this.#query(
      `SELECT ${COLUMNS} FROM resources WHERE kind = $1 AND scope = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
      [kind, scope, page.after ?? 0, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map((r) => toResource<T>(r));
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: last.seq } : { items };
  }

  async listAll<T>(kind: ResourceKind, scope: string): Promise<readonly StoredResource<T>[]> {
    const rows = await this.#query(`SELECT ${COLUMNS} FROM resources WHERE kind = $1 AND scope = $2 ORDER BY seq`, [kind, scope]);
    return rows.map((r) => toResource<T>(r));
  }

  async listEveryScope<T>(kind: ResourceKind): Promise<readonly StoredResource<T>[]> {
    const rows = await this.#query(`SELECT ${COLUMNS} FROM resources WHERE kind = $1 ORDER BY seq`, [kind]);
    return rows.map((r) => toResource<T>(r));
  }

  async getInAnyScope<T>(kind: ResourceKind, id: string): Promise<StoredResource<T> | undefined> {
    const [row] = await this.#query(`SELECT ${COLUMNS} FROM resources WHERE kind = $1 AND id = $2 ORDER BY seq LIMIT 1`, [kind, id]);
    return row && toResource<T>(row);
  }

  async apply(batch: readonly WriteOp[], derive?: Derive): Promise<StoredResource[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transaction(batch, derive);
      } catch (err) {
        if (!RETRYABLE.has((err as { code?: string }).code ?? '')) throw err;
        if (attempt === MAX_ATTEMPTS) throw new StoreError('UNAVAILABLE', 'the store is busy');
      }
    }
  }

  async #transaction(batch: readonly WriteOp[], derive: Derive | undefined): Promise<StoredResource[]> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
    let step = -1;
    let broken = false;
    let ops = batch;
    // A checked-out client has no listener of the pool's: a connection the server ends between two
    // queries (a restart: 57P01) would emit an unhandled 'error' and end the process. The next query fails instead.
    const lost = () => {
      broken = true;
    };
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      const written: StoredResource[] = [];
      for (const [i, op] of batch.entries()) {
        step = i;
        written.push(...(await this.#step(client, op, step)));
      }
      if (derive) {
        step = -1;
        const reading = transactionReader(client);
        let derived: readonly WriteOp[];
        try {
          derived = await derive(reading.reader);
        } finally {
          await reading.end();
        }
        ops = [...batch, ...derived];
        for (let i = batch.length; i < ops.length; i++) {
          step = i;
          written.push(...(await this.#step(client, ops[i] as WriteOp, step)));
        }
      }
      // A reference inserted by a batch that held a `check` lock on the target commits before our
      // delete gets that row; checking again now, under our locks, sees it (SQLite gets this by serialising writers).
      for (const [i, op] of ops.entries()) {
        step = i;
        if (op.op === 'checkUnreferenced') await this.#step(client, op, step);
      }
      step = -1;
      const payload = changePayload(ops);
      // Sent inside the transaction: PostgreSQL delivers it at commit, and drops it on rollback.
      if (payload !== undefined) await client.query('SELECT pg_notify($1, $2)', [this.#channel, payload]);
      await client.query('COMMIT');
      return written;
    } catch (err) {
      broken = isUnavailable(err);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw this.#translate(err, ops[step], step);
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  async #step(client: pg.PoolClient, op: WriteOp, step: number): Promise<StoredResource[]> {
    switch (op.op) {
      case 'check': {
        // FOR SHARE holds off a concurrent delete of what this batch relies on until we commit.
        const { rowCount } = await client.query('SELECT 1 FROM resources WHERE kind = $1 AND scope = $2 AND id = $3 FOR SHARE', [op.kind, op.scope, op.id]);
        if (!rowCount) throw new StoreError('NOT_FOUND', `${op.kind} ${op.id} does not exist`, step);
        return [];
      }
      case 'lock': {
        const { rowCount } = await client.query('SELECT 1 FROM resources WHERE kind = $1 AND scope = $2 AND id = $3 FOR UPDATE', [op.kind, op.scope, op.id]);
        if (!rowCount) throw new StoreError('NOT_FOUND', `${op.kind} ${op.id} does not exist`, step);
        return [];
      }
      case 'checkUnreferenced': {
        const { rows } = await client.query<Row>(
          `SELECT ${COLUMNS} FROM resources WHERE kind = $1 AND scope = $2 AND data->>$3 = $4 ORDER BY seq LIMIT 1`,
          [op.kind, op.scope, op.field, op.value],
        );
        const holder = rows[0];
        if (holder) throw new StoreError('IN_USE', `${op.value} is referenced by ${op.kind} ${holder.id}`, step, toResource(holder));
        return [];
      }
      case 'insert': {
        const { rows } = await client.query<Row>(
          `INSERT INTO resources (kind, scope, id, key, version, data) VALUES ($1, $2, $3, $4, 1, $5::jsonb) RETURNING ${COLUMNS}`,
          [op.kind, op.scope, op.id, op.key ?? null, JSON.stringify(op.data)],
        );
        return rows.map((r) => toResource(r));
      }
      case 'update': {
        const { rows: [current] } = await client.query<Row>(
          'SELECT seq, key, version FROM resources WHERE kind = $1 AND scope = $2 AND id = $3 FOR UPDATE',
          [op.kind, op.scope, op.id],
        );
        if (!current) throw new StoreError('NOT_FOUND', `${op.kind} ${op.id} does not exist`, step);
        if (op.ifVersion !== undefined && current.version !== op.ifVersion) {
          throw new StoreError('STALE', `${op.kind} ${op.id} was changed concurrently`, step);
        }
        const { rows } = await client.query<Row>(
          `UPDATE resources SET key = $1, data = $2::jsonb, version = version + 1 WHERE seq = $3 RETURNING ${COLUMNS}`,
          [op.key ?? current.key, JSON.stringify(op.data), current.seq],
        );
        return rows.map((r) => toResource(r));
      }
      case 'delete': {
        // DELETE takes the same row lock as SELECT ... FOR UPDATE, in one round trip.
        const { rowCount } = await client.query('DELETE FROM resources WHERE kind = $1 AND scope = $2 AND id = $3', [op.kind, op.scope, op.id]);
        if (!rowCount) throw new StoreError('NOT_FOUND', `${op.kind} ${op.id} does not exist`, step);
        if (op.cascade !== undefined) {
          await client.query("DELETE FROM resources WHERE scope = $1 OR scope LIKE $2 ESCAPE '\\'", [op.cascade, likePrefix(op.cascade)]);
        }
        return [];
      }
    }
  }

  #translate(err: unknown, op: WriteOp | undefined, step: number): unknown {
    if (err instanceof StoreError) return err;
    const { code, constraint } = err as { code?: string; constraint?: string };
    if (code === '23505' && op && (op.op === 'insert' || op.op === 'update')) {
      return constraint === 'resources_key'
        ? new StoreError('CONFLICT', `${op.kind} with key ${op.key} already exists`, step)
        : new StoreError('CONFLICT', `${op.kind} ${op.id} already exists`, step);
    }
    if (code !== undefined && RETRYABLE.has(code)) return err;
    return isUnavailable(err) ? unavailable(err, step) : err;
  }

  async #query(text: string, values: unknown[]): Promise<Row[]> {
    try {
      return (await this.#pool.query<Row>(text, values)).rows;
    } catch (err) {
      throw isUnavailable(err) ? unavailable(err) : err;
    }
  }

  /** Starts the LISTEN connection; resolves once it is listening. */
  async listen(): Promise<void> {
    const client = new pg.Client(this.#config);
    client.on('notification', (msg) => {
      if (msg.channel === this.#channel) this.#dispatch(msg.payload);
    });
    const lost = () => {
      if (this.#feed !== client) return;
      this.#feed = undefined;
      client.end().catch(() => undefined);
      this.#retry(1000);
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#channel}"`);
    } catch (err) {
      client.end().catch(() => undefined);
      throw err;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#feed = client;
  }

  #retry(delay: number): void {
    if (this.#closed) return;
    this.#reconnect = setTimeout(() => {
      this.listen().then(
        // Whatever was notified while the feed was down is lost.
        () => {
          if (this.#feed) this.#emit({ kinds: ALL_KINDS, scopes: ['*'] });
        },
        () => this.#retry(Math.min(delay * 2, RECONNECT_MAX_MS)),
      );
    }, delay);
    this.#reconnect.unref();
  }

  #dispatch(payload: string | undefined): void {
    let event: ChangeEvent;
    try {
      const parsed = JSON.parse(payload ?? '') as Partial<ChangeEvent>;
      if (!Array.isArray(parsed.kinds) || !Array.isArray(parsed.scopes)) return;
      event = { kinds: parsed.kinds, scopes: parsed.scopes };
    } catch {
      return;
    }
    this.#emit(event);
  }

  #emit(event: ChangeEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        // One faulty watcher must neither starve the others nor kill the feed connection.
        process.emitWarning(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  watch(listener: (event: ChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('the store is closed');
    await this.#query('SELECT 1', []);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    clearTimeout(this.#reconnect);
    const feed = this.#feed;
    this.#feed = undefined;
    await feed?.end().catch(() => undefined);
    await this.#pool.end();
  }
}
