/**
 * Token-bucket throttling of HTTP API stages and routes (`throttlingRateLimit` requests/second,
 * `throttlingBurstLimit` bucket size), per node; cluster-wide with `--redis` (cluster-throttle.ts).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
 */

/** A route's throttle: `take()` is (or resolves to) false when the request must be throttled. */
export interface Throttle {
  take(): boolean | Promise<boolean>;
}

/** A token bucket; `take()` is false when the request must be throttled. */
export class TokenBucket implements Throttle {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;

  constructor(rate: number, burst: number, now: number = performance.now()) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes one token if available. */
  take(now: number = performance.now()): boolean {
    const elapsed = (now - this.#last) / 1000;
    this.#last = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#rate);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Route settings as stored on a stage. */
export interface ThrottleSettings {
  readonly throttlingRateLimit?: number;
  readonly throttlingBurstLimit?: number;
}

/**
 * A bucket for the settings, or undefined when neither limit is set (account defaults are not
 * enforced locally). A limit of 0 blocks all traffic, as on AWS. With only one limit set, the
 * other takes the same value.
 */
export function bucketFor(settings: ThrottleSettings | undefined): TokenBucket | undefined {
  const limits = limitsOf(settings);
  return limits ? new TokenBucket(limits.rate, limits.burst) : undefined;
}

/** The rate and burst the settings enforce, or undefined when neither limit is set. */
export function limitsOf(settings: ThrottleSettings | undefined): { rate: number; burst: number } | undefined {
  const rate = settings?.throttlingRateLimit;
  const burst = settings?.throttlingBurstLimit;
  if (rate === undefined && burst === undefined) return undefined;
  return { rate: rate ?? burst ?? 0, burst: burst ?? Math.max(1, Math.ceil(rate ?? 0)) };
}
