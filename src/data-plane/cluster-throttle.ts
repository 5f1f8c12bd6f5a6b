/**
 * Cluster-wide throttling (`--redis`): every node of a cluster takes its route's tokens from one token
 * bucket in Redis, so `throttlingRateLimit` / `throttlingBurstLimit` hold for the whole cluster rather
 * than per node, as they do on AWS for a stage.
 *
 * One atomic script per request on throttled routes only (routes without limits never reach Redis),
 * pipelined by ioredis with the other requests of the same event-loop turn. The bucket's clock is
 * Redis's own (`TIME`), so nodes with skewed clocks share it fairly. While Redis is unreachable, or a
 * call fails or times out, the route falls back to its node-local bucket: a request is never failed
 * because of Redis (RedisLink logs the outage once).
 */
import type { RedisLink } from '../cluster/redis.js';
import type { Throttle, ThrottleSettings } from './throttle.js';
import { limitsOf, TokenBucket } from './throttle.js';

/**
 * KEYS[1] = the bucket; ARGV = rate (tokens/s), burst. State: `t` = last refill (ms, Redis time),
 * `n` = tokens. Numbers are written with string.format: Lua's own conversion keeps 14 digits only.
 */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 't', 'n')
local last = tonumber(state[1])
local tokens = tonumber(state[2])
if last == nil or tokens == nil then last = now; tokens = burst end
local elapsed = now - last
if elapsed < 0 then elapsed = 0 end
tokens = math.min(burst, tokens + elapsed / 1000 * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', string.format('%.3f', now), 'n', string.format('%.6f', tokens))
local ttl = 60000
if rate > 0 then ttl = math.min(3600000, math.ceil(burst / rate * 1000) + 1000) end
redis.call('PEXPIRE', KEYS[1], ttl)
return allowed
`;

interface ThrottleCommands {
  gatehouseTake(key: string, rate: number, burst: number): Promise<number>;
}

/** A route's bucket in Redis, with the node-local bucket it falls back to. */
class ClusterBucket implements Throttle {
  readonly #local: TokenBucket;

  constructor(
    readonly link: RedisLink,
    readonly key: string,
    readonly rate: number,
    readonly burst: number,
  ) {
    this.#local = new TokenBucket(rate, burst);
  }

  take(): boolean | Promise<boolean> {
    if (!this.link.healthy) return this.#local.take();
    return (this.link.client as unknown as ThrottleCommands).gatehouseTake(this.key, this.rate, this.burst).then(
      (allowed) => {
        this.link.up();
        return allowed === 1;
      },
      (err: unknown) => {
        this.link.down(err instanceof Error ? err.message : String(err), false);
        return this.#local.take();
      },
    );
  }
}

/**
 * The throttle factory of a cluster: `scope` names the bucket (account, region, API, stage, route key);
 * the limits are part of the key, so changed limits start a fresh bucket, as a redeployment does.
 */
export function clusterThrottles(link: RedisLink): (scope: string, settings: ThrottleSettings | undefined) => Throttle | undefined {
  link.client.defineCommand('gatehouseTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  return (scope, settings) => {
    const limits = limitsOf(settings);
    if (!limits) return undefined;
    return new ClusterBucket(link, `gatehouse:throttle:${scope}:${limits.rate}:${limits.burst}`, limits.rate, limits.burst);
  };
}

/**
 * The throttle factory of one of `count` workers without Redis: each worker enforces its share of the
 * limits (rate / count, burst / count), which holds for the group when the primary deals connections
 * round-robin, as it does. Approximate for few long-lived connections; `--redis` is exact.
 */
export function workerShareThrottles(count: number): (scope: string, settings: ThrottleSettings | undefined) => Throttle | undefined {
  return (_scope, settings) => {
    const limits = limitsOf(settings);
    if (!limits) return undefined;
    return new TokenBucket(limits.rate / count, limits.burst === 0 ? 0 : Math.max(1, limits.burst / count));
  };
}
