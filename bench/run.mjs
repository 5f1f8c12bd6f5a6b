#!/usr/bin/env node
/**
 * `npm run bench`: Gatehouse's data plane side by side with the Node limits of the same work, in one run,
 * reported as ratios. bench/README.md explains each row, the targets and the options.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { AUDIENCE, CLI, ROOT, createBenchApis, expectStatus, hostOf, mintToken, startGatehouse, waitHealthy } from './lib/gatehouse.mjs';
import { hasWrk, runLoad } from './lib/load.mjs';
import { cpuSeconds, detectPinning, firstSuccess, freePort, get, pinSelf, sampleRss, start, stopOnSignals } from './lib/procs.mjs';
import { aggregate, checksOf, intervalNotes, median, renderTable, steadiness } from './lib/report.mjs';

const ALL_ROWS = ['a', 'b', 'c', 'fastify', 'd', 'e', 'f', 'h', 'g'];
const USAGE = `usage: npm run bench -- [options]      (or node bench/run.mjs [options])
  --duration <s>       measured seconds per row (default 10)
  --warmup <s>         discarded warm-up seconds before each row (default 2; 0 for none)
  --connections <n>    keep-alive connections (default 50)
  --tool <name>        wrk | autocannon (default: wrk when installed)
  --rounds <n>         measure every row n times, interleaved; report medians (default 1)
  --rows <list>        subset of ${ALL_ROWS.join(',')} (default: all; h includes its twin h0)
  --startup-runs <n>   spawns for (g), median reported (default 5)
  --build | --no-build force npm run build | never build (default: build when dist/ is older than src/)
  --no-pin             do not pin with taskset
  --fastify-dir <dir>  where fastify + @fastify/http-proxy are installed (default /tmp/gh-bench-fastify)
  --out <file>         JSON results (default bench/results/latest.json)
  --cpu-prof <dir>     run Gatehouse under node --cpu-prof, the profile written there on exit`;

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    tool: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    rows: { type: 'string', default: ALL_ROWS.join(',') },
    'startup-runs': { type: 'string', default: '5' },
    build: { type: 'boolean' },
    'no-build': { type: 'boolean' },
    'no-pin': { type: 'boolean' },
    'fastify-dir': { type: 'string', default: process.env.BENCH_FASTIFY_DIR ?? '/tmp/gh-bench-fastify' },
    out: { type: 'string', default: join(ROOT, 'bench/results/latest.json') },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const log = (message) => process.stderr.write(`bench: ${message}\n`);
function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const seconds = Number(opts.duration);
const warmup = Number(opts.warmup);
const connections = Number(opts.connections);
const rounds = Number(opts.rounds);
const startupRuns = Number(opts['startup-runs']);
const rows = new Set(opts.rows.split(',').map((r) => r.trim()));
for (const r of rows) if (!ALL_ROWS.includes(r)) fail(`unknown row ${r} (rows: ${ALL_ROWS.join(',')})`);
if (!(seconds > 0) || !(warmup >= 0) || !(connections > 0) || !(rounds >= 1) || !(startupRuns >= 1)) fail('invalid numeric option\n' + USAGE);
const tool = opts.tool ?? (hasWrk() ? 'wrk' : 'autocannon');
if (tool !== 'wrk' && tool !== 'autocannon') fail(`--tool must be wrk or autocannon, got ${tool}`);
if (tool === 'wrk' && !hasWrk()) fail('--tool wrk: wrk is not installed (apt-get install -y wrk); or use --tool autocannon');

// The AWS SDK warns about Node 20 on every run; the benchmark's output is the table, keep it readable.
process.removeAllListeners('warning');
process.on('warning', (w) => !`${w.name} ${w.message}`.includes('NodeVersionSupportWarning') && log(`${w.name}: ${w.message}`));

// ---- build: never measure a dist/ older than src/ ------------------------------------------------------------

function distIsStale() {
  if (!existsSync(CLI)) return true;
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  // The bundle (CLI) is written afresh by every build, after tsc.
  const built = statSync(CLI).mtimeMs;
  return walk(join(ROOT, 'src')).some((ts) => {
    const js = join(ROOT, 'dist', relative(ROOT, ts)).replace(/\.ts$/, '.js');
    return !existsSync(js) || statSync(js).mtimeMs < statSync(ts).mtimeMs || built < statSync(ts).mtimeMs;
  });
}
if (opts['no-build']) {
  if (!existsSync(CLI)) fail('--no-build: dist/ is missing; run npm run build first');
} else if (opts.build || distIsStale()) {
  log('building (npm run build): dist/ is missing or older than src/');
  if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] }).status !== 0) fail('npm run build failed');
}

// ---- machine, pinning ----------------------------------------------------------------------------------------

const nproc = availableParallelism();
const pinning = detectPinning(nproc, opts['no-pin']);
if (pinning) pinSelf(pinning.load);
const serverCpu = pinning?.server;
const loadCpu = pinning?.load;
const git = spawnSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() || 'unknown';
const machine = {
  date: new Date().toISOString(),
  nproc,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  kernel: release(),
  git,
  loadavgAtStart: loadavg().map((l) => Number(l.toFixed(2))),
};
const pinningText = pinning
  ? `taskset: servers under test on CPU ${pinning.server}; load generator, upstream and orchestrator on CPU ${pinning.load}`
  : 'none (no taskset, one CPU, or --no-pin)';
const settingsText = `${tool}, ${connections} connections, ${seconds} s per row after ${warmup} s warm-up, ${rounds} round(s); pinning: ${pinningText}`;
log(`${machine.date}  nproc ${nproc}  node ${machine.node}  ${git}`);
log(settingsText);

const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const dataDir = join(work, 'data');
const started = [];
const cleanUp = stopOnSignals(work);

// ---- measuring -----------------------------------------------------------------------------------------------

/** id → { what, process, rounds: [result per round] } */
const samples = new Map();
const notes = [];

/** Warm-up (discarded), then the measured run, sampling the RSS of the process under test. */
async function measure(round, id, what, { port, path, headers = {}, pid, process: proc }) {
  const url = `http://127.0.0.1:${port}${path}`;
  if (warmup > 0) await runLoad({ tool, url, headers, connections, seconds: warmup, cpu: loadCpu });
  const rss = sampleRss(pid);
  const cpuBefore = cpuSeconds(pid);
  const load = await runLoad({ tool, url, headers, connections, seconds, cpu: loadCpu });
  const cpu = cpuSeconds(pid) - cpuBefore;
  // CPU time per request barely moves when other processes take the CPU away; req/s does.
  const result = { ...load, rssMb: rss.stop(), cpuShare: cpu / seconds, cpuUsPerRequest: (cpu * 1e6) / load.requests };
  const kinds = result.errors ? ` ${JSON.stringify(result.errorKinds)}` : '';
  log(
    `(${id}) round ${round + 1}: ${Math.round(result.rps)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ` +
      `RSS ${result.rssMb.toFixed(1)} MB, CPU ${(result.cpuShare * 100).toFixed(0)}%, ${result.cpuUsPerRequest.toFixed(1)} µs/req, errors ${result.errors}${kinds}`,
  );
  if (result.errors > 0) {
    // A row of error responses measures the error path, not the feature: say what they were.
    result.probe = await get(port, path, headers).catch((err) => ({ status: 'socket error', body: String(err) }));
    log(`(${id}) a request now answers ${result.probe.status} ${result.probe.body.slice(0, 200)}`);
  }
  if (!samples.has(id)) samples.set(id, { what, process: proc, rounds: [] });
  samples.get(id).rounds[round] = result;
}

/** A server of bench/servers/ (pinned to the server CPU unless told otherwise); resolves once it listens. */
async function benchServer(file, env = {}, cpu = serverCpu) {
  const proc = start(process.execPath, [join(ROOT, 'bench/servers', file)], { cpu, env, cwd: ROOT });
  started.push(proc);
  return { proc, port: await proc.port(), pid: proc.pid };
}

let startup;
try {
  // The backend of (b), (c) and (c') runs on the load CPU: the CPU under test runs only the proxy.
  const upstream = rows.has('b') || rows.has('c') || rows.has('fastify') ? await benchServer('upstream.mjs', {}, loadCpu) : undefined;
  const upstreamOrigin = upstream && `http://127.0.0.1:${upstream.port}`;
  const a = rows.has('a') ? await benchServer('upstream.mjs') : undefined;
  const b = rows.has('b') ? await benchServer('undici-proxy.mjs', { BENCH_UPSTREAM: upstreamOrigin }) : undefined;
  const d = rows.has('d') ? await benchServer('lambda-direct.mjs') : undefined;
  let fastify;
  if (rows.has('fastify')) {
    if (existsSync(join(opts['fastify-dir'], 'node_modules/@fastify/http-proxy'))) {
      fastify = await benchServer('fastify-proxy.mjs', { BENCH_UPSTREAM: upstreamOrigin, BENCH_FASTIFY_DIR: opts['fastify-dir'] });
    } else {
      notes.push(`row (c') skipped: fastify is not installed in ${opts['fastify-dir']} (npm install --prefix ${opts['fastify-dir']} fastify @fastify/http-proxy)`);
    }
  }
  if (a) await expectStatus(a.port, '/proxy', {}, 200, '(a)');
  if (b) await expectStatus(b.port, '/proxy', {}, 200, '(b)');
  if (fastify) await expectStatus(fastify.port, '/proxy', {}, 200, "(c')");
  if (d) await expectStatus(d.port, '/items/42', {}, 200, '(d)');

  let gh;
  let ghPort;
  let apis;
  let token;
  if (['c', 'e', 'f', 'h', 'g'].some((r) => rows.has(r))) {
    ghPort = await freePort();
    const nodeArgs = opts['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', opts['cpu-prof']] : [];
    gh = startGatehouse({ port: ghPort, dataDir, cpu: serverCpu, nodeArgs });
    started.push(gh);
    await waitHealthy(ghPort);
    apis = await createBenchApis(ghPort, upstreamOrigin ?? 'http://127.0.0.1:9');
    notes.push(`ImportApi of the 1,000-route OpenAPI document, then CreateStage: ${Math.round(apis.importMs)} ms`);
    token = await mintToken(ghPort, dataDir);
    const host = hostOf(apis.apiId, ghPort);
    await expectStatus(ghPort, '/items/42', { host }, 200, '(e) Lambda route');
    await expectStatus(ghPort, '/items/42', { host: hostOf(apis.apiId1000, ghPort) }, 200, '(f) 1,000-route API');
    await expectStatus(ghPort, '/secure/42', { host }, 401, '(h) JWT route without a token');
    await expectStatus(ghPort, '/secure/42', { host, authorization: `Bearer ${token}` }, 200, '(h) JWT route with the token');
    if (upstream) await expectStatus(ghPort, '/proxy', { host }, 200, '(c) HTTP_PROXY route');
  }
  const ghRow = (path, apiId, extra = {}) => ({ port: ghPort, path, headers: { host: hostOf(apiId, ghPort), ...extra }, pid: gh.pid, process: 'gatehouse' });
  const own = (server, path, proc) => ({ port: server.port, path, pid: server.pid, process: proc });

  // Each Gatehouse row right after its baseline, so drift on a shared machine hits both alike.
  for (let round = 0; round < rounds; round++) {
    if (a) await measure(round, 'a', 'upstream directly (node:http, small JSON)', own(a, '/proxy', 'upstream'));
    if (b) await measure(round, 'b', 'node:http + undici Pool.stream proxy', own(b, '/proxy', 'proxy'));
    if (rows.has('c')) await measure(round, 'c', 'Gatehouse HTTP_PROXY route', ghRow('/proxy', apis.apiId));
    if (fastify) await measure(round, "c'", 'fastify + @fastify/http-proxy (comparison)', own(fastify, '/proxy', 'fastify'));
    if (d) await measure(round, 'd', 'node:http + payload 2.0 event + in-process handler', own(d, '/items/42', 'direct'));
    if (rows.has('e')) await measure(round, 'e', 'Gatehouse AWS_PROXY 2.0, local in-process function', ghRow('/items/42', apis.apiId));
    if (rows.has('f')) await measure(round, 'f', 'Gatehouse, same route in an API of 1,000 routes', ghRow('/items/42', apis.apiId1000));
    if (rows.has('h')) {
      await measure(round, 'h0', 'Gatehouse, unprotected twin of (h) (= e)', ghRow('/items/42', apis.apiId));
      const auth = { authorization: `Bearer ${token}` };
      await measure(round, 'h', `Gatehouse JWT-protected route (one token, aud ${AUDIENCE})`, ghRow('/secure/42', apis.apiId, auth));
    }
  }
  for (const s of [a, b, d, fastify]) if (s) await s.proc.stop();
  if (gh) await gh.stop();

  if (rows.has('g')) {
    // Spawn to first answer, on the data dir filled above (both APIs, 1,000+ routes) and a fixed port.
    const runs = { node: [], health: [], dataPlane: [] };
    for (let i = 0; i < startupRuns; i++) {
      const t0 = performance.now();
      const bare = start(process.execPath, [join(ROOT, 'bench/servers/upstream.mjs')], { cpu: serverCpu, env: { BENCH_PORT: String(ghPort) }, cwd: ROOT });
      runs.node.push((await firstSuccess(ghPort, '/', {}, t0 + 10_000)) - t0);
      await bare.stop();
      const t1 = performance.now();
      const g = startGatehouse({ port: ghPort, dataDir, cpu: serverCpu });
      const [health, first] = await Promise.all([
        firstSuccess(ghPort, '/_gatehouse/health', {}, t1 + 15_000),
        firstSuccess(ghPort, '/items/42', { host: hostOf(apis.apiId, ghPort) }, t1 + 15_000),
      ]);
      runs.health.push(health - t1);
      runs.dataPlane.push(first - t1);
      await g.stop();
    }
    startup = { node: median(runs.node), health: median(runs.health), dataPlane: median(runs.dataPlane), runs };
    log(`(g) start-up medians: node ${startup.node.toFixed(0)} ms, health ${startup.health.toFixed(0)} ms, data plane ${startup.dataPlane.toFixed(0)} ms`);
  }
  if (upstream) await upstream.proc.stop();
} catch (err) {
  log(`failed: ${err instanceof Error ? err.stack : String(err)}`);
  for (const p of started) if (p.output()) log(`--- last output of pid ${p.pid} ---\n${p.output()}`);
  cleanUp();
  process.exit(1);
}

// ---- report --------------------------------------------------------------------------------------------------

const results = aggregate(samples);
if (startup) {
  results.set('g0', { id: 'g0', what: 'node:http server: spawn to first response', startupMs: { median: startup.node, runs: startup.runs.node } });
  results.set('g', {
    id: 'g',
    what: 'Gatehouse: spawn to health 200 / first data-plane 2xx',
    startupMs: { health: startup.health, dataPlane: startup.dataPlane, healthRuns: startup.runs.health, dataPlaneRuns: startup.runs.dataPlane },
  });
}
const checks = checksOf(samples, startup, startupRuns);
notes.push(...steadiness(samples), ...intervalNotes(checks));
machine.loadavgAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
process.stdout.write(
  `\nGatehouse benchmark — ${machine.date} — ${machine.git} — nproc ${nproc} (${machine.cpu}), node ${machine.node}, ` +
    `load avg ${machine.loadavgAtStart.join(' ')} → ${machine.loadavgAtEnd.join(' ')}\n${settingsText}\n\n${renderTable(results, checks)}\n` +
    (notes.length ? `\n${notes.map((n) => `note: ${n}`).join('\n')}\n` : ''),
);
mkdirSync(dirname(opts.out), { recursive: true });
const settings = { tool, connections, seconds, warmup, rounds, startupRuns, pinning: pinning ?? null };
writeFileSync(opts.out, `${JSON.stringify({ machine, settings, rows: [...results.values()], checks, notes }, null, 2)}\n`);
process.stdout.write(`\nresults: ${relative(process.cwd(), opts.out) || opts.out}\n`);
if (opts['cpu-prof']) process.stdout.write(`CPU profile of Gatehouse: ${opts['cpu-prof']}\n`);
cleanUp();
