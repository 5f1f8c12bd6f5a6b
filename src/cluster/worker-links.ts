/**
 * A worker's side of `--workers` (cluster/workers.ts): its store's changes relayed to and from the other
 * workers, and `@connections` calls carried through the primary when there is no Redis.
 */
import { randomBytes } from 'node:crypto';
import type { ChangeEvent, Store } from '../store/store.js';
import { ANSWER_TIMEOUT_MS, notAnswered, type ConnectionAnswer, type ConnectionCall, type ConnectionRegistry, type LocalConnections } from './connections.js';
import type { PrimaryLink } from './workers.js';
import { renderSummed, type GatewayMetrics } from '../operations/metrics.js';

/**
 * The store as this worker sees it: its own changes go to the other workers, and theirs reach this
 * worker's listeners (the stage registry), as PostgreSQL's change feed does between nodes.
 */
export function relayChanges(store: Store, link: PrimaryLink): Store {
  const listeners = new Set<(event: ChangeEvent) => void>();
  store.watch((event) => link.send({ t: 'gh:change', event }));
  link.on('gh:change', (message) => {
    for (const listener of listeners) listener(message.event as ChangeEvent);
  });
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'watch') {
        return (listener: (event: ChangeEvent) => void) => {
          const own = target.watch(listener);
          listeners.add(listener);
          return () => {
            own();
            listeners.delete(listener);
          };
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `@connections` across the workers of one machine, through the primary (no Redis needed). */
export class WorkerConnections implements ConnectionRegistry {
  readonly #link: PrimaryLink;
  readonly #waiting = new Map<string, (answer: ConnectionAnswer | undefined) => void>();
  #local: LocalConnections = () => undefined;

  constructor(link: PrimaryLink) {
    this.#link = link;
    link.on('gh:answer', (message) => {
      const waiter = this.#waiting.get(message.id);
      this.#waiting.delete(message.id);
      waiter?.(message.answer ?? undefined);
    });
    link.on('gh:call', (message) => {
      let answer: ConnectionAnswer | undefined;
      try {
        answer = this.#local(message.call);
      } catch {
        answer = { status: 500, type: 'InternalServerErrorException', payload: { message: 'Internal server error' } };
      }
      this.#link.send({ t: 'gh:answer', id: message.id, answer: answer ?? null });
    });
  }

  async start(local: LocalConnections): Promise<void> {
    this.#local = local;
  }

  opened(connectionId: string): void {
    this.#link.send({ t: 'gh:open', connectionId });
  }

  closed(connectionId: string): void {
    this.#link.send({ t: 'gh:close', connectionId });
  }

  forward(call: ConnectionCall): Promise<ConnectionAnswer | undefined> {
    const id = randomBytes(8).toString('hex');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        resolve(notAnswered('worker', call.connectionId, ANSWER_TIMEOUT_MS));
      }, ANSWER_TIMEOUT_MS).unref();
      this.#waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.#link.send({ t: 'gh:call', id, call });
    });
  }

  async close(): Promise<void> {
    for (const waiter of this.#waiting.values()) waiter(undefined);
    this.#waiting.clear();
  }
}

/**
 * The metrics of a `--workers` group: a scrape reaches one worker, which asks the primary for every
 * worker's metrics and answers their sum; this worker answers the others' requests with its own.
 */
export function groupMetrics(link: PrimaryLink, metrics: GatewayMetrics): () => Promise<string> {
  const waiting = new Map<string, (parts: unknown[][]) => void>();
  link.on('gh:metrics-collect', (message) => {
    void metrics.json().then((json) => link.send({ t: 'gh:metrics-part', id: message.id, json }));
  });
  link.on('gh:metrics-parts', (message) => {
    waiting.get(message.id)?.(message.parts);
    waiting.delete(message.id);
  });
  return () =>
    new Promise<unknown[][]>((resolve, reject) => {
      const id = randomBytes(8).toString('hex');
      // The primary answers within 2 s (it leaves out a silent worker); without a primary there is no answer.
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary did not collect the workers\' metrics within 3 s'));
      }, 3_000).unref();
      waiting.set(id, (parts) => {
        clearTimeout(timer);
        resolve(parts);
      });
      link.send({ t: 'gh:metrics-request', id });
    }).then((parts) => renderSummed(parts));
}
