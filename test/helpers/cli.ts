/**
 * The `gatehouse` command in a child process: run it to completion, or start `gatehouse serve` on a
 * free port with a fresh data directory and read what it writes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository root (tests run from dist/test/...). */
export const ROOT = new URL('../../../', import.meta.url).pathname;
/** The built command, as package.json "bin" names it (the bundle of scripts/bundle.mjs). */
export const CLI = join(ROOT, 'dist/bundle/cli/main.js');

/** Environment of a child: this process's, minus Gatehouse's and AWS's variables, plus `env`. */
export function childEnv(env: Record<string, string> = {}): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !k.startsWith('GATEHOUSE_') && !k.startsWith('AWS_'))) as Record<string, string>;
  return { ...base, NO_COLOR: '1', ...env };
}

/** Runs `gatehouse <args>` to completion. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse ${args.join(' ')} did not finish within ${options.timeoutMs ?? 15_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running `gatehouse serve`. */
export interface CliServer {
  readonly pid: number;
  readonly port: number;
  /** `http://127.0.0.1:{port}` */
  readonly url: string;
  readonly dataDir: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Resolves with stderr once `pattern` matches it (from `from` on). */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then waits for the exit; removes the data directory unless `keep`. */
  stop(keep?: boolean): Promise<number | null>;
}

/** Starts `gatehouse serve --port 0 --data-dir <fresh> <args>` and waits until it wrote server.json. */
export async function startCli(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; dataDir?: string; startTimeoutMs?: number } = {}): Promise<CliServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, ...args], {
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  const waiters = new Set<() => void>();
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    for (const w of waiters) w();
  });
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const w of waiters) w();
  });
  const waitFor = (pattern: RegExp, from = 0, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = pattern.exec(err.slice(from));
        if (m) return finish(() => resolve(m[0]));
        if (done) finish(() => reject(new Error(`gatehouse exited before ${pattern} appeared:\n${err}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${pattern} did not appear within ${timeoutMs} ms:\n${err}`))), timeoutMs);
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        fn();
      };
      waiters.add(check);
      check();
    });
  const stop = async (keep = false) => {
    if (!done) child.kill('SIGTERM');
    const code = await exited;
    if (!keep && options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  // server.json is written once the server listens (its port is in there).
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    try {
      const file = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { url: string; pid: number };
      if (file.pid === child.pid) {
        const port = Number(new URL(file.url).port);
        return { pid: child.pid, port, url: file.url, dataDir, stderr: () => err, stdout: () => out, waitFor, stop };
      }
    } catch {
      // not written yet
    }
    if (done || Date.now() > deadline) {
      await stop();
      throw new Error(`gatehouse serve did not start:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
