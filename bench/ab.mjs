#!/usr/bin/env node
/**
 * Two builds of Gatehouse side by side on a shared, noisy machine: both run at once, and short load
 * bursts of row (e) (`GET /items/{id}`, AWS_PROXY 2.0, in-process function) alternate between them,
 * so both see the same background load. Reports CPU µs per request (from /proc) per burst, the
 * medians and their ratio.
 *
 *   node bench/ab.mjs --base <checkout with dist/ built> [--bursts 8] [--seconds 2] [--connections 50]
 *
 * `--base` is another checkout (git archive of the base commit, built); this checkout is the candidate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBenchApis, expectStatus, hostOf, ROOT, waitHealthy } from './lib/gatehouse.mjs';
import { runLoad } from './lib/load.mjs';
import { cpuSeconds, freePort, killAll, start } from './lib/procs.mjs';
import { median } from './lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    base: { type: 'string' },
    bursts: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
  },
});
if (!opts.base) {
  process.stderr.write('usage: node bench/ab.mjs --base <checkout with dist/ built> [--bursts 8] [--seconds 2] [--connections 50]\n');
  process.exit(2);
}
const bursts = Number(opts.bursts);
const seconds = Number(opts.seconds);
const connections = Number(opts.connections);
const work = mkdtempSync(join(tmpdir(), 'gh-ab-'));

async function launch(name, dir) {
  const port = await freePort();
  const proc = start(process.execPath, [join(dir, 'dist/src/cli/main.js'), 'serve', '--port', String(port), '--data-dir', join(work, name), '--access-log', '/dev/null', '--log-format', 'json', '--request-log', 'off', '--function', 'bench=bench/handler.mjs#handler'], { cwd: dir });
  await waitHealthy(port);
  const { apiId } = await createBenchApis(port, 'http://127.0.0.1:9');
  const headers = { host: hostOf(apiId, port) };
  await expectStatus(port, '/items/42', headers, 200, name);
  return { name, proc, pid: proc.pid, url: `http://127.0.0.1:${port}/items/42`, headers, samples: [] };
}

try {
  const sides = [await launch('base', opts.base), await launch('candidate', ROOT)];
  for (const s of sides) await runLoad({ tool: 'autocannon', url: s.url, headers: s.headers, connections, seconds: 2 });
  for (let i = 0; i < bursts; i++) {
    for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
      const before = cpuSeconds(s.pid);
      const load = await runLoad({ tool: 'autocannon', url: s.url, headers: s.headers, connections, seconds });
      const us = ((cpuSeconds(s.pid) - before) * 1e6) / load.requests;
      s.samples.push(us);
      process.stderr.write(`ab: burst ${i + 1} ${s.name}: ${Math.round(load.rps)} req/s, ${us.toFixed(1)} µs/req, errors ${load.errors}\n`);
    }
  }
  // Bursts i of both sides ran back to back, under about the same background load: their ratio is the fairest.
  const ratios = sides[0].samples.map((b, i) => sides[1].samples[i] / b);
  process.stdout.write(`candidate/base of back-to-back bursts: median ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(2)).join(' ')})\n`);
  // The least CPU per request of each side is the burst least disturbed by other processes.
  for (const pick of [['median', median], ['min', (xs) => Math.min(...xs)]]) {
    const [base, candidate] = sides.map((s) => pick[1](s.samples));
    process.stdout.write(`CPU µs/req ${pick[0]} of ${bursts} bursts: base ${base.toFixed(1)}, candidate ${candidate.toFixed(1)}, candidate/base ${(candidate / base).toFixed(3)}\n`);
  }
  await Promise.all(sides.map((s) => s.proc.stop()));
} finally {
  killAll();
  rmSync(work, { recursive: true, force: true });
}
