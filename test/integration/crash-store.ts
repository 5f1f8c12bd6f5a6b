/**
 * What a crashed Gatehouse left in its store, read straight from SQLite or PostgreSQL (no server
 * in between): every resource, except that deployments come without their snapshots unless a
 * stage points at them (the history of auto-deployments would otherwise be re-read every round).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';

/** One stored resource. */
export interface Row {
  readonly kind: string;
  readonly scope: string;
  readonly id: string;
  readonly key: string | null;
  readonly data: Record<string, unknown>;
}

/** The store's contents, indexed. */
export class Dump {
  readonly rows: readonly Row[];
  readonly #index = new Map<string, Row>();

  constructor(rows: readonly Row[]) {
    this.rows = rows;
    for (const row of rows) this.#index.set(`${row.kind}\0${row.scope}\0${row.id}`, row);
  }

  get(kind: string, scope: string, id: string): Row | undefined {
    return this.#index.get(`${kind}\0${scope}\0${id}`);
  }

  /** Resources of a kind in a scope, in insertion order. */
  children(kind: string, scope: string): Row[] {
    return this.rows.filter((r) => r.kind === kind && r.scope === scope);
  }

  ofKind(kind: string): Row[] {
    return this.rows.filter((r) => r.kind === kind);
  }

  /** The API of this id, in whatever account and region scope. */
  api(apiId: string): Row | undefined {
    return this.rows.find((r) => r.kind === 'api' && r.id === apiId);
  }
}

/** Deployments as the store lists them: the snapshot of `full` ones, the description of the others. */
function withDeployments(rows: readonly Row[], deployments: readonly { scope: string; id: string; description: string | null }[], full: (scope: string, id: string) => Row | undefined): Dump {
  const out = [...rows];
  for (const d of deployments) out.push(full(d.scope, d.id) ?? { kind: 'deployment', scope: d.scope, id: d.id, key: null, data: { description: d.description, snapshotNotRead: true } });
  return new Dump(out);
}

/** The deployments stages point at, as `${scope}\0${id}`. */
const referenced = (rows: readonly Row[]) =>
  new Set(rows.filter((r) => r.kind === 'stage' && typeof r.data.deploymentId === 'string').map((r) => `${r.scope}\0${r.data.deploymentId as string}`));

/** Reads `{dataDir}/gatehouse.db` read-only (the WAL a killed writer left is read as SQLite recovers it). */
export function dumpSqlite(dataDir: string): Dump {
  const db = new Database(join(dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  try {
    type Raw = Omit<Row, 'data'> & { data: string };
    const toRow = (r: Raw): Row => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> });
    const rows = (db.prepare("SELECT kind, scope, id, key, data FROM resources WHERE kind <> 'deployment' ORDER BY seq").all() as Raw[]).map(toRow);
    const deployments = db
      .prepare("SELECT scope, id, json_extract(data, '$.description') AS description FROM resources WHERE kind = 'deployment' ORDER BY seq")
      .all() as { scope: string; id: string; description: string | null }[];
    const wanted = referenced(rows);
    const one = db.prepare<[string, string], Raw>("SELECT kind, scope, id, key, data FROM resources WHERE kind = 'deployment' AND scope = ? AND id = ?");
    return withDeployments(rows, deployments, (scope, id) => {
      const raw = wanted.has(`${scope}\0${id}`) ? one.get(scope, id) : undefined;
      return raw && toRow(raw);
    });
  } finally {
    db.close();
  }
}

/** Reads the resources table of `schema`. */
export async function dumpPostgres(client: pg.Client, schema: string): Promise<Dump> {
  const table = `"${schema}".resources`;
  const { rows } = await client.query<Row>(`SELECT kind, scope, id, key, data FROM ${table} WHERE kind <> 'deployment' ORDER BY seq`);
  const { rows: deployments } = await client.query<{ scope: string; id: string; description: string | null }>(
    `SELECT scope, id, data->>'description' AS description FROM ${table} WHERE kind = 'deployment' ORDER BY seq`,
  );
  const wanted = [...referenced(rows)].map((k) => k.split('\0') as [string, string]);
  const { rows: full } = await client.query<Row>(
    `SELECT kind, scope, id, key, data FROM ${table} WHERE kind = 'deployment' AND (scope, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [wanted.map((w) => w[0]), wanted.map((w) => w[1])],
  );
  return withDeployments(rows, deployments, (scope, id) => full.find((r) => r.scope === scope && r.id === id));
}
