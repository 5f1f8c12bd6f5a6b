/**
 * Versioned schema of the SQLite store. Append a migration; never edit an applied one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: resources as wire-shaped JSON documents addressed by (kind, scope, id), unique key per (kind, scope)
  `CREATE TABLE resources (
     seq     INTEGER PRIMARY KEY AUTOINCREMENT,
     kind    TEXT    NOT NULL,
     scope   TEXT    NOT NULL,
     id      TEXT    NOT NULL,
     key     TEXT,
     version INTEGER NOT NULL,
     data    TEXT    NOT NULL,
     UNIQUE (kind, scope, id)
   );
   CREATE UNIQUE INDEX resources_key ON resources (kind, scope, key) WHERE key IS NOT NULL;
   CREATE INDEX resources_scope ON resources (scope);`,
  // 2: look-ups by id across scopes (the data plane finds an API by its id in any account and region)
  'CREATE INDEX resources_kind_id ON resources (kind, id);',
];
