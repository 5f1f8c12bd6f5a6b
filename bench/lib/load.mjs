// Load generators, each its own process (pinned to the load CPU when pinning is on): wrk or autocannon.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { start } from './procs.mjs';

const WRK_REPORT = fileURLToPath(new URL('../load/wrk-report.lua', import.meta.url));
const AUTOCANNON = fileURLToPath(new URL('../load/autocannon.mjs', import.meta.url));

/**
 * wrk adds its own `Host` unless one is given, and checks the name case-sensitively: a lower-case `host`
 * would be sent twice, in hash order, so some runs would hit the wrong surface.
 */
const wrkName = (name) => (name.toLowerCase() === 'host' ? 'Host' : name);

/** True when `wrk` is on the PATH. */
export const hasWrk = () => spawnSync('wrk', ['--version']).error === undefined;

/**
 * Runs one fixed-duration load: `connections` keep-alive connections, GET `url`, for `seconds`.
 * Resolves with `{ rps, p50Ms, p90Ms, p99Ms, maxMs, requests, errors, errorKinds }` (errors: 4xx/5xx plus socket errors).
 */
export async function runLoad({ tool, url, headers = {}, connections, seconds, cpu }) {
  const args =
    tool === 'wrk'
      ? ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', WRK_REPORT, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${wrkName(k)}: ${v}`]), url]
      : [AUTOCANNON, JSON.stringify({ url, connections, duration: seconds, headers })];
  const proc = start(tool === 'wrk' ? 'wrk' : process.execPath, args, { cpu });
  const timer = setTimeout(() => void proc.stop(1_000), (seconds + 30) * 1000); // a load run always ends
  const { code } = await proc.exited;
  clearTimeout(timer);
  const line = proc
    .output()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"requests"'));
  if (code !== 0 || line === undefined) throw new Error(`${tool} failed (exit ${code}):\n${proc.output()}`);
  const r = JSON.parse(line);
  const e = r.errors;
  return {
    rps: r.requests / (r.durationUs / 1e6),
    p50Ms: r.p50Us / 1000,
    p90Ms: r.p90Us / 1000,
    p99Ms: r.p99Us / 1000,
    maxMs: r.maxUs / 1000,
    requests: r.requests,
    errors: e.connect + e.read + e.write + e.status + e.timeout,
    errorKinds: e,
  };
}
