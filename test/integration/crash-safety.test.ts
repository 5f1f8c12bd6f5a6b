/**
 * Crash safety: `gatehouse serve` (a child process) is killed with SIGKILL at a random moment
 * while concurrent writers change shared APIs through the AWS SDK, then restarted on the same
 * store, round after round, on SQLite and on PostgreSQL. After each kill, the store must hold every
 * acknowledged (2xx) write and no write answered 4xx; a request in flight at the kill may or may
 * not have been applied, but never in part; no reference dangles; every auto-deploy stage serves
 * a deployment of its API's current routes, integrations, authorizers and models. After each
 * restart, the data plane serves every route changed in the round (a route deleted answers 404)
 * and the management API lists what the store holds. See crash-ledger.ts for how writes are told apart.
 *
 * Bounded: GATEHOUSE_CRASH_ROUNDS rounds per store (default 8, or fewer, but at least 3, when
 * they have taken 50 s: the machine is shared), each GATEHOUSE_CRASH_WRITERS
 * writers (default 6) for 300-1500 ms before the kill (longer, up to 10 s, until 10 writes were
 * acknowledged in the round, as on a busy machine). GATEHOUSE_CRASH_SEED replays a run's
 * choices (printed as a diagnostic; timing still varies). For a longer run:
 *   GATEHOUSE_CRASH_ROUNDS=100 node --test dist/test/integration/crash-safety.test.js
 * Only the child this test started is killed, by its PID. PostgreSQL: a fresh schema per run,
 * selected with `options=-c search_path=...` in the --store URL (the CLI has no schema setting);
 * GATEHOUSE_TEST_POSTGRES_URL names the server (default postgres://postgres@127.0.0.1:5432/test).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import { CreateApiCommand, CreateDomainNameCommand } from '@aws-sdk/client-apigatewayv2';
import pg from 'pg';
import { fixture, lambdaArn } from '../helpers/data-plane.js';
import { sdkClient } from '../helpers/server.js';
import { controlPlaneProblems, probeDataPlane, structuralProblems } from './crash-checks.js';
import { Ledger, quickRouteKey } from './crash-ledger.js';
import type { ChildServer } from './crash-server.js';
import { startChild } from './crash-server.js';
import type { Dump } from './crash-store.js';
import { dumpPostgres, dumpSqlite } from './crash-store.js';
import type { Writer } from './crash-writers.js';
import { random, runWriter } from './crash-writers.js';

const ROUNDS = Number(process.env.GATEHOUSE_CRASH_ROUNDS ?? 8);
/** Without GATEHOUSE_CRASH_ROUNDS, a store's rounds also end after this long (at least MIN_ROUNDS run), so a busy machine keeps `npm test` bounded. */
const BUDGET_MS = process.env.GATEHOUSE_CRASH_ROUNDS === undefined ? 50_000 : Infinity;
const MIN_ROUNDS = 3;
const WRITERS = Number(process.env.GATEHOUSE_CRASH_WRITERS ?? 6);
const SEED = Number(process.env.GATEHOUSE_CRASH_SEED ?? randomBytes(4).readUInt32BE(0));
const BASE_APIS = 3;
/** Each round runs until at least this many writes were acknowledged (at most MAX_LOAD_MS). */
const MIN_ACKED = 10;
const MAX_LOAD_MS = 10_000;
const PG_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The store a run crashes: how to start Gatehouse on it, and how to read it while no Gatehouse runs. */
interface Target {
  readonly args: readonly string[];
  /** Resolves once nothing the killed server started can still commit. */
  settle(): Promise<void>;
  dump(): Promise<Dump>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const serveArgs = (dataDir: string) => ['--data-dir', dataDir, '--function', `echo=${fixture('echo.mjs')}`];

function sqliteTarget(): Target {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-crash-'));
  return {
    args: serveArgs(dataDir),
    settle: async () => undefined,
    dump: async () => dumpSqlite(dataDir),
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-crash-pg-'));
  const schema = `gh_crash_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  // The application name tells the killed server's sessions apart (settle waits for them to end).
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}&application_name=${schema}`;
  return {
    args: [...serveArgs(dataDir), '--store', url],
    async settle() {
      // PostgreSQL ends a dead client's session when it next reads from it; a COMMIT it already received still completes.
      for (const start = Date.now(); ; await sleep(20)) {
        const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [schema]);
        if (rows[0]?.n === '0') return;
        if (Date.now() - start > 10_000) throw new Error(`sessions of the killed server still open after 10 s: ${rows[0]?.n}`);
      }
    },
    dump: () => dumpPostgres(admin, schema),
    async cleanup() {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Three quick-created APIs all writers share, and a custom domain name per writer. */
async function setUp(server: ChildServer, ledger: Ledger, run: string): Promise<string[]> {
  const client = sdkClient(server.url);
  try {
    for (let i = 0; i < BASE_APIS; i++) {
      const token = ledger.token();
      const api = await client.send(new CreateApiCommand({ Name: token, ProtocolType: 'HTTP', Target: lambdaArn('echo'), RouteKey: quickRouteKey(token) }));
      ledger.track({ kind: 'api', owner: -1, token, apiId: api.ApiId as string, id: api.ApiId, exists: 'yes' });
    }
    const domains = Array.from({ length: WRITERS }, (_, i) => `w${i}-${run}.crash.example.com`);
    for (const domain of domains) await client.send(new CreateDomainNameCommand({ DomainName: domain }));
    return domains;
  } finally {
    client.destroy();
  }
}

/** Errors the server logged (a crash-free run logs none). */
const loggedErrors = (server: ChildServer) => server.stderr().split('\n').filter((l) => l.includes('"level":"error"'));

async function crashRounds(t: TestContext, target: Target): Promise<void> {
  const run = randomBytes(3).toString('hex');
  const rng = random(SEED);
  const ledger = new Ledger(run);
  t.diagnostic(`seed ${SEED}, ${ROUNDS} rounds, ${WRITERS} writers`);
  let server = await startChild(target.args);
  try {
    const domains = await setUp(server, ledger, run);
    const begun = Date.now();
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > MIN_ROUNDS && Date.now() - begun > BUDGET_MS) {
        t.diagnostic(`stopped after ${round - 1} rounds: the ${BUDGET_MS / 1000} s budget is spent (a busy machine; GATEHOUSE_CRASH_ROUNDS runs them all)`);
        break;
      }
      const before = { ...ledger.outcomes };
      const writers: Writer[] = domains.map((domain, index) => ({ index, client: sdkClient(server.url), rng: random(Math.floor(rng() * 2 ** 32)), ledger, domain, dead: false }));
      let stopped = false;
      const running = writers.map((w) => runWriter(w, () => stopped));
      const loadMs = Math.round(300 + rng() * 1200);
      // On a busy machine a short round could end before any write was answered: wait for a few, within bounds.
      const started = Date.now();
      while (Date.now() - started < loadMs || (ledger.outcomes.acked - before.acked < MIN_ACKED && Date.now() - started < MAX_LOAD_MS)) await sleep(10);
      const loadedMs = Date.now() - started;
      assert.equal(server.exited(), undefined, `the server died before the kill:\n${server.stderr()}`);
      assert.deepEqual(loggedErrors(server), [], 'errors logged under load');
      await server.kill();
      const killedAt = Date.now();
      stopped = true;
      await Promise.all(running);
      for (const w of writers) w.client.destroy();
      assert.equal(server.exited()?.signal, 'SIGKILL');
      assert.deepEqual(ledger.failures, [], `round ${round}: 5xx answers or refusals that did not happen`);

      await target.settle();
      const dump = await target.dump();
      assert.deepEqual([...structuralProblems(dump), ...ledger.reconcile(dump)], [], `round ${round} (seed ${SEED}): the store after the kill`);

      server = await startChild(target.args);
      const client = sdkClient(server.url);
      const { problems, probes } = await probeDataPlane(server.port, ledger, dump);
      problems.push(...(await controlPlaneProblems(client, dump)));
      client.destroy();
      assert.deepEqual(problems, [], `round ${round} (seed ${SEED}): after the restart`);

      const n = (k: keyof typeof before) => ledger.outcomes[k] - before[k];
      const last = ledger.lastRoute ? `${killedAt - ledger.lastRoute.at} ms` : 'none';
      t.diagnostic(
        `round ${round}: ${loadedMs} ms of load, ${n('acked')} acknowledged, ${n('refused')} refused, ${n('unknown')} in flight at the kill, ` +
          `${n('unsent')} unsent; last CreateRoute acknowledged ${last} before the kill; ${dump.rows.length} resources; ${probes} data-plane probes`,
      );
      ledger.nextRound();
    }
    t.diagnostic(`refusals: ${[...ledger.refusals].map(([reason, count]) => `${reason} x${count}`).join('; ')}`);
    assert.deepEqual(loggedErrors(server), [], 'errors logged after the last restart');
    assert.equal(await server.stop(), 0, 'a clean shutdown after the last restart');
  } finally {
    if (!server.exited()) await server.kill();
    await target.cleanup();
  }
}

describe('crash safety: gatehouse serve killed with SIGKILL under concurrent writes, then restarted', () => {
  it('SQLite: acknowledged writes are kept, refused ones absent, none half-applied, auto-deploy stages current', { timeout: 120_000 + ROUNDS * 10_000 }, (t) =>
    crashRounds(t, sqliteTarget()),
  );

  it('PostgreSQL: acknowledged writes are kept, refused ones absent, none half-applied, auto-deploy stages current', { timeout: 120_000 + ROUNDS * 10_000 }, async (t) =>
    crashRounds(t, await postgresTarget()),
  );
});
