/**
 * examples/chat/local-table.mjs (the chat examples' in-memory DynamoDB stand-in) started on a free
 * port for a test: its URL from its first line, what it printed, and a stop.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childEnv, ROOT } from './cli.js';

export interface LocalTable {
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node examples/chat/local-table.mjs --port 0 [--table name=key ...]`; rejects when it does not start within 10 s. */
export async function startLocalTable(tables: readonly string[] = []): Promise<LocalTable> {
  const args = [join(ROOT, 'examples/chat/local-table.mjs'), '--port', '0', ...tables.flatMap((t) => ['--table', t])];
  const child: ChildProcess = spawn(process.execPath, args, { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = Date.now() + 10_000;
  for (;;) {
    const m = /^local DynamoDB tables .* at (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
    if (m) return { url: m[1] as string, output: () => out, stop: async () => (child.kill('SIGTERM'), await exited) };
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`local-table.mjs did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
