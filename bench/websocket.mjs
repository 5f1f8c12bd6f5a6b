#!/usr/bin/env node
/**
 * `npm run bench:websocket`: the WebSocket rows of issue 11, side by side in one run.
 *
 * (w0) bare `ws` server (bench/servers/ws-direct.mjs): per text message, the WebSocket Lambda proxy event of
 *      Gatehouse's shape, the handler of bench/ws-handler.mjs in process, its `body` sent back.
 * (w0c) the same bare server with BENCH_COALESCE=1: frames to one connection in one turn of the event loop leave
 *      in one write, as Gatehouse sends them. For reference: (w)/(w0c) compares the two on equal terms for writes.
 * (w)  Gatehouse: a WEBSOCKET API made through the management API, route `$default` → AWS_PROXY to the same
 *      handler as an in-process function, two-way (routeResponseSelectionExpression `$default` + RouteResponse
 *      `$default`), stage `bench` auto-deployed.
 *      Both: messages/s with `--clients` connections each keeping `--inflight` messages in flight (a new one
 *      sent on each answer), measured for `--duration` s after `--warmup` s; CPU µs per message of the server
 *      process (/proc/PID/stat); `--rounds` rounds alternating between the two, the median round of each.
 *      Target (w)/(w0) ≥ 0.75.
 * (x)  memory per idle connection: (RSS after − RSS before) / connections with `--idle` connections open,
  *      for each server. Target: Gatehouse ≤ 1.5× the bare server's, and under 12 KB.
 * `--cpu-prof <dir>` runs Gatehouse under node --cpu-prof (profile written on exit; bench/profile-top.mjs reads it).
 * (y)  @connections: PostToConnection calls/s through `POST /_aws/execute-api/{apiId}/{stage}/@connections/{id}`
 *      (undici Pool, keep-alive, `--posters` calls in flight) to `--clients` connected idle clients.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { Pool } from 'undici';
import WebSocket from 'ws';
import { CLI, FUNCTION_ARN, FUNCTION_NAME, ROOT, waitHealthy } from './lib/gatehouse.mjs';
import { cpuSeconds, detectPinning, freePort, pinSelf, rssMb, start, stopOnSignals } from './lib/procs.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    clients: { type: 'string', default: '100' },
    inflight: { type: 'string', default: '16' },
    idle: { type: 'string', default: '10000' },
    posters: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    'no-pin': { type: 'boolean' },
    'cpu-prof': { type: 'string' },
  },
});
const seconds = Number(opts.duration);
const warmup = Number(opts.warmup);
const clients = Number(opts.clients);
const inflight = Number(opts.inflight);
const posters = Number(opts.posters);
const log = (m) => process.stderr.write(`bench:websocket: ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
process.removeAllListeners('warning');

const nofile = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
// Each idle connection costs the server one descriptor and this process one: keep 200 spare on each side.
const idle = Math.max(0, Math.min(Number(opts.idle), nofile - 200));
if (idle < Number(opts.idle)) log(`ulimit -n is ${nofile}: (x) opens ${idle} connections instead of ${opts.idle} (raise the limit with \`ulimit -n\` before the run)`);

const nproc = availableParallelism(); // before pinning narrows it
const pinning = detectPinning(nproc, opts['no-pin']);
if (pinning && !pinSelf(pinning.load)) log('could not pin the load generator');

/** Opens `n` WebSocket connections to `url`, `batch` handshakes at a time. */
async function openMany(url, n, batch = 250) {
  const sockets = [];
  for (let i = 0; i < n; i += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
      ),
    );
    sockets.push(...opened);
  }
  return sockets;
}

/** Closes every socket and waits (bounded) for them to be closed. */
async function closeAll(sockets) {
  await Promise.race([
    Promise.all(sockets.map((ws) => new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', resolve);
      ws.close(1000);
    }))),
    sleep(10_000),
  ]);
  for (const ws of sockets) ws.terminate();
}

/** One text frame: JSON whose `action` names no route, so route selection answers `$default`. */
const message = (n) => `{"action":"echo","n":${n}}`;

/** (w)/(w0): messages/s and server CPU µs per message. */
async function messageRate(url, pid) {
  const sockets = await openMany(url, clients);
  let answered = 0;
  let wrong = 0;
  let running = true;
  for (const ws of sockets) {
    let n = 0;
    ws.on('message', (data) => {
      answered++;
      if (!data.toString().startsWith('{"action":"echo"')) wrong++;
      if (running) ws.send(message(n++));
    });
    for (let i = 0; i < inflight; i++) ws.send(message(n++));
  }
  await sleep(warmup * 1000);
  const count0 = answered;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const count = answered - count0;
  const cpu = cpuSeconds(pid) - cpu0;
  const elapsed = (performance.now() - t0) / 1000;
  running = false;
  await closeAll(sockets);
  return { messages: count, mps: count / elapsed, cpuUsPerMessage: (cpu * 1e6) / count, wrong };
}

/** (x): (RSS after − RSS before) / connections, in KB, after a warm-up of 100 connections. */
async function idleMemory(url, pid) {
  const warm = await openMany(url, 100);
  await Promise.all(warm.map((ws) => new Promise((resolve) => {
    ws.once('message', resolve);
    ws.send(message(0));
  })));
  await closeAll(warm);
  await sleep(1500);
  const before = rssMb(pid);
  const sockets = await openMany(url, idle);
  await sleep(3000);
  const after = rssMb(pid);
  await closeAll(sockets);
  await sleep(500);
  return { connections: sockets.length, beforeMb: before, afterMb: after, kbPerConnection: ((after - before) * 1024) / sockets.length };
}

/** (y): PostToConnection calls/s to `clients` idle connections. */
async function postRate(origin, apiId, stage, url, pid) {
  const sockets = await openMany(url, clients);
  const ids = await Promise.all(sockets.map((ws) => new Promise((resolve) => {
    ws.once('message', (data) => resolve(data.toString()));
    ws.send('whoami');
  })));
  let received = 0;
  for (const ws of sockets) ws.on('message', () => received++);
  const pool = new Pool(origin, { connections: 8, pipelining: 1 });
  let ok = 0;
  let failed = 0;
  let firstFailure;
  let running = true;
  const body = '{"message":"hello from @connections"}';
  const loop = async (k) => {
    for (let i = k; running; i += posters) {
      const { statusCode, body: res } = await pool.request({ method: 'POST', path: `/_aws/execute-api/${apiId}/${stage}/@connections/${ids[i % ids.length]}`, body, headers: { 'content-type': 'application/json' } });
      const text = await res.text();
      if (statusCode === 200) ok++;
      else {
        failed++;
        firstFailure ??= `${statusCode} ${text.slice(0, 200)}`;
      }
    }
  };
  const loops = Array.from({ length: posters }, (_, k) => loop(k));
  await sleep(warmup * 1000);
  const ok0 = ok;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const calls = ok - ok0;
  const cpu = cpuSeconds(pid) - cpu0;
  const elapsed = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all(loops);
  await pool.close();
  await sleep(200);
  await closeAll(sockets);
  return { calls, cps: calls / elapsed, cpuUsPerCall: (cpu * 1e6) / calls, failed, firstFailure, received, sent: ok };
}

async function webSocketApi(port) {
  const c = new ApiGatewayV2Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, maxAttempts: 1 });
  try {
    const apiId = (await c.send(new CreateApiCommand({ Name: 'bench-ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId;
    const { IntegrationId } = await c.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FUNCTION_ARN }));
    const { RouteId } = await c.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: '$default', Target: `integrations/${IntegrationId}`, RouteResponseSelectionExpression: '$default' }));
    await c.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId, RouteResponseKey: '$default' }));
    await c.send(new CreateStageCommand({ ApiId: apiId, StageName: 'bench', AutoDeploy: true }));
    return apiId;
  } finally {
    c.destroy();
  }
}

const rows = {};
const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-websocket-'));
const cleanUp = stopOnSignals(work);
try {
  // Both servers run during the whole script; the rate rows alternate between them (`--rounds`), so both
  // see the same background load of a shared machine, and each row reports its median round.
  const direct = start(process.execPath, ['bench/servers/ws-direct.mjs'], { cpu: pinning?.server, cwd: ROOT });
  const directUrl = `ws://127.0.0.1:${await direct.port()}/`;
  const coalescing = start(process.execPath, ['bench/servers/ws-direct.mjs'], { cpu: pinning?.server, cwd: ROOT, env: { BENCH_COALESCE: '1' } });
  const coalescingUrl = `ws://127.0.0.1:${await coalescing.port()}/`;
  const port = await freePort();
  const gh = start(process.execPath, [
    ...(opts['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', opts['cpu-prof']] : []),
    CLI, 'serve',
    '--port', String(port),
    '--data-dir', join(work, 'gatehouse'),
    '--access-log', '/dev/null',
    '--function', `${FUNCTION_NAME}=bench/ws-handler.mjs#handler`,
  ], { cpu: pinning?.server, cwd: ROOT });
  await waitHealthy(port);
  const apiId = await webSocketApi(port);
  const url = `ws://127.0.0.1:${port}/_aws/execute-api/${apiId}/bench`;
  // The route answers (two-way) before anything is measured.
  const [probe] = await openMany(url, 1);
  const reply = Promise.race([new Promise((resolve) => probe.once('message', (d) => resolve(d.toString()))), sleep(5000).then(() => undefined)]);
  probe.send(message(-1));
  const answer = await reply;
  await closeAll([probe]);
  if (answer !== message(-1)) throw new Error(`Gatehouse's $default route answered ${JSON.stringify(answer)}, expected the echo\n${gh.output()}`);

  // ---- (x0), (x): idle connections ---------------------------------------------------------------------------
  rows.x0 = await idleMemory(directUrl, direct.pid);
  log(`(x0) bare ws: ${rows.x0.connections} idle connections, ${rows.x0.kbPerConnection.toFixed(2)} KB each (RSS ${rows.x0.beforeMb.toFixed(1)} → ${rows.x0.afterMb.toFixed(1)} MB)`);
  rows.x = await idleMemory(url, gh.pid);
  log(`(x) Gatehouse: ${rows.x.connections} idle connections, ${rows.x.kbPerConnection.toFixed(2)} KB each (RSS ${rows.x.beforeMb.toFixed(1)} → ${rows.x.afterMb.toFixed(1)} MB)`);

  // ---- (w0), (w): messages, alternating rounds ----------------------------------------------------------------
  const rounds = { w0: [], w0c: [], w: [] };
  for (let r = 1; r <= Number(opts.rounds); r++) {
    for (const [row, target, pid, name] of [['w0', directUrl, direct.pid, 'bare ws'], ['w0c', coalescingUrl, coalescing.pid, 'bare ws, coalesced writes'], ['w', url, gh.pid, 'Gatehouse']]) {
      const result = await messageRate(target, pid);
      rounds[row].push(result);
      log(`(${row}) round ${r} ${name}: ${Math.round(result.mps)} msg/s, ${result.cpuUsPerMessage.toFixed(1)} µs CPU/msg`);
    }
  }
  const median = (xs) => [...xs].sort((p, q) => p.mps - q.mps)[Math.floor((xs.length - 1) / 2)];
  rows.w0 = median(rounds.w0);
  rows.w0c = median(rounds.w0c);
  rows.w = median(rounds.w);
  rows.rounds = rounds;
  await direct.stop();
  await coalescing.stop();

  // ---- (y): @connections ------------------------------------------------------------------------------------
  rows.y = await postRate(`http://127.0.0.1:${port}`, apiId, 'bench', url, gh.pid);
  log(`(y) @connections: ${Math.round(rows.y.cps)} calls/s, ${rows.y.cpuUsPerCall.toFixed(1)} µs CPU/call, ${rows.y.failed} failed${rows.y.firstFailure ? ` (first: ${rows.y.firstFailure})` : ''}`);
  await gh.stop();
} finally {
  cleanUp();
}

const { w0, w0c, w, x0, x, y } = rows;
const kb = (v) => v.toFixed(2);
process.stdout.write(
  `\nGatehouse WebSocket benchmark — ${new Date().toISOString()} — nproc ${nproc} — load avg ${loadavg().map((l) => l.toFixed(2)).join(' ')}` +
    ` — ${pinning ? `server on CPU ${pinning.server}, clients on CPU ${pinning.load}` : 'not pinned'} — ulimit -n ${nofile}\n\n` +
    `| row | what | messages/s | CPU µs/msg | answers not echoes |\n|---|---|---|---|---|\n` +
    `| (w0) | bare ws + WebSocket event + handler, ${clients} clients × ${inflight} in flight, ${seconds} s, median of ${opts.rounds} rounds | ${Math.round(w0.mps)} | ${w0.cpuUsPerMessage.toFixed(1)} | ${w0.wrong} |\n` +
    `| (w0c) | (w0) with Gatehouse's write coalescing (frames to a connection in one event-loop turn in one write) | ${Math.round(w0c.mps)} | ${w0c.cpuUsPerMessage.toFixed(1)} | ${w0c.wrong} |\n` +
    `| (w) | Gatehouse \`$default\` AWS_PROXY in-process, two-way, same load | ${Math.round(w.mps)} | ${w.cpuUsPerMessage.toFixed(1)} | ${w.wrong} |\n\n` +
    `(w)/(w0) messages/s ${(w.mps / w0.mps).toFixed(2)} (target ≥ 0.75); CPU per message (w)/(w0) ${(w.cpuUsPerMessage / w0.cpuUsPerMessage).toFixed(2)}\n` +
    `(w)/(w0c) messages/s ${(w.mps / w0c.mps).toFixed(2)} (for reference: both coalesce writes); CPU per message (w)/(w0c) ${(w.cpuUsPerMessage / w0c.cpuUsPerMessage).toFixed(2)}\n` +
    `rounds (msg/s): (w0) ${rows.rounds.w0.map((r) => Math.round(r.mps)).join(', ')}; (w0c) ${rows.rounds.w0c.map((r) => Math.round(r.mps)).join(', ')}; (w) ${rows.rounds.w.map((r) => Math.round(r.mps)).join(', ')}\n\n` +
    `| row | server | idle connections | RSS before MB | RSS after MB | KB per connection |\n|---|---|---|---|---|---|\n` +
    `| (x0) | bare ws | ${x0.connections} | ${x0.beforeMb.toFixed(1)} | ${x0.afterMb.toFixed(1)} | ${kb(x0.kbPerConnection)} |\n` +
    `| (x) | Gatehouse | ${x.connections} | ${x.beforeMb.toFixed(1)} | ${x.afterMb.toFixed(1)} | ${kb(x.kbPerConnection)} |\n\n` +
    `(x)/(x0) ${(x.kbPerConnection / x0.kbPerConnection).toFixed(2)} (target ≤ 1.5, and (x) under 12 KB)\n\n` +
    `(y) @connections PostToConnection: ${Math.round(y.cps)} calls/s, ${y.cpuUsPerCall.toFixed(1)} µs CPU/call, ${posters} in flight over 8 keep-alive connections to ${clients} idle clients;` +
    ` ${y.failed} failed${y.firstFailure ? ` (first: ${y.firstFailure})` : ''}; frames received ${y.received} of ${y.sent} calls answered 200\n`,
);
