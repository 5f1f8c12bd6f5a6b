/**
 * The issuers' signing keys for JWT authorizers: OIDC discovery (`{issuer}/.well-known/openid-configuration`
 * → `jwks_uri`), then the JWKS, cached per issuer and shared by every authorizer of the server.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 *
 * - Each fetch has AWS's quota: 1500 ms, and a JWKS of at most 150000 bytes (http-api-quotas).
 * - Keys are kept two hours, as AWS says it may cache them; after that they are refetched, and
 *   kept (stale) if the issuer cannot be reached.
 * - A token whose `kid` is unknown refetches the JWKS (key rotation), at most once per 30 s per
 *   issuer, so a stream of forged `kid`s cannot turn the gateway against the identity provider.
 * - Concurrent requests share one in-flight fetch.
 * - It also remembers the payloads of tokens whose signature it verified (bounded, per key
 *   generation: any refetch forgets them), so a client's repeated token costs a map look-up,
 *   not an RSA verification; time claims are still checked on every request.
 */
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { jose } from './jose.js';
import type { Agent } from 'undici';
import { undici } from '../../undici.js';
import type { Logger } from '../../logger.js';

/** Timeout of each discovery / JWKS request (AWS quota). */
export const JWKS_FETCH_TIMEOUT_MS = 1500;
/** Largest JWKS (and discovery document) accepted (AWS quota). */
export const MAX_JWKS_BYTES = 150_000;
/** Least time between two refetches of one issuer's JWKS caused by unknown `kid`s. */
export const JWKS_REFETCH_INTERVAL_MS = 30_000;
/** How long fetched keys are used before they are refetched. */
export const JWKS_MAX_AGE_MS = 2 * 60 * 60_000;
/** After a failed first fetch, requests fail fast for this long instead of each retrying. */
export const JWKS_FAILURE_BACKOFF_MS = 5_000;
/** Signature-verified tokens remembered (all issuers). */
export const MAX_VERIFIED_TOKENS = 10_000;
/** Longer tokens are verified every time rather than remembered. */
const MAX_REMEMBERED_TOKEN_LENGTH = 8192;

/** The issuer's keys could not be obtained: the gateway fails (500), it does not guess. */
export class JwksUnavailableError extends Error {
  override name = 'JwksUnavailableError';
}

/** No key of the issuer matches the token's `kid` and `alg`: the token is refused (401). */
export class JwksKeyNotFoundError extends Error {
  override name = 'JwksKeyNotFoundError';
}

/** Verification keys by issuer; one per server, shared by every compiled JWT authorizer. */
export interface JwksProvider {
  /** The key that verifies a token with this protected header; rejects with JwksKeyNotFoundError or JwksUnavailableError. */
  getKey(issuer: string, header: { readonly kid?: string; readonly alg?: string }): Promise<CryptoKey>;
  /** The issuer's key generation: it changes whenever its keys are refetched. */
  generation(issuer: string): number;
  /** The payload of `token` if its signature was verified under the issuer's current key generation. */
  recall(issuer: string, token: string): JWTPayload | undefined;
  /** Remembers a signature-verified token; `generation` is the one read before verifying. */
  remember(issuer: string, token: string, payload: JWTPayload, generation: number): void;
  /** Closes the provider's connections. */
  close(): Promise<void>;
}

/** Tunables (tests shorten them). */
export interface JwksProviderOptions {
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly refetchIntervalMs?: number;
  readonly maxAgeMs?: number;
  readonly failureBackoffMs?: number;
  readonly maxVerifiedTokens?: number;
  readonly clock?: () => number;
  readonly logger?: Logger;
}

/** Key type (and curve) each accepted algorithm needs; HMAC and `none` are absent on purpose. */
const KEY_TYPES: Readonly<Record<string, { kty: string; crv?: string }>> = {
  RS256: { kty: 'RSA' },
  RS384: { kty: 'RSA' },
  RS512: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  ES384: { kty: 'EC', crv: 'P-384' },
  ES512: { kty: 'EC', crv: 'P-521' },
};

/** The signature algorithms JWT authorizers accept. */
export const JWT_ALGORITHMS: readonly string[] = Object.keys(KEY_TYPES);

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/;

/** https, or http on a loopback host (local identity providers; AWS itself requires https). */
export function isAllowedIssuerUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
}

interface IssuerState {
  keys: readonly JWK[] | undefined;
  generation: number;
  fetchedAt: number;
  attemptedAt: number;
  failure: Error | undefined;
  inflight: Promise<void> | undefined;
}

/** Creates the JWKS cache of a server. */
export function createJwksProvider(options: JwksProviderOptions = {}): JwksProvider {
  const timeoutMs = options.timeoutMs ?? JWKS_FETCH_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? MAX_JWKS_BYTES;
  const refetchIntervalMs = options.refetchIntervalMs ?? JWKS_REFETCH_INTERVAL_MS;
  const maxAgeMs = options.maxAgeMs ?? JWKS_MAX_AGE_MS;
  const backoffMs = options.failureBackoffMs ?? JWKS_FAILURE_BACKOFF_MS;
  const now = options.clock ?? Date.now;
  // Created with the first fetch: a server without JWT authorizers never loads undici for it.
  let agent: Agent | undefined;
  const agentOf = (): Agent => (agent ??= new (undici().Agent)({ connect: { timeout: timeoutMs }, keepAliveTimeout: 10_000 }));
  const issuers = new Map<string, IssuerState>();
  const maxVerified = options.maxVerifiedTokens ?? MAX_VERIFIED_TOKENS;
  // Insertion-ordered: the first entry is the least recently used.
  const verified = new Map<string, { readonly payload: JWTPayload; readonly generation: number }>();
  // Imported keys hang off the JWK objects, so a refetch (new objects) drops them too.
  const imported = new WeakMap<JWK, Map<string, Promise<CryptoKey>>>();

  const getJson = (url: string) => fetchJson(agentOf(), url, timeoutMs, maxBytes);

  const refresh = (issuer: string, state: IssuerState): Promise<void> => {
    if (state.inflight) return state.inflight;
    state.attemptedAt = now();
    // Cleared in the same chain, so whoever awaits the fetch sees it finished.
    state.inflight = fetchKeys(issuer, getJson)
      .then(
        (keys) => {
          state.keys = keys;
          state.generation++;
          state.fetchedAt = now();
          state.failure = undefined;
        },
        (error: unknown) => {
          state.failure = error instanceof Error ? error : new Error(String(error));
          options.logger?.warn('JWT authorizer: cannot fetch the issuer keys', { issuer, error: state.failure.message });
        },
      )
      .then(() => {
        state.inflight = undefined;
      });
    return state.inflight;
  };

  const current = async (issuer: string, state: IssuerState): Promise<readonly JWK[]> => {
    if (state.inflight) await state.inflight;
    if (state.keys === undefined) {
      if (!(state.failure && now() - state.attemptedAt < backoffMs)) await refresh(issuer, state);
    } else if (now() - state.fetchedAt >= maxAgeMs && now() - state.attemptedAt >= backoffMs) {
      await refresh(issuer, state);
    }
    if (state.keys === undefined) {
      throw new JwksUnavailableError(`cannot fetch the JWKS of issuer ${issuer}: ${state.failure?.message ?? 'unknown error'}`);
    }
    return state.keys;
  };

  const importKey = (jwk: JWK, alg: string): Promise<CryptoKey> => {
    let byAlg = imported.get(jwk);
    if (!byAlg) imported.set(jwk, (byAlg = new Map()));
    let key = byAlg.get(alg);
    if (!key) byAlg.set(alg, (key = jose().then((j) => j.importJWK(jwk, alg) as Promise<CryptoKey>)));
    return key;
  };

  return {
    async getKey(issuer, header) {
      const { kid, alg } = header;
      if (alg === undefined || !Object.hasOwn(KEY_TYPES, alg)) throw new JwksKeyNotFoundError(`signing method ${alg ?? 'none'} is invalid`);
      if (typeof kid !== 'string' || kid === '') throw new JwksKeyNotFoundError('the token does not have a kid header');
      let state = issuers.get(issuer);
      if (!state) issuers.set(issuer, (state = { keys: undefined, generation: 0, fetchedAt: 0, attemptedAt: 0, failure: undefined, inflight: undefined }));
      let jwk = findKey(await current(issuer, state), kid, alg);
      if (!jwk) {
        // Key rotation: an unknown kid refetches, but only so often per issuer.
        if (state.inflight) await state.inflight;
        else if (now() - state.attemptedAt >= refetchIntervalMs) await refresh(issuer, state);
        jwk = state.keys && findKey(state.keys, kid, alg);
      }
      if (!jwk) throw new JwksKeyNotFoundError('the token signing key (kid) was not found in the issuer JWKS');
      return importKey(jwk, alg);
    },
    generation: (issuer) => issuers.get(issuer)?.generation ?? 0,
    recall(issuer, token) {
      const key = `${issuer}\n${token}`;
      const entry = verified.get(key);
      if (!entry) return undefined;
      verified.delete(key);
      if (entry.generation !== issuers.get(issuer)?.generation) return undefined;
      verified.set(key, entry);
      return entry.payload;
    },
    remember(issuer, token, payload, generation) {
      if (token.length > MAX_REMEMBERED_TOKEN_LENGTH || maxVerified <= 0) return;
      const key = `${issuer}\n${token}`;
      verified.delete(key);
      verified.set(key, { payload, generation });
      while (verified.size > maxVerified) verified.delete(verified.keys().next().value as string);
    },
    close: async () => agent?.close(),
  };
}

function findKey(keys: readonly JWK[], kid: string, alg: string): JWK | undefined {
  const want = KEY_TYPES[alg] as { kty: string; crv?: string };
  return keys.find(
    (k) =>
      k.kid === kid &&
      k.kty === want.kty &&
      (want.crv === undefined || k.crv === want.crv) &&
      (k.alg === undefined || k.alg === alg) &&
      (k.use === undefined || k.use === 'sig'),
  );
}

async function fetchKeys(issuer: string, getJson: (url: string) => Promise<unknown>): Promise<readonly JWK[]> {
  if (!isAllowedIssuerUrl(issuer)) throw new Error(`issuer ${issuer} is not an https URL (http only on loopback)`);
  const discovery = await getJson(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  const jwksUri = isObject(discovery) ? discovery.jwks_uri : undefined;
  if (typeof jwksUri !== 'string') throw new Error('the discovery document has no jwks_uri');
  if (!isAllowedIssuerUrl(jwksUri)) throw new Error(`jwks_uri ${jwksUri} is not an https URL (http only on loopback)`);
  const jwks = await getJson(jwksUri);
  const keys = isObject(jwks) ? jwks.keys : undefined;
  if (!Array.isArray(keys)) throw new Error(`${jwksUri} is not a JWK set (no keys array)`);
  return Object.freeze(keys.filter((k): k is JWK => isObject(k) && typeof k.kty === 'string'));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** GETs a JSON document within the time and size limits. */
async function fetchJson(agent: Agent, url: string, timeoutMs: number, maxBytes: number): Promise<unknown> {
  const res = await undici().request(url, { method: 'GET', dispatcher: agent, signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } }).catch(
    (error: unknown) => {
      throw new Error(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
  try {
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    if (Number(res.headers['content-length']) > maxBytes) throw new Error(`${url} is larger than ${maxBytes} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new Error(`${url} is larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown;
  } catch (error) {
    res.body.destroy();
    if (error instanceof SyntaxError) throw new Error(`${url} is not JSON`);
    if (error instanceof Error && error.name === 'TimeoutError') throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    throw error;
  }
}
