/**
 * The Lambda authorizer result cache (`authorizerResultTtlInSeconds`): entries expire after the
 * TTL, the least recently used go first past `maxEntries`, and concurrent misses on one key
 * share a single authorizer call. One cache per authorizer per compiled stage, so a recompile
 * (new deployment, ResetAuthorizersCache) starts empty.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.caching
 */

/** Default bound on cached identities per authorizer. */
export const MAX_CACHED_RESULTS = 10_000;

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/** A TTL + LRU cache with single-flight loading. */
export class AuthorizerResultCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #inflight = new Map<string, Promise<T>>();
  readonly #maxEntries: number;

  constructor(maxEntries = MAX_CACHED_RESULTS) {
    this.#maxEntries = maxEntries;
  }

  /** Entries held (expired ones included until touched). */
  get size(): number {
    return this.#entries.size;
  }

  /** The live value for `key`, marking it recently used. */
  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: T, expiresAt: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    // Map iteration order is insertion order: the first key is the least recently used.
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  /** The cached value, or `load()`'s (cached for `ttlMs` when it resolves; failures are not cached). */
  getOrLoad(key: string, now: () => number, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = this.get(key, now());
    if (hit !== undefined) return Promise.resolve(hit);
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = load().then(
        (value) => {
          this.#inflight.delete(key);
          this.set(key, value, now() + ttlMs);
          return value;
        },
        (error: unknown) => {
          this.#inflight.delete(key);
          throw error;
        },
      );
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  clear(): void {
    this.#entries.clear();
  }
}
