/**
 * WebSocket connections across nodes (`--redis`): which node holds which connection, and `@connections`
 * calls carried to that node.
 *
 * - Registry: `gatehouse:conn:{connectionId}` → the holding node, API and stage, written when a
 *   connection opens and deleted when it closes; `gatehouse:held:{nodeId}` is the set of a node's
 *   connections and `gatehouse:nodes` the set of nodes, so the entries of a dead node can be found.
 * - Liveness: each node refreshes `gatehouse:alive:{nodeId}` every `heartbeatMs` with a lifetime of three
 *   beats. A node that dies stops refreshing it; its connections answer 410 `GoneException` once the key
 *   expired (at most 3 × `heartbeatMs` after its last beat). At each beat every node sweeps the nodes
 *   whose key expired: their registry entries are deleted (one script per dead node, idempotent, so two
 *   nodes sweeping at once do no harm) and Redis keeps nothing of them.
 *   Their `$disconnect` is not run by anyone: the node that ran `$connect` is gone, as on AWS when a
 *   connection is lost without a close.
 * - Delivery: a call for a connection held elsewhere is published on the holder's channel
 *   `gatehouse:node:{nodeId}` and answered on the caller's; the holder runs it exactly as a local call
 *   (so `$disconnect` runs once, on the holder). No answer within `answerTimeoutMs` is a 504.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { RedisLink } from './redis.js';

/** An `@connections` operation as the holding node runs it. */
export interface ConnectionCall {
  readonly method: 'POST' | 'GET' | 'DELETE';
  readonly connectionId: string;
  readonly apiId: string;
  readonly stage: string;
  /** POST: the data, base64. */
  readonly body?: string;
}

/** The answer of an `@connections` operation. */
export interface ConnectionAnswer {
  readonly status: number;
  readonly type?: string;
  readonly payload?: unknown;
}

/** How long a call waits for the node (or worker) holding the connection. */
export const ANSWER_TIMEOUT_MS = 3_000;

/** The answer when the holder of a connection is alive but did not answer in time. */
export const notAnswered = (holder: 'node' | 'worker', connectionId: string, ms: number): ConnectionAnswer => ({
  status: 504,
  type: 'InternalServerErrorException',
  payload: { message: `The ${holder} holding connection ${connectionId} did not answer within ${ms} ms` },
});

/** Runs a call on this node; undefined when this node does not hold the connection (open, same API and stage). */
export type LocalConnections = (call: ConnectionCall) => ConnectionAnswer | undefined;

interface Envelope {
  readonly kind: 'call' | 'answer';
  readonly id: string;
  readonly from: string;
  readonly call?: ConnectionCall;
  readonly answer?: ConnectionAnswer | null;
}

/** Where a node (or worker) finds the connections other nodes hold: Redis (ConnectionDirectory) or its primary (worker-links.ts). */
export interface ConnectionRegistry {
  /** Starts answering other nodes' calls with `local`; `held` lists this node's open connections. */
  start(local: LocalConnections, held: () => Iterable<{ connectionId: string; apiId: string; stage: string }>): Promise<void>;
  opened(connectionId: string, apiId: string, stage: string): void;
  closed(connectionId: string): void;
  /** The holder's answer, or undefined when nobody holds the connection (410). */
  forward(call: ConnectionCall): Promise<ConnectionAnswer | undefined>;
  close(): Promise<void>;
}

export interface ConnectionDirectoryOptions {
  readonly link: RedisLink;
  readonly logger: Logger;
  readonly heartbeatMs?: number;
  readonly answerTimeoutMs?: number;
}

/** This node's part of the cluster's connection registry. */
export class ConnectionDirectory implements ConnectionRegistry {
  readonly nodeId = randomBytes(8).toString('hex');
  readonly #link: RedisLink;
  readonly #logger: Logger;
  readonly #subscriber: Redis;
  readonly #heartbeatMs: number;
  readonly #answerTimeoutMs: number;
  readonly #waiting = new Map<string, (answer: ConnectionAnswer | undefined) => void>();
  #local: LocalConnections = () => undefined;
  #beat: NodeJS.Timeout | undefined;

  constructor(options: ConnectionDirectoryOptions) {
    this.#link = options.link;
    this.#logger = options.logger;
    this.#heartbeatMs = options.heartbeatMs ?? 5_000;
    this.#answerTimeoutMs = options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
    // Its SUBSCRIBE waits for a connection however long Redis is away (the main client fails fast instead).
    this.#subscriber = options.link.client.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
    this.#subscriber.on('error', () => undefined);
    this.#subscriber.on('message', (_channel: string, text: string) => this.#receive(text));
  }

  /**
   * Starts the heartbeat and listens on this node's channel; `local` runs the calls other nodes send;
   * `held` lists this node's open connections, registered again whenever Redis comes back (connections
   * opened during an outage, or a Redis that restarted empty).
   */
  async start(local: LocalConnections, held: () => Iterable<{ connectionId: string; apiId: string; stage: string }>): Promise<void> {
    this.#local = local;
    this.#link.client.on('ready', () => {
      for (const c of held()) this.opened(c.connectionId, c.apiId, c.stage);
    });
    await this.#subscriber.subscribe(channelOf(this.nodeId)).catch((err: unknown) => this.#logger.warn('websocket cluster: cannot subscribe yet (Redis down?); retrying on reconnect', { error: String(err) }));
    const beat = () => {
      const client = this.#link.client;
      void client
        .multi()
        .set(aliveKey(this.nodeId), String(Date.now()), 'PX', this.#heartbeatMs * 3)
        .sadd(NODES_KEY, this.nodeId)
        .exec()
        .then(() => this.sweep())
        .catch(() => undefined);
    };
    beat();
    this.#beat = setInterval(beat, this.#heartbeatMs);
    this.#beat.unref();
  }

  /** A connection opened on this node. */
  opened(connectionId: string, apiId: string, stage: string): void {
    // Sent even while Redis looks unhealthy: the command fails fast if it is, and is re-sent on reconnect.
    void this.#link.client
      .multi()
      .hset(connKey(connectionId), 'node', this.nodeId, 'apiId', apiId, 'stage', stage)
      .sadd(heldKey(this.nodeId), connectionId)
      .exec()
      .catch(() => undefined);
  }

  /** A connection of this node closed. */
  closed(connectionId: string): void {
    void this.#link.client.multi().del(connKey(connectionId)).srem(heldKey(this.nodeId), connectionId).exec().catch(() => undefined);
  }

  /**
   * Removes the registry entries of every node whose liveness key expired; the number of nodes swept.
   * An entry is deleted only while it still names the dead node (a connection id is never reused, but
   * the check keeps the sweep safe whatever happens).
   */
  async sweep(): Promise<number> {
    const client = this.#link.client;
    const nodes = (await client.smembers(NODES_KEY)).filter((node) => node !== this.nodeId);
    if (nodes.length === 0) return 0;
    // Every node's liveness in one round trip (one per node would make N² per beat across the cluster).
    const alive = (await client.pipeline(nodes.map((node) => ['exists', aliveKey(node)])).exec()) ?? [];
    let swept = 0;
    for (const [i, node] of nodes.entries()) {
      const [error, exists] = alive[i] ?? [null, 1];
      if (error || exists !== 0) continue;
      await client.eval(SWEEP_SCRIPT, 3, heldKey(node), NODES_KEY, aliveKey(node), node);
      swept++;
      this.#logger.info('websocket cluster: removed the connections of a node that stopped beating', { node });
    }
    return swept;
  }

  /**
   * Runs a call on the node that holds the connection: its answer, or undefined when no live node holds
   * it (the caller answers 410). While Redis is unreachable nobody can tell whether another node holds
   * it: 500, never a 410 that would make a client forget a live connection.
   */
  async forward(call: ConnectionCall): Promise<ConnectionAnswer | undefined> {
    const unknown: ConnectionAnswer = { status: 500, type: 'InternalServerErrorException', payload: { message: 'Internal server error: the cluster\'s connection registry (Redis) is unreachable' } };
    if (!this.#link.healthy) return unknown;
    const client = this.#link.client;
    let holder: string | null;
    try {
      holder = await client.hget(connKey(call.connectionId), 'node');
      if (holder === null || holder === this.nodeId) return undefined;
      if ((await client.exists(aliveKey(holder))) === 0) {
        // The holder died: its connections are gone.
        await client.del(connKey(call.connectionId));
        return undefined;
      }
    } catch (err) {
      this.#link.down(err instanceof Error ? err.message : String(err), false);
      return unknown;
    }
    const id = randomBytes(8).toString('hex');
    const answered = new Promise<ConnectionAnswer | undefined>((resolve) => {
      const finish = (answer: ConnectionAnswer | undefined) => {
        clearTimeout(timer);
        clearInterval(watch);
        this.#waiting.delete(id);
        resolve(answer);
      };
      const timer = setTimeout(
        () => finish(notAnswered('node', call.connectionId, this.#answerTimeoutMs)),
        this.#answerTimeoutMs,
      );
      // A holder that dies while the call waits: the connection is gone (410), not late.
      const watch = setInterval(() => {
        client.exists(aliveKey(holder as string)).then(
          (alive) => {
            if (alive !== 0 || !this.#waiting.has(id)) return;
            void client.del(connKey(call.connectionId)).catch(() => undefined);
            finish(undefined);
          },
          () => undefined,
        );
      }, this.#heartbeatMs);
      this.#waiting.set(id, finish);
    });
    const envelope: Envelope = { kind: 'call', id, from: this.nodeId, call };
    try {
      await client.publish(channelOf(holder), JSON.stringify(envelope));
    } catch (err) {
      // Not delivered: the holder may well be alive, so not a 410.
      this.#link.down(err instanceof Error ? err.message : String(err), false);
      this.#waiting.get(id)?.(unknown);
    }
    return answered;
  }

  #receive(text: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (envelope.kind === 'answer') {
      const waiter = this.#waiting.get(envelope.id);
      this.#waiting.delete(envelope.id);
      waiter?.(envelope.answer ?? undefined);
      return;
    }
    if (envelope.kind !== 'call' || !envelope.call) return;
    let answer: ConnectionAnswer | undefined;
    try {
      answer = this.#local(envelope.call);
    } catch (err) {
      this.#logger.error('websocket cluster: a forwarded @connections call failed', { error: String(err) });
      answer = { status: 500, type: 'InternalServerErrorException', payload: { message: 'Internal server error' } };
    }
    const reply: Envelope = { kind: 'answer', id: envelope.id, from: this.nodeId, answer: answer ?? null };
    void this.#link.client.publish(channelOf(envelope.from), JSON.stringify(reply)).catch(() => undefined);
  }

  /** Stops the heartbeat and leaves the cluster: this node's liveness key goes at once. */
  async close(): Promise<void> {
    if (this.#beat) clearInterval(this.#beat);
    for (const waiter of this.#waiting.values()) waiter(undefined);
    this.#waiting.clear();
    if (this.#link.healthy) await this.#link.client.multi().del(aliveKey(this.nodeId)).srem(NODES_KEY, this.nodeId).exec().catch(() => undefined);
    this.#subscriber.disconnect();
  }
}

const NODES_KEY = 'gatehouse:nodes';
const connKey = (connectionId: string) => `gatehouse:conn:${connectionId}`;
const heldKey = (nodeId: string) => `gatehouse:held:${nodeId}`;
/**
 * KEYS: the dead node's held set, the nodes set, its liveness key; ARGV: its id. Does nothing if the
 * node beat again meanwhile; otherwise deletes each of its registry entries that still names it.
 */
const SWEEP_SCRIPT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local ids = redis.call('SMEMBERS', KEYS[1])
for _, id in ipairs(ids) do
  local key = 'gatehouse:conn:' .. id
  if redis.call('HGET', key, 'node') == ARGV[1] then redis.call('DEL', key) end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return #ids
`;
const aliveKey = (nodeId: string) => `gatehouse:alive:${nodeId}`;
const channelOf = (nodeId: string) => `gatehouse:node:${nodeId}`;
