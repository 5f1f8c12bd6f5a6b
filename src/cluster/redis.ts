/**
 * The Redis connection of a node (`--redis redis://...`): what several Gatehouse nodes share beyond the
 * store. Today: cluster-wide throttling (data-plane/cluster-throttle.ts).
 *
 * Redis is never on the critical path of availability: while it is unreachable, callers fall back to
 * what one node can do alone (local token buckets), the loss is logged once as a warning and the
 * recovery once as info. Commands fail fast (no offline queue, one retry) so a request never waits
 * on a dead Redis for longer than `commandTimeoutMs`.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisLinkOptions {
  readonly url: string;
  readonly logger: Logger;
  /** A command not answered within this many milliseconds counts as failed (default 100). */
  readonly commandTimeoutMs?: number;
}

/** A shared Redis connection with its health, as the data plane and readiness see it. */
export class RedisLink {
  readonly client: Redis;
  readonly #logger: Logger;
  #healthy = false;
  #warned = false;
  #closed = false;
  /** After a failed command, Redis is left alone until then (ms since the epoch), then tried again. */
  #retryAt = 0;

  constructor(options: RedisLinkOptions) {
    this.#logger = options.logger;
    this.client = new Redis(options.url, {
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 100,
      connectTimeout: 2_000,
      lazyConnect: false,
      // Keep trying to come back, at most every 2 s.
      retryStrategy: (times) => Math.min(2_000, 50 * times),
    });
    this.client.on('ready', () => {
      this.#healthy = true;
      this.#retryAt = 0;
      if (this.#warned) this.#logger.info('redis: reachable again; cluster-wide throttling and @connections resumed', { url: redacted(options.url) });
      this.#warned = false;
    });
    this.client.on('error', (err: Error) => this.down(err.message));
    this.client.on('close', () => this.down('connection closed'));
  }

  /** True while commands can be sent: connected, and no command failed in the last second. */
  get healthy(): boolean {
    return this.#healthy && this.client.status === 'ready' && (this.#retryAt === 0 || Date.now() >= this.#retryAt);
  }

  /** A command succeeded: an outage a failed command started is over (logged once). */
  up(): void {
    if (this.#retryAt === 0) return;
    this.#retryAt = 0;
    if (this.#warned) this.#logger.info('redis: reachable again; cluster-wide throttling and @connections resumed');
    this.#warned = false;
  }

  /**
   * Marks Redis unreachable: a lost connection (until it is back), or a failed or slow command (for a
   * second, then commands are tried again). Warns once per outage.
   */
  down(reason: string, connectionLost = true): void {
    if (connectionLost) this.#healthy = false;
    else this.#retryAt = Date.now() + 1_000;
    if (this.#closed || this.#warned) return;
    this.#warned = true;
    this.#logger.warn('redis: unreachable; throttling falls back to per-node limits, and @connections reaches only this node\'s connections, until it returns', { reason });
  }

  /** Resolves once connected, or rejects after `timeoutMs` (start-up: a wrong URL is reported, not fatal). */
  async ready(timeoutMs = 2_000): Promise<boolean> {
    if (this.healthy) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once('ready', onReady);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable)';
  }
}
