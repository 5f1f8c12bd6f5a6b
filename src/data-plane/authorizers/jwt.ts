/**
 * JWT authorizers (SPEC §E.7): the token from the identity source (bare or `Bearer `), its
 * signature checked with the issuer's JWKS, then `iss`, `aud` (or `client_id` only when `aud` is
 * absent), `exp`, `nbf`, `iat`, and the route's `authorizationScopes` against `scope`/`scp`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html
 *
 * Failures are 401 `{"message":"Unauthorized"}` with AWS's (comma-less) challenge
 * `www-authenticate: Bearer scope="" error="invalid_token" error_description="..."`; a scope
 * mismatch is 403 `{"message":"Forbidden"}` with `error="insufficient_scope"`. Only the audience
 * description is published by AWS; the others follow its wording.
 */
import type { JWTPayload } from 'jose';
import { jose } from './jose.js';
import type { AuthorizerRecord, RouteRecord } from '../../model/resources.js';
import { forbidden, GatewayError, internalServerError, unauthorized } from '../errors.js';
import type { AuthorizerResult, CompiledAuthorizer, Invocation } from '../invocation.js';
import { compileIdentitySource } from './identity-source.js';
import { isAllowedIssuerUrl, JWT_ALGORITHMS, JwksKeyNotFoundError, type JwksProvider, JwksUnavailableError } from './jwks.js';
import { setOwn } from '../../model/own.js';

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 5;

/** What a JWT authorizer needs. */
export interface JwtAuthorizerDeps {
  readonly jwks: JwksProvider;
  /** Epoch ms; tests move time. */
  readonly clock?: () => number;
}

/** The description AWS publishes (http-api-troubleshooting-jwt); the others are ours in its style. */
export const JWT_ERRORS = {
  missing: 'the token is missing',
  malformed: 'the token is malformed',
  signature: 'the token signature is invalid',
  issuer: 'the token does not have a valid issuer',
  audience: 'the token does not have a valid audience',
  expired: 'the token has expired',
  notYetValid: 'the token is not valid yet',
  issuedInFuture: 'the token was issued in the future',
  noExpiry: 'the token does not have an expiration time',
} as const;

const DEFAULT_IDENTITY_SOURCE = '$request.header.Authorization';
const BEARER = /^bearer\s+/i;

/** Compiles the JWT authorizer of one route (issuer, audiences, identity source and scopes resolved once). */
export function compileJwtAuthorizer(route: RouteRecord, record: AuthorizerRecord, deps: JwtAuthorizerDeps): CompiledAuthorizer {
  const issuer = record.jwtConfiguration?.issuer;
  const audiences = new Set(record.jwtConfiguration?.audience ?? []);
  const sourceExpression = record.identitySource[0] ?? DEFAULT_IDENTITY_SOURCE;
  const source = compileIdentitySource(sourceExpression);
  const broken =
    issuer === undefined || !isAllowedIssuerUrl(issuer)
      ? `JWT authorizer ${record.authorizerId}: issuer ${issuer ?? '(none)'} is not an https URL (http only on loopback)`
      : source === undefined
        ? `JWT authorizer ${record.authorizerId}: unsupported identity source ${sourceExpression}`
        : undefined;
  if (broken !== undefined || issuer === undefined || source === undefined) {
    return { authorize: () => Promise.reject(internalServerError(broken, 'AUTHORIZER_FAILURE')) };
  }
  const required = route.authorizationScopes && route.authorizationScopes.length > 0 ? route.authorizationScopes : undefined;
  const now = deps.clock ?? Date.now;
  const getKey = (header: { kid?: string; alg?: string }) => deps.jwks.getKey(issuer, header);

  /** The signature-checked payload: remembered by the provider, or verified now with the issuer's keys. */
  const verified = async (token: string, nowSeconds: number): Promise<JWTPayload> => {
    const remembered = deps.jwks.recall(issuer, token);
    if (remembered) {
      const late = checkTimes(remembered, nowSeconds);
      if (late !== undefined) throw invalidToken(late);
      return remembered;
    }
    const generation = deps.jwks.generation(issuer);
    let payload: JWTPayload;
    try {
      ({ payload } = await (await jose()).jwtVerify(token, getKey, {
        algorithms: JWT_ALGORITHMS as string[],
        clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(nowSeconds * 1000),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw verificationError(error, token);
    }
    deps.jwks.remember(issuer, token, payload, generation);
    return payload;
  };

  // A successful result depends only on the token's payload and this route's fixed configuration;
  // `verified` hands back the same payload object for a remembered token (and re-checks exp/nbf
  // every time), so the derived result is reused instead of rebuilt per request.
  const results = new WeakMap<object, AuthorizerResult>();
  // The hot case (a client repeating its token) keyed by the exact identity-source value: skips the
  // Bearer parsing and the provider's look-up. Expiry and the issuer's key generation are still
  // checked on every request, so rotation and expiry behave as without it. Bounded; cleared when full.
  const byValue = new Map<string, { readonly payload: JWTPayload; readonly result: AuthorizerResult; readonly generation: number }>();

  return {
    async authorize(inv: Invocation): Promise<AuthorizerResult> {
      const raw = source(inv);
      const hit = raw === undefined ? undefined : byValue.get(raw);
      if (hit && hit.generation === deps.jwks.generation(issuer) && checkTimes(hit.payload, now() / 1000) === undefined) return hit.result;
      const token = raw?.replace(BEARER, '').trim();
      // RFC 6750 §3.1: a request without credentials gets the bare challenge, no error code.
      // TODO(parity): what AWS sends without a token is unverified.
      if (!token) throw unauthorized({ 'www-authenticate': 'Bearer' }, JWT_ERRORS.missing);
      const nowSeconds = now() / 1000;
      const payload = await verified(token, nowSeconds);
      const known = results.get(payload);
      if (known) {
        if (raw !== undefined) byValue.set(raw, { payload, result: known, generation: deps.jwks.generation(issuer) });
        return known;
      }
      const problem = checkClaims(payload, issuer, audiences, nowSeconds);
      if (problem !== undefined) throw invalidToken(problem);
      const scopes = required ? tokenScopes(payload) : undefined;
      if (required && scopes && !required.some((s) => scopes.includes(s))) throw insufficientScope(required);
      const result: AuthorizerResult = Object.freeze({ jwt: Object.freeze({ claims: Object.freeze(stringifyClaims(payload)), scopes: scopes ? Object.freeze([...scopes]) : null }) });
      results.set(payload, result);
      if (raw !== undefined) {
        if (byValue.size >= MAX_MEMO_ENTRIES) byValue.clear();
        byValue.set(raw, { payload, result, generation: deps.jwks.generation(issuer) });
      }
      return result;
    },
  };
}

/** `exp` and `nbf` of a remembered token (jose checks them on first verification, with the same tolerance). */
/** Entries of a route's memo of recently accepted identity values. */
const MAX_MEMO_ENTRIES = 4096;

function checkTimes(payload: JWTPayload, nowSeconds: number): string | undefined {
  if (typeof payload.exp !== 'number') return JWT_ERRORS.noExpiry;
  if (payload.exp <= nowSeconds - JWT_CLOCK_TOLERANCE_SECONDS) return JWT_ERRORS.expired;
  if (typeof payload.nbf === 'number' && payload.nbf > nowSeconds + JWT_CLOCK_TOLERANCE_SECONDS) return JWT_ERRORS.notYetValid;
  return undefined;
}

/** `iss`, then `aud` (`client_id` only without `aud`), then `iat` (jose has checked `exp`/`nbf`). */
function checkClaims(payload: JWTPayload, issuer: string, audiences: ReadonlySet<string>, nowSeconds: number): string | undefined {
  if (payload.iss !== issuer) return JWT_ERRORS.issuer;
  const aud = payload.aud ?? payload.client_id;
  const candidates = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!candidates.some((a) => typeof a === 'string' && audiences.has(a))) return JWT_ERRORS.audience;
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds + JWT_CLOCK_TOLERANCE_SECONDS) return JWT_ERRORS.issuedInFuture;
  return undefined;
}

/** The token's scopes: `scope` (space-separated) and `scp` (string or array). */
function tokenScopes(payload: JWTPayload): string[] {
  const out: string[] = [];
  for (const value of [payload.scope, payload.scp]) {
    if (typeof value === 'string') out.push(...value.split(' ').filter((s) => s !== ''));
    else if (Array.isArray(value)) for (const s of value) if (typeof s === 'string') out.push(s);
  }
  return [...new Set(out)];
}

/**
 * Claims as AWS passes them on: every value a string — numbers and booleans stringified, arrays
 * as `[a b]`, objects as JSON text — and null claims left out (floci-io/floci#2011 captures).
 */
export function stringifyClaims(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || value === undefined) continue;
    setOwn(claims, name, claimText(value));
  }
  return claims;
}

function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map((v) => (v === null ? 'null' : claimText(v))).join(' ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value as number | boolean);
}

/** 401 with AWS's challenge; the description also goes to `$context.authorizer.error`. */
function invalidToken(description: string): GatewayError {
  return unauthorized({ 'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${headerSafe(description)}"` }, description);
}

/** 403 for a valid token without any of the route's scopes. TODO(parity): AWS's exact challenge is unverified. */
function insufficientScope(required: readonly string[]): GatewayError {
  const description = `expected scopes: [${required.join(' ')}]`;
  return forbidden(
    { 'www-authenticate': `Bearer scope="${headerSafe(required.join(' '))}" error="insufficient_scope" error_description="${headerSafe(description)}"` },
    description,
  );
}

/** Token-controlled text must not break the header (quotes, control characters). */
const headerSafe = (text: string): string => text.replace(/["\\]/g, '').replace(/[^\x20-\x7e]/g, '?');

/** Maps what jose (and the JWKS provider) throw to the gateway's answer; anything unexpected fails closed (500). */
function verificationError(error: unknown, token: string): GatewayError {
  if (error instanceof JwksUnavailableError) return internalServerError(error.message, 'AUTHORIZER_FAILURE');
  if (error instanceof JwksKeyNotFoundError) return invalidToken(error.message);
  const code = (error as { code?: unknown }).code;
  const claim = (error as { claim?: unknown }).claim;
  const reason = (error as { reason?: unknown }).reason;
  switch (code) {
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return invalidToken(`signing method ${headerAlg(token)} is invalid`);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return invalidToken(JWT_ERRORS.signature);
    case 'ERR_JWT_EXPIRED':
      return invalidToken(JWT_ERRORS.expired);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'exp' && reason === 'missing') return invalidToken(JWT_ERRORS.noExpiry);
      if (claim === 'nbf' && reason === 'check_failed') return invalidToken(JWT_ERRORS.notYetValid);
      return invalidToken(`the token ${String(claim)} claim is invalid`);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return invalidToken(JWT_ERRORS.malformed);
    default:
      return internalServerError(`JWT verification failed: ${error instanceof Error ? error.message : String(error)}`, 'AUTHORIZER_FAILURE');
  }
}

/** The `alg` of a token's header, for the error description (sanitised: it is the caller's text). */
function headerAlg(token: string): string {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' && /^[A-Za-z0-9+_.-]{1,32}$/.test(header.alg) ? header.alg : 'unknown';
  } catch {
    return 'unknown';
  }
}
