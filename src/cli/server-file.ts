/**
 * `{dataDir}/server.json`: where the server started on this data directory listens, written by
 * `gatehouse serve` once it listens and removed when it stops, so that other commands on the same
 * data directory (`gatehouse token`) find it without being told its port.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file's name inside the data directory. */
export const SERVER_FILE = 'server.json';

/** What the file holds. */
export interface ServerFile {
  /** A URL this machine can connect to (`0.0.0.0` and `::` become loopback). */
  readonly url: string;
  /** The origin clients use (`--public-url`), which issuer URLs and API endpoints are built on. */
  readonly publicUrl: string;
  /** The management API's own listener, with `--admin-port`. */
  readonly adminUrl?: string;
  readonly pid: number;
  readonly startedAt: string;
}

/** A URL to connect to for a listener bound to `host`:`port`. */
export function connectableUrl(host: string, port: number): string {
  const target = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${target.includes(':') ? `[${target}]` : target}:${port}`;
}

/** Writes the file (atomically: readers never see half of it). */
export function writeServerFile(dataDir: string, content: ServerFile): void {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, SERVER_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o644 });
  renameSync(temporary, path);
}

/** The file's content, or undefined when there is none (or it is unreadable). */
export function readServerFile(dataDir: string): ServerFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8')) as Partial<ServerFile>;
    return typeof parsed.url === 'string' && typeof parsed.publicUrl === 'string' ? (parsed as ServerFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the file if it is still this process's (another server may have started on the directory since). */
export function removeServerFile(dataDir: string, pid: number): void {
  if (readServerFile(dataDir)?.pid === pid) rmSync(join(dataDir, SERVER_FILE), { force: true });
}
