#!/usr/bin/env node
/**
 * Instructions per request, counted by valgrind's callgrind: Gatehouse builds side by side, and optionally the bare
 * server of the row, each under `valgrind --tool=callgrind`. A count of instructions does not move with the machine's
 * other load, so a change of 2 to 5% that CPU time (`bench/ab.mjs`) cannot tell from this VM's noise shows here.
 * It is not time: system calls, cache misses and the kernel's share are not in it.
 *
 *   node bench/instructions.mjs [--base <checkout with dist/ built>] [--path /items/42|/proxy] [--direct]
 *                               [--windows 4] [--seconds 12] [--warm 60] [--connections 10] [--lambda-first]
 *
 * Each side serves the bench's APIs (`createBenchApis`), is warmed for `--warm` seconds (under valgrind a request costs
 * about 50 times its native CPU, so the JIT needs a minute to settle), then `--windows` rounds alternate between the
 * sides: 8 s of load to warm the side up again after the others' turns, the counters zeroed
 * (`callgrind_control -z`), `--seconds` of load, the counters dumped (`-d`); instructions of the dump / requests
 * served in it. Medians are reported; a window far above the others is the JIT compiling (TurboFan's functions in
 * the dump), not the request path: run more windows. `--direct` adds row (d)'s bare server (or (b)'s for `/proxy`).
 * `--lambda-first` calls the Lambda route once before measuring another path, as the benchmark's server has run a
 * function: what that leaves behind. The function scope's async hook runs then for every request of every route
 * until about 2 s after the call (src/async-scope.ts), so within the warm-up only.
 * Needs valgrind (`apt-get install valgrind`) and wrk or autocannon; children are stopped by PID at the end.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readDump } from './lib/callgrind.mjs';
import { createBenchApis, expectStatus, hostOf, ROOT, waitHealthy } from './lib/gatehouse.mjs';
import { hasWrk, runLoad } from './lib/load.mjs';
import { detectPinning, freePort, pinSelf, start, stopOnSignals } from './lib/procs.mjs';
import { median } from './lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    path: { type: 'string', default: '/items/42' },
    direct: { type: 'boolean' },
    windows: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '12' },
    warm: { type: 'string', default: '60' },
    connections: { type: 'string', default: '10' },
    'lambda-first': { type: 'boolean' },
  },
});
if (spawnSync('callgrind_control', ['-h']).error !== undefined) {
  process.stderr.write('instructions: needs valgrind (callgrind_control not found): apt-get install valgrind\n');
  process.exit(2);
}
const proxyPath = opts.path === '/proxy';
const connections = Number(opts.connections);
const tool = hasWrk() ? 'wrk' : 'autocannon';
const pinning = detectPinning(availableParallelism(), false);
if (pinning) pinSelf(pinning.load);
const work = mkdtempSync(join(tmpdir(), 'gh-instructions-'));
const cleanUp = stopOnSignals(work);

/** `node` under callgrind, its dumps in the work directory as `<name>.<pid>.<n>`. */
function underCallgrind(name, args, options) {
  return start('valgrind', ['--tool=callgrind', `--callgrind-out-file=${join(work, name)}.%p`, process.execPath, ...args], { ...options, cpu: pinning?.server });
}

async function gatehouse(name, dir, upstreamOrigin) {
  const port = await freePort();
  const cli = ['dist/bundle/cli/main.js', 'dist/src/cli/main.js'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (cli === undefined) throw new Error(`${dir}: no build (dist/): run npm run build there first`);
  const proc = underCallgrind(name, [cli, 'serve', '--port', String(port), '--data-dir', join(work, `data-${name}`), '--access-log', '/dev/null', '--function', 'bench=bench/handler.mjs#handler'], { cwd: dir });
  await waitHealthy(port, 180_000);
  const { apiId } = await createBenchApis(port, upstreamOrigin ?? 'http://127.0.0.1:9');
  const headers = { host: hostOf(apiId, port) };
  // Under valgrind the first request loads and compiles the whole path: seconds, not milliseconds.
  // --lambda-first: the Lambda route once before, as in `npm run bench`, whose server has run a function (its scope's hook runs until about 2 s later).
  if (opts['lambda-first']) await expectStatus(port, '/items/42', headers, 200, `${name} Lambda route`, 60_000);
  await expectStatus(port, opts.path, headers, 200, name, 60_000);
  return { name, file: name, proc, url: `http://127.0.0.1:${port}${opts.path}`, headers, samples: [] };
}

async function bare(upstreamOrigin) {
  const file = proxyPath ? 'undici-proxy.mjs' : 'lambda-direct.mjs';
  const name = proxyPath ? '(b)' : '(d)';
  const proc = underCallgrind('direct', [join(ROOT, 'bench/servers', file)], { env: { BENCH_UPSTREAM: upstreamOrigin } });
  const port = await proc.port(120_000);
  return { name, file: 'direct', proc, url: `http://127.0.0.1:${port}${opts.path}`, headers: {}, samples: [] };
}

/**
 * The dump `callgrind_control -d <hint>` asked a process for, read (lib/callgrind.mjs). valgrind writes it when the
 * process next runs, which can be after the command returned: waited for, up to a minute, by its trigger line.
 */
async function dumpOf(side, hint) {
  const wanted = `Trigger: dump ${hint}`;
  for (let waited = 0; waited < 60_000; waited += 250) {
    for (const file of readdirSync(work).filter((f) => f.startsWith(`${side.file}.${side.proc.pid}.`))) {
      const text = readFileSync(join(work, file), 'utf8');
      if (!text.includes(wanted)) continue;
      const dump = readDump(text);
      if (dump !== undefined) return dump;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no callgrind dump "${hint}" of ${side.name} (pid ${side.proc.pid}) in ${work} after a minute`);
}

/** A window whose instructions were more than this share V8's compilers' is the JIT at work: left out of the medians. */
const COMPILING = 0.03;

const load = (side, seconds) => runLoad({ tool, url: side.url, headers: side.headers, connections, seconds, cpu: pinning?.load });

try {
  let upstreamOrigin;
  if (proxyPath) {
    const upstream = start(process.execPath, [join(ROOT, 'bench/servers/upstream.mjs')], { cpu: pinning?.load });
    upstreamOrigin = `http://127.0.0.1:${await upstream.port()}`;
  }
  const sides = [];
  if (opts.base) sides.push(await gatehouse('base', opts.base, upstreamOrigin));
  sides.push(await gatehouse('candidate', ROOT, upstreamOrigin));
  if (opts.direct) sides.push(await bare(upstreamOrigin));
  process.stderr.write(`instructions: callgrind, ${tool} with ${connections} connections, ${opts.path}; warming each side for ${opts.warm} s\n`);
  // All at once: a side that sat idle while the others warmed spent its first windows compiling again
  // (330,000 and 430,000 instructions per Lambda request against 108,000 once settled).
  await Promise.all(sides.map((side) => load(side, Number(opts.warm))));
  for (let w = 0; w < Number(opts.windows); w++) {
    for (const side of w % 2 === 0 ? sides : [...sides].reverse()) {
      await load(side, 8);
      spawnSync('callgrind_control', ['-z', String(side.proc.pid)]);
      const served = await load(side, Number(opts.seconds));
      const hint = `window-${w}`;
      spawnSync('callgrind_control', ['-d', hint, String(side.proc.pid)]);
      const dump = await dumpOf(side, hint);
      const perRequest = dump.instructions / served.requests;
      const share = dump.compilerInstructions / dump.instructions;
      const compiling = share > COMPILING;
      side.samples.push(compiling ? Number.NaN : perRequest);
      process.stderr.write(`instructions: window ${w + 1} ${side.name}: ${served.requests} requests, ${Math.round(perRequest)} instructions per request${compiling ? `, ${(100 * share).toFixed(0)}% in V8's compilers: left out` : ''}\n`);
    }
  }
  for (const side of sides) {
    const kept = side.samples.filter((n) => !Number.isNaN(n));
    const left = side.samples.length - kept.length;
    const summary = kept.length === 0 ? 'no window without compilation: warm longer' : `median ${Math.round(median(kept))} (min ${Math.round(Math.min(...kept))})`;
    process.stdout.write(`${side.name}: instructions per request, ${summary}${left > 0 ? `; ${left} of ${side.samples.length} windows left out (compiling)` : ''}\n`);
  }
  const [first, second] = sides;
  if (opts.base && second) {
    const ratios = first.samples.map((b, i) => second.samples[i] / b).filter((r) => !Number.isNaN(r));
    if (ratios.length > 0) process.stdout.write(`candidate/base, window by window: median ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(3)).join(' ')})\n`);
  }
  await Promise.all(sides.map((s) => s.proc.stop()));
} finally {
  cleanUp();
}
