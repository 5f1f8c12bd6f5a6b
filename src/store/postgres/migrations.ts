/**
 * Versioned schema of the PostgreSQL store. Append a migration; never edit an applied one.
 */
import type pg from 'pg';

export const MIGRATIONS: readonly string[] = [
  // 1: resources as wire-shaped JSON documents addressed by (kind, scope, id), unique key per (kind, scope)
  `CREATE TABLE resources (
     seq     bigserial PRIMARY KEY,
     kind    text      NOT NULL,
     scope   text      NOT NULL,
     id      text      NOT NULL,
     key     text,
     version integer   NOT NULL,
     data    jsonb     NOT NULL,
     CONSTRAINT resources_id UNIQUE (kind, scope, id)
   );
   CREATE UNIQUE INDEX resources_key ON resources (kind, scope, key) WHERE key IS NOT NULL;
   -- text_pattern_ops so the cascade's "scope LIKE 'prefix/%'" can use the index whatever the collation
   CREATE INDEX resources_scope ON resources (scope text_pattern_ops);`,
  // 2: look-ups by id across scopes (the data plane finds an API by its id in any account and region)
  'CREATE INDEX resources_kind_id ON resources (kind, id);',
];

// "gatehous" in ASCII: one database-wide lock, so nodes starting together migrate one at a time.
const MIGRATION_LOCK = '7449354444534473843';

/** Brings the schema in the client's search_path (created first when `schema` is given) up to date. */
export async function migrate(client: pg.ClientBase, schema?: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    const applied = rows[0]?.v ?? 0;
    if (applied > MIGRATIONS.length) {
      throw new Error(`the database schema is version ${applied}, newer than this Gatehouse (${MIGRATIONS.length}); upgrade Gatehouse`);
    }
    for (let v = applied + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1] as string);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
