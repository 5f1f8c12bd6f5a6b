/**
 * `--workers N`: N Gatehouse processes behind one port on one machine (Node's `cluster`; new
 * connections are dealt round-robin by the primary).
 *
 * The primary holds no store and serves nothing: it forks the workers, relays between them over IPC,
 * replaces a worker that dies, and stops them all on SIGTERM / SIGINT. What it relays:
 * - store changes (`gh:change`): a change committed by one worker reaches the others' compiled stages,
 *   as PostgreSQL's change feed does between nodes (needed for SQLite, whose changes are per process);
 * - `@connections` calls (`gh:call` / `gh:answer`) without `--redis`: the primary knows which worker holds
 *   which WebSocket connection (`gh:open` / `gh:close`) and carries the call there.
 * Each worker is a whole Gatehouse (src/server.ts) told its index and the worker count.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logger.js';
import type { ConnectionAnswer, ConnectionCall } from './connections.js';

/** The messages between the primary and its workers. */
export type WorkerMessage =
  | { readonly t: 'gh:change'; readonly event: unknown }
  | { readonly t: 'gh:open'; readonly connectionId: string }
  | { readonly t: 'gh:close'; readonly connectionId: string }
  | { readonly t: 'gh:call'; readonly id: string; readonly call: ConnectionCall }
  | { readonly t: 'gh:answer'; readonly id: string; readonly answer: ConnectionAnswer | null }
  | { readonly t: 'gh:metrics-request'; readonly id: string }
  | { readonly t: 'gh:metrics-collect'; readonly id: string }
  | { readonly t: 'gh:metrics-part'; readonly id: string; readonly json: unknown[] }
  | { readonly t: 'gh:metrics-parts'; readonly id: string; readonly parts: unknown[][] }
  | { readonly t: 'gh:listening'; readonly port: number; readonly adminPort?: number; readonly tlsPort?: number; readonly publicUrl: string };

const isMessage = (m: unknown): m is WorkerMessage => typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string' && (m as { t: string }).t.startsWith('gh:');

/** This process's place in a `--workers` group: undefined when it runs alone. */
export function workerPlace(): { index: number; count: number } | undefined {
  const index = process.env.GATEHOUSE_WORKER_INDEX;
  const count = process.env.GATEHOUSE_WORKER_COUNT;
  if (!cluster.isWorker || index === undefined || count === undefined) return undefined;
  return { index: Number(index), count: Number(count) };
}

export interface PrimaryOptions {
  readonly count: number;
  readonly logger: Logger;
  /** The first worker is listening (the primary writes server.json, prints nothing else). */
  onListening(info: Extract<WorkerMessage, { t: 'gh:listening' }>): void;
  /** Every worker has stopped after a signal. */
  onStopped(): void;
}

/** Runs the primary of a `--workers` group until a signal stops it. */
export function runPrimary(options: PrimaryOptions): void {
  const { count, logger } = options;
  const slots = new Map<Worker, number>();
  const holders = new Map<string, Worker>();
  /** Calls in flight: id → the worker that asked, and the one that holds the connection. */
  const calls = new Map<string, { from: Worker; to: Worker }>();
  /** Scrapes in flight: id → the worker that asked, the parts so far, how many are expected. */
  const scrapes = new Map<string, { from: Worker; parts: unknown[][]; expected: number; timer: NodeJS.Timeout }>();
  const finishScrape = (id: string) => {
    const scrape = scrapes.get(id);
    if (!scrape) return;
    scrapes.delete(id);
    clearTimeout(scrape.timer);
    send(scrape.from, { t: 'gh:metrics-parts', id, parts: scrape.parts });
  };
  const crashes: number[] = [];
  let stopping = false;
  let announced = false;

  const send = (worker: Worker, message: WorkerMessage) => {
    if (worker.isConnected()) worker.send(message);
  };

  const fork = (index: number) => {
    const worker = cluster.fork({ GATEHOUSE_WORKER_INDEX: String(index), GATEHOUSE_WORKER_COUNT: String(count) });
    slots.set(worker, index);
    worker.on('online', () => logger.info('worker started', { worker: index, pid: worker.process.pid }));
    worker.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      switch (message.t) {
        case 'gh:change':
          for (const other of slots.keys()) if (other !== worker) send(other, message);
          return;
        case 'gh:open':
          holders.set(message.connectionId, worker);
          return;
        case 'gh:close':
          if (holders.get(message.connectionId) === worker) holders.delete(message.connectionId);
          return;
        case 'gh:call': {
          const holder = holders.get(message.call.connectionId);
          if (!holder || holder === worker) return send(worker, { t: 'gh:answer', id: message.id, answer: null });
          calls.set(message.id, { from: worker, to: holder });
          return send(holder, message);
        }
        case 'gh:answer': {
          const call = calls.get(message.id);
          calls.delete(message.id);
          if (call) send(call.from, message);
          return;
        }
        case 'gh:metrics-request': {
          // Every worker's metrics, summed by the one that was scraped; a worker that does not answer within 2 s is left out.
          const timer = setTimeout(() => finishScrape(message.id), 2_000);
          timer.unref();
          scrapes.set(message.id, { from: worker, parts: [], expected: slots.size, timer });
          for (const each of slots.keys()) send(each, { t: 'gh:metrics-collect', id: message.id });
          return;
        }
        case 'gh:metrics-part': {
          const scrape = scrapes.get(message.id);
          if (!scrape) return;
          scrape.parts.push(message.json);
          if (scrape.parts.length >= scrape.expected) finishScrape(message.id);
          return;
        }
        case 'gh:listening':
          // Each worker, so that a caller (or a test) can tell when all of them take connections.
          logger.info('worker listening', { worker: index, pid: worker.process.pid, port: message.port });
          if (!announced) {
            announced = true;
            options.onListening(message);
          }
          return;
      }
    });
    worker.on('exit', (code, signal) => {
      slots.delete(worker);
      // Its connections are gone, and so are the calls it was to answer.
      for (const [id, holder] of holders) if (holder === worker) holders.delete(id);
      for (const [id, call] of calls) {
        if (call.to === worker) send(call.from, { t: 'gh:answer', id, answer: null });
        if (call.to === worker || call.from === worker) calls.delete(id);
      }
      if (stopping) {
        if (slots.size === 0) options.onStopped();
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && (crashes[0] as number) < now - 60_000) crashes.shift();
      logger.error('worker died; starting a replacement', { worker: index, pid: worker.process.pid, code, signal, crashesLastMinute: crashes.length });
      // A worker that cannot start (a bad configuration) would die forever: slow down rather than spin.
      setTimeout(() => {
        if (!stopping) fork(index);
      }, crashes.length > 5 ? 5_000 : 100).unref();
    });
  };

  for (let i = 0; i < count; i++) fork(i);

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('gatehouse shutting down', { signal, workers: slots.size });
    if (slots.size === 0) return options.onStopped();
    for (const worker of slots.keys()) worker.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** A worker's end of the IPC link to its primary. */
export class PrimaryLink {
  readonly #handlers = new Map<WorkerMessage['t'], ((m: WorkerMessage) => void)[]>();

  constructor() {
    process.on('message', (message: unknown) => {
      if (!isMessage(message)) return;
      for (const handler of this.#handlers.get(message.t) ?? []) handler(message);
    });
  }

  send(message: WorkerMessage): void {
    if (process.connected) process.send?.(message);
  }

  on<T extends WorkerMessage['t']>(type: T, handler: (m: Extract<WorkerMessage, { t: T }>) => void): void {
    const list = this.#handlers.get(type) ?? [];
    list.push(handler as (m: WorkerMessage) => void);
    this.#handlers.set(type, list);
  }
}
