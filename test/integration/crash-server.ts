/**
 * `gatehouse serve` as a child process for the crash-safety test: started on port 0, its URL read
 * from the "gatehouse listening" log line, and killed with SIGKILL by its PID (never by name).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

/** `dist/bundle/cli/main.js`, the `gatehouse` command (package.json "bin"). */
const MAIN = fileURLToPath(new URL('../../bundle/cli/main.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/** A running `gatehouse serve` child. */
export interface ChildServer {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  /** What the child wrote to stderr so far (its JSON log lines). */
  stderr(): string;
  /** Set once the child has exited, for whatever reason. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGKILL by PID; resolves once the child is gone. */
  kill(): Promise<void>;
  /** SIGTERM by PID (a clean shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
}

const exitOf = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/** Starts `gatehouse serve --port 0 ...args` with no GATEHOUSE_* variables of this process; resolves once it listens. */
export async function startChild(args: readonly string[]): Promise<ChildServer> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GATEHOUSE_')));
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], { env, cwd: tmpdir(), stdio: ['ignore', 'ignore', 'pipe'] });
  const pid = child.pid;
  let log = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = exitOf(child).then((e) => (exit = e));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gatehouse did not start within ${START_TIMEOUT_MS} ms:\n${log}`)), START_TIMEOUT_MS);
    const look = () => {
      const line = log.split('\n').find((l) => l.includes('"message":"gatehouse listening"'));
      if (!line) return;
      clearTimeout(timer);
      child.stderr?.off('data', look);
      resolve((JSON.parse(line) as { url: string }).url);
    };
    child.stderr?.on('data', look);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse exited during start-up (${e.code ?? e.signal}):\n${log}`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  }).catch(async (err: unknown) => {
    if (pid !== undefined && !exit) {
      process.kill(pid, 'SIGKILL');
      await exited;
    }
    throw err;
  });
  if (pid === undefined) throw new Error('gatehouse has no PID');
  const signal = async (name: NodeJS.Signals) => {
    if (!exit) process.kill(pid, name);
    return exited;
  };
  return {
    pid,
    url,
    port: Number(new URL(url).port),
    stderr: () => log,
    exited: () => exit,
    kill: async () => {
      await signal('SIGKILL');
    },
    stop: async () => (await signal('SIGTERM')).code,
  };
}
