#!/usr/bin/env node
/**
 * Builds of Gatehouse side by side on a shared, noisy machine, next to row (d)'s bare server: all run at
 * once, and short load bursts of row (e) (`GET /items/{id}`, AWS_PROXY 2.0, in-process function) rotate
 * between them, so each sees the same background load. Reports CPU µs per request (from /proc) per burst,
 * the medians, and each Gatehouse's ratio to (d) (the e/d measure) and to the base.
 *
 *   node bench/ab.mjs [--base <checkout with dist/ built>] [--bursts 8] [--seconds 2] [--burst-warmup 1] [--connections 50] [--path /items/42] [--as-bench] [--node-args '--flag ...']
 *                     [--warm-base <list>] [--warm-candidate <list>] [--tls]
 *
 * `--tls` loads each Gatehouse through its TLS listener (`--tls-port`, the self-signed certificate it generates;
 * wrk does not verify it): keep-alive HTTPS connections, so the handshakes are in the warm-up and each burst
 * measures requests over open TLS connections. The bare server of (d) or (b) stays plain HTTP. Needs wrk.
 *
 * `--node-args` are given to the candidate's node (V8 and Node flags).
 * `--path /proxy` measures row (c) instead: the bench's upstream runs on the load CPU, and row (b)'s bare undici
 * proxy stands in for (d).
 * `--as-bench` first calls the JWT route and the 1,000-route API, as `npm run bench` does before its rows.
 * `--warm-base` / `--warm-candidate` call other routes on one side only before the bursts, to see what serving
 * them leaves behind (a comma list): `lambda` one request of the Lambda route, `lambda-load` 3 s of load on it,
 * `proxy-load` 3 s of load on the proxy route (the bench's upstream then runs whatever `--path`),
 * `jwt` one request of the JWT route with a token, `jwt-refused` one without (401), `api1000` one request of the
 * 1,000-route API. With `--base .` both sides run this checkout: `--base . --path /proxy --warm-candidate lambda`
 * is what serving one function request leaves behind (the function scope's hook stops about 2 s after it:
 * src/async-scope.ts); `--base . --path /proxy --node-args='--import ./bench/lib/hook-on.mjs'` is the proxy
 * route's cost of that hook while it runs (README, Local functions).
 * `--base` is another checkout (git worktree or archive of the base commit, built); this checkout is the
 * candidate. Without it: (d) against this checkout only. Servers are pinned to CPU 0, the load to CPU 1
 * (when taskset and two CPUs exist); wrk when installed, else autocannon.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBenchApis, expectStatus, hostOf, mintToken, ROOT, waitHealthy } from './lib/gatehouse.mjs';
import { hasWrk, runLoad } from './lib/load.mjs';
import { cpuSeconds, detectPinning, freePort, pinSelf, start, stopOnSignals } from './lib/procs.mjs';
import { median } from './lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    bursts: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '2' },
    'burst-warmup': { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    path: { type: 'string', default: '/items/42' },
    'as-bench': { type: 'boolean' },
    'node-args': { type: 'string', default: '' },
    'warm-base': { type: 'string', default: '' },
    'warm-candidate': { type: 'string', default: '' },
    tls: { type: 'boolean' },
  },
});
const WARMS = ['lambda', 'lambda-load', 'proxy-load', 'jwt', 'jwt-refused', 'api1000'];
for (const side of ['base', 'candidate']) {
  const unknown = opts[`warm-${side}`].split(',').filter((w) => w && !WARMS.includes(w));
  if (unknown.length > 0) {
    process.stderr.write(`ab: --warm-${side}: unknown ${unknown.join(', ')} (known: ${WARMS.join(', ')})\n`);
    process.exit(2);
  }
}
if (opts['warm-base'] && !opts.base) {
  process.stderr.write('ab: --warm-base needs --base (with --base . both sides run this checkout)\n');
  process.exit(2);
}
const bursts = Number(opts.bursts);
/** `--path /proxy` measures row (c) against (b); otherwise row (e) against (d). */
const proxyPath = opts.path === '/proxy';
const seconds = Number(opts.seconds);
const burstWarmup = Number(opts['burst-warmup']);
if (!(burstWarmup >= 0)) {
  process.stderr.write(`ab: --burst-warmup: a number of seconds, 0 or more (got ${opts['burst-warmup']})\n`);
  process.exit(2);
}
const connections = Number(opts.connections);
const tool = hasWrk() ? 'wrk' : 'autocannon';
if (opts.tls && tool !== 'wrk') {
  process.stderr.write('ab: --tls needs wrk (apt-get install -y wrk): autocannon would refuse the self-signed certificate\n');
  process.exit(2);
}
const pinning = detectPinning(availableParallelism(), false);
if (pinning) pinSelf(pinning.load);
const work = mkdtempSync(join(tmpdir(), 'gh-ab-'));
const cleanUp = stopOnSignals(work);

async function launch(name, dir) {
  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : undefined;
  const nodeArgs = name === 'candidate' ? opts['node-args'].split(' ').filter(Boolean) : [];
  // The command as package.json "bin" names it; builds from before the bundle ran dist/src.
  const cli = ['dist/bundle/cli/main.js', 'dist/src/cli/main.js'].map((f) => join(dir, f)).find((f) => existsSync(f));
  const proc = start(process.execPath, [...nodeArgs, cli, 'serve', '--port', String(port), '--data-dir', join(work, name), '--access-log', '/dev/null', '--function', 'bench=bench/handler.mjs#handler', ...(tlsPort ? ['--tls-port', String(tlsPort)] : [])], { cwd: dir, cpu: pinning?.server });
  await waitHealthy(port);
  const { apiId, apiId1000 } = await createBenchApis(port, upstreamOrigin ?? 'http://127.0.0.1:9');
  const headers = { host: hostOf(apiId, port) };
  await expectStatus(port, opts.path, headers, 200, name);
  await warm(name, port, headers, apiId1000);
  if (opts['as-bench']) {
    // What npm run bench does before its rows: the JWT route (jose, the JWKS fetch) and the 1,000-route API.
    const token = await mintToken(port, join(work, name));
    await expectStatus(port, '/secure/42', { ...headers, authorization: `Bearer ${token}` }, 200, `${name} JWT route`);
    await expectStatus(port, '/items/42', { host: hostOf(apiId1000, port) }, 200, `${name} 1,000-route API`);
  }
  const url = tlsPort ? `https://127.0.0.1:${tlsPort}${opts.path}` : `http://127.0.0.1:${port}${opts.path}`;
  return { name, proc, pid: proc.pid, url, headers, samples: [] };
}

/** The routes `--warm-<side>` names, called once (or loaded for 3 s) before the bursts. */
async function warm(name, port, headers, apiId1000) {
  const list = opts[`warm-${name}`].split(',').filter(Boolean);
  if (list.includes('lambda')) await expectStatus(port, '/items/42', headers, 200, `${name} Lambda route`);
  if (list.includes('lambda-load')) await runLoad({ tool, url: `http://127.0.0.1:${port}/items/42`, headers, connections, seconds: 3, cpu: pinning?.load });
  if (list.includes('proxy-load')) await runLoad({ tool, url: `http://127.0.0.1:${port}/proxy`, headers, connections, seconds: 3, cpu: pinning?.load });
  if (list.includes('jwt-refused')) await expectStatus(port, '/secure/42', headers, 401, `${name} JWT route without a token`);
  if (list.includes('jwt')) {
    const token = await mintToken(port, join(work, name));
    await expectStatus(port, '/secure/42', { ...headers, authorization: `Bearer ${token}` }, 200, `${name} JWT route`);
  }
  if (list.includes('api1000')) await expectStatus(port, '/items/42', { host: hostOf(apiId1000, port) }, 200, `${name} 1,000-route API`);
}

/** The bare reference: row (d), or row (b) for `--path /proxy`. */
async function direct() {
  const file = proxyPath ? 'undici-proxy.mjs' : 'lambda-direct.mjs';
  const proc = start(process.execPath, [join(ROOT, 'bench/servers', file)], { cpu: pinning?.server, env: { BENCH_UPSTREAM: upstreamOrigin } });
  const port = await proc.port();
  return { name: proxyPath ? '(b) direct' : '(d) direct', proc, pid: proc.pid, url: `http://127.0.0.1:${port}${proxyPath ? '/proxy' : '/items/42'}`, headers: {}, samples: [] };
}

let upstreamOrigin;
try {
  if (proxyPath || `${opts['warm-base']},${opts['warm-candidate']}`.split(',').includes('proxy-load')) {
    const upstream = start(process.execPath, [join(ROOT, 'bench/servers/upstream.mjs')], { cpu: pinning?.load });
    upstreamOrigin = `http://127.0.0.1:${await upstream.port()}`;
  }
  const sides = [await direct(), ...(opts.base ? [await launch('base', opts.base)] : []), await launch('candidate', ROOT)];
  process.stderr.write(`ab: ${tool}, ${connections} connections, ${bursts} bursts of ${seconds} s${pinning ? ', servers on CPU 0, load on CPU 1' : ''}\n`);
  for (const s of sides) {
    const first = await runLoad({ tool, url: s.url, headers: s.headers, connections, seconds: 2, cpu: pinning?.load });
    if (first.requests === 0 || first.errors > first.requests / 100) throw new Error(`${s.name}: ${s.url} answered ${first.requests} requests, ${first.errors} errors (${JSON.stringify(first.errorKinds)})`);
  }
  for (let i = 0; i < bursts; i++) {
    for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
      // Unmeasured load first: a process loaded right after another one's burst is slower at first (its caches
      // are the other's), and without this the order of the sides showed in their ratios.
      if (burstWarmup > 0) await runLoad({ tool, url: s.url, headers: s.headers, connections, seconds: burstWarmup, cpu: pinning?.load });
      const before = cpuSeconds(s.pid);
      const load = await runLoad({ tool, url: s.url, headers: s.headers, connections, seconds, cpu: pinning?.load });
      const us = ((cpuSeconds(s.pid) - before) * 1e6) / load.requests;
      s.samples.push(us);
      process.stderr.write(`ab: burst ${i + 1} ${s.name}: ${Math.round(load.rps)} req/s, ${us.toFixed(1)} µs/req, errors ${load.errors}\n`);
    }
  }
  const [d] = sides;
  for (const s of sides.slice(1)) {
    // Bursts i of two sides ran back to back, under about the same background load: their ratio is the fairest.
    const ratios = d.samples.map((b, i) => b / s.samples[i]);
    process.stdout.write(`${s.name}: CPU µs/req median ${median(s.samples).toFixed(1)} (min ${Math.min(...s.samples).toFixed(1)}); ${d.name.slice(0, 3)}/${s.name} by CPU: median ${median(ratios).toFixed(3)}\n`);
  }
  process.stdout.write(`${d.name}: CPU µs/req median ${median(d.samples).toFixed(1)} (min ${Math.min(...d.samples).toFixed(1)})\n`);
  if (sides.length === 3) {
    const ratios = sides[1].samples.map((b, i) => sides[2].samples[i] / b);
    process.stdout.write(`candidate/base of back-to-back bursts: median ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(2)).join(' ')})\n`);
  }
  await Promise.all(sides.map((s) => s.proc.stop()));
} finally {
  cleanUp();
}
