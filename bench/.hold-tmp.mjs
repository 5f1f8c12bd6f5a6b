// temporary (not committed): start (d) and a Gatehouse like ab.mjs, print pids/ports, stay up for N seconds
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchApis, expectStatus, hostOf, waitHealthy, ROOT } from './lib/gatehouse.mjs';
import { freePort, killAll, start } from './lib/procs.mjs';
const work = mkdtempSync(join(tmpdir(), 'gh-hold-'));
const extra = (process.env.GH_NODE_ARGS ?? '').split(' ').filter(Boolean);
try {
  const up = start(process.execPath, [join(ROOT, 'bench/servers/upstream.mjs')], { cpu: 1 });
  const upstreamOrigin = `http://127.0.0.1:${await up.port()}`;
  const d = start(process.execPath, [...extra, join(ROOT, 'bench/servers/lambda-direct.mjs')], { cpu: 0 });
  const dport = await d.port();
  const b = start(process.execPath, [join(ROOT, 'bench/servers/undici-proxy.mjs')], { cpu: 0, env: { BENCH_UPSTREAM: upstreamOrigin } });
  const bport = await b.port();
  const port = await freePort();
  const g = start(process.execPath, [...extra, 'dist/bundle/cli/main.js', 'serve', '--port', String(port), '--data-dir', join(work, 'g'), '--access-log', '/dev/null', '--function', 'bench=bench/handler.mjs#handler'], { cwd: ROOT, cpu: 0 });
  await waitHealthy(port);
  const { apiId } = await createBenchApis(port, upstreamOrigin);
  await expectStatus(port, '/items/42', { host: hostOf(apiId, port) }, 200, 'g');
  console.log(JSON.stringify({ d: { pid: d.pid, port: dport }, b: { pid: b.pid, port: bport }, g: { pid: g.pid, port, host: hostOf(apiId, port) } }));
  await new Promise((r) => setTimeout(r, Number(process.env.HOLD_SECONDS ?? 900) * 1000));
} finally { killAll(); rmSync(work, { recursive: true, force: true }); }
