#!/usr/bin/env node
/**
 * `npm run bench:cluster`: what several processes and nodes cost and give (issue 13), side by side in one run.
 *
 * (k1) / (k2): the Lambda route of `npm run bench` (AWS_PROXY 2.0, in-process function) served by
 *   `--workers 1` and by `--workers 2`: req/s and CPU µs per request of the whole process tree. On a machine
 *   whose load generator shares the cores, the ratio of req/s says little; CPU per request says whether a
 *   second worker costs more per request.
 * (p) propagation: two Gatehouse nodes on one PostgreSQL database (created for the run, dropped after):
 *   for each of `--routes` routes, the time from CreateRoute answered by node A (auto-deployed stage) to the
 *   route's first 200 on node B, polled every 2 ms. Target: p99 under 250 ms.
 */
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import pg from 'pg';
import { FUNCTION_ARN, startGatehouse, waitHealthy } from './lib/gatehouse.mjs';
import { hasWrk, runLoad } from './lib/load.mjs';
import { freePort, stopOnSignals } from './lib/procs.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    routes: { type: 'string', default: '40' },
    postgres: { type: 'string', default: process.env.GATEHOUSE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const seconds = Number(opts.duration);
const connections = Number(opts.connections);
const tool = hasWrk() ? 'wrk' : 'autocannon';
const log = (m) => process.stderr.write(`bench:cluster: ${m}\n`);
process.removeAllListeners('warning');

const CLK_TCK = 100;
/** CPU seconds of a process and its descendants (the workers of a --workers group). */
function treeCpuSeconds(pid) {
  let total = 0;
  const visit = (p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
      for (const task of readdirSync(`/proc/${p}/task`)) {
        for (const child of readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(child));
      }
    } catch {
      /* gone */
    }
  };
  visit(pid);
  return total;
}

const client = (port) => new ApiGatewayV2Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, maxAttempts: 1 });

async function lambdaApi(port) {
  const c = client(port);
  try {
    const apiId = (await c.send(new CreateApiCommand({ Name: 'bench', ProtocolType: 'HTTP' }))).ApiId;
    const { IntegrationId } = await c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FUNCTION_ARN, PayloadFormatVersion: '2.0' }));
    await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /items/{id}', Target: `integrations/${IntegrationId}` }));
    await c.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    return apiId;
  } finally {
    c.destroy();
  }
}

const status = (port, path) =>
  new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];
const rows = [];
const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-cluster-'));
const cleanUp = stopOnSignals(work);
try {
  // ---- (k1) / (k2): --workers 1 and 2 on the Lambda route -----------------------------------------------------
  for (const workers of [1, 2]) {
    const port = await freePort();
    const gh = startGatehouse({ port, dataDir: join(work, `w${workers}`), args: ['--workers', String(workers)] });
    await waitHealthy(port);
    const apiId = await lambdaApi(port);
    const url = `http://127.0.0.1:${port}/_aws/execute-api/${apiId}/items/42`;
    if ((await status(port, `/_aws/execute-api/${apiId}/items/42`)) !== 200) throw new Error(`--workers ${workers}: the route does not answer 200`);
    await runLoad({ tool, url, connections, seconds: 2 });
    const before = treeCpuSeconds(gh.pid);
    const load = await runLoad({ tool, url, connections, seconds });
    const cpu = treeCpuSeconds(gh.pid) - before;
    rows.push({ row: `k${workers}`, what: `--workers ${workers}, AWS_PROXY 2.0 in-process`, rps: load.rps, p99Ms: load.p99Ms, cpuUsPerRequest: (cpu * 1e6) / load.requests, errors: load.errors });
    log(`(k${workers}) ${Math.round(load.rps)} req/s, ${((cpu * 1e6) / load.requests).toFixed(1)} µs CPU/req, errors ${load.errors}`);
    await gh.stop();
  }

  // ---- (p): propagation between two nodes on PostgreSQL -------------------------------------------------------
  const database = `gh_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: opts.postgres });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const storeUrl = opts.postgres.replace(/\/[^/]*$/, `/${database}`);
  try {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = startGatehouse({ port: portA, dataDir: join(work, 'a'), args: ['--store', storeUrl] });
    await waitHealthy(portA);
    const b = startGatehouse({ port: portB, dataDir: join(work, 'b'), args: ['--store', storeUrl] });
    await waitHealthy(portB);
    const apiId = await lambdaApi(portA);
    const c = client(portA);
    const { IntegrationId } = await c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FUNCTION_ARN, PayloadFormatVersion: '2.0' }));
    const times = [];
    for (let i = 0; i < Number(opts.routes); i++) {
      await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: `GET /r${i}`, Target: `integrations/${IntegrationId}` }));
      const answered = performance.now();
      while ((await status(portB, `/_aws/execute-api/${apiId}/r${i}`)) !== 200) {
        if (performance.now() - answered > 10_000) throw new Error(`route ${i} not served by node B within 10 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      times.push(performance.now() - answered);
    }
    c.destroy();
    rows.push({ row: 'p', what: `CreateRoute on node A → served by node B (${times.length} routes, PostgreSQL)`, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: Math.max(...times) });
    log(`(p) propagation p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
    await a.stop();
    await b.stop();
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
} finally {
  cleanUp();
}

const k1 = rows.find((r) => r.row === 'k1');
const k2 = rows.find((r) => r.row === 'k2');
const p = rows.find((r) => r.row === 'p');
process.stdout.write(
  `\nGatehouse cluster benchmark — ${new Date().toISOString()} — nproc ${availableParallelism()} — load avg ${loadavg().map((l) => l.toFixed(2)).join(' ')} — ${tool}, ${connections} connections, ${seconds} s\n\n` +
    `| row | what | req/s | CPU µs/req | p99 ms |\n|---|---|---|---|---|\n` +
    [k1, k2].map((r) => `| (${r.row}) | ${r.what} | ${Math.round(r.rps)} | ${r.cpuUsPerRequest.toFixed(1)} | ${r.p99Ms.toFixed(2)} |`).join('\n') +
    `\n\n(k2)/(k1) req/s ${(k2.rps / k1.rps).toFixed(2)} (target > 1.6 where the load generator has cores of its own); CPU per request (k2)/(k1) ${(k2.cpuUsPerRequest / k1.cpuUsPerRequest).toFixed(2)}\n` +
    `(p) ${p.what}: p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms (target < 250), max ${p.maxMs.toFixed(1)} ms\n`,
);
