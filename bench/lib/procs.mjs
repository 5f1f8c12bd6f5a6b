// Child processes of the benchmark: spawned (optionally pinned with taskset), tracked by PID, stopped by PID.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Every child still running, so an interrupted run stops exactly what it started. */
const running = new Set();

/** CPU pinning: `{ server: '0', load: '1' }` when taskset exists and there are 2+ CPUs, else undefined. */
export function detectPinning(cpus, disabled) {
  if (disabled || cpus < 2) return undefined;
  const probe = spawnSync('taskset', ['-c', '0', 'true']);
  return probe.status === 0 ? { server: '0', load: '1' } : undefined;
}

/** Pins this process (all its threads) to `cpu`; false when it could not. */
export function pinSelf(cpu) {
  return spawnSync('taskset', ['-a', '-p', '-c', cpu, String(process.pid)]).status === 0;
}

/**
 * Spawns `command args` (through `taskset -c cpu` when `cpu` is set: taskset execs the command, so the PID
 * is the command's own). Keeps the last lines of its output for error messages.
 */
export function start(command, args, { cpu, env, cwd } = {}) {
  const [file, argv] = cpu === undefined ? [command, args] : ['taskset', ['-c', cpu, command, ...args]];
  const child = spawn(file, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const lines = [];
  let waiters = [];
  let partial = '';
  const onText = (chunk) => {
    partial += chunk.toString('utf8');
    let nl;
    while ((nl = partial.indexOf('\n')) !== -1) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      tail.push(line);
      if (tail.length > 40) tail.shift();
      lines.push(line);
      for (const w of waiters) w();
    }
  };
  child.stdout.on('data', onText);
  child.stderr.on('data', onText);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  running.add(child);
  void exited.then(() => {
    running.delete(child);
    for (const w of waiters) w();
  });
  return {
    pid: child.pid,
    exited,
    /** The last lines the process wrote (stdout and stderr). */
    output: () => tail.join('\n'),
    /** Resolves with the first output line that parses as JSON with a `port` (bench servers print one). */
    port(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${command} ${args.join(' ')}: no port within ${timeoutMs} ms\n${tail.join('\n')}`)), timeoutMs);
        const check = () => {
          for (const line of lines) {
            try {
              const parsed = JSON.parse(line);
              if (typeof parsed?.port === 'number') return done(undefined, parsed.port);
            } catch {
              // not a JSON line
            }
          }
          if (child.exitCode !== null || child.signalCode !== null) done(new Error(`${command} exited before listening\n${tail.join('\n')}`));
        };
        const done = (err, port) => {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== check);
          if (err) reject(err);
          else resolve(port);
        };
        waiters.push(check);
        check();
      });
    },
    /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Kills every child still running (by PID); for exit paths. */
export function killAll() {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * A script's end, however it comes: returns `cleanUp()` (kills every child still running and removes `work`, the
 * script's temporary directory) for its `finally`, and runs it on SIGINT or SIGTERM (Ctrl-C, or `kill <pid>` of
 * the script alone) before exiting with 130. Without that, a script stopped by a signal skips its `finally` and
 * leaves its servers (and valgrind's) running.
 */
export function stopOnSignals(work) {
  const cleanUp = () => {
    killAll();
    rmSync(work, { recursive: true, force: true });
  };
  const stop = () => {
    cleanUp();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return cleanUp;
}

/** Resident set size of a process in MB (from /proc), or undefined. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU time (user + system) a process has used so far, in seconds (from /proc), or undefined. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** Samples the RSS of `pid` every `everyMs` until `stop()`; returns the peak in MB. */
export function sampleRss(pid, everyMs = 250) {
  let peak = rssMb(pid) ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid) ?? 0)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, rssMb(pid) ?? 0);
      return peak;
    },
  };
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One GET on a fresh connection; resolves `{ status, body }`, rejects on a socket error. */
export function get(port, path, headers = {}, timeoutMs = 2_000) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `GET path` until it answers 2xx; resolves with the time it did (performance.now()). */
export async function firstSuccess(port, path, headers, deadline) {
  for (;;) {
    try {
      const res = await get(port, path, headers, 1_000);
      if (res.status >= 200 && res.status < 300) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`GET ${path} on port ${port}: no 2xx before the deadline`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
