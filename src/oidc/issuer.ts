/**
 * Built-in OIDC issuers for local development and tests, so JWT authorizers are exercised with
 * real signatures (no Cognito, no verification switched off). Under `/_gatehouse/oidc/{name}/`:
 *
 *   GET  .well-known/openid-configuration   discovery (issuer, jwks_uri, token_endpoint)
 *   GET  jwks.json                          the issuer's public key
 *   POST token                              mints an access token (form or JSON body)
 *
 * Issuers are created explicitly, never by a request: the server's configured issuers
 * (`--oidc-issuer`) at start-up, or `gatehouse token --issuer` (the CLI); their key pairs persist in
 * the data dir (keys.ts), so an issuer created once is served after every restart. A request for
 * any other name answers 404 and creates nothing.
 * Anyone who can reach the token endpoint can mint tokens that this issuer's authorizers accept:
 * it is a development tool, only trusted by authorizers configured with its issuer URL.
 */
import { randomUUID, sign } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { ISSUER_ALGORITHM, ISSUER_NAME, loadIssuerKey, loadOrCreateIssuerKey, type IssuerKey } from './keys.js';

/** Path prefix of every built-in issuer. */
export const OIDC_PATH_PREFIX = '/_gatehouse/oidc/';
/** Default token lifetime, seconds. */
export const DEFAULT_EXPIRES_IN = 3600;
/** Longest lifetime (either way: negative values mint already-expired tokens for tests), seconds. */
export const MAX_EXPIRES_IN = 10 * 365 * 24 * 3600;
const MAX_TOKEN_REQUEST_BYTES = 64 * 1024;

/** What a token says beyond the issuer. */
export interface TokenOptions {
  /** `aud`: one audience is a string claim, several an array; none leaves `aud` out. */
  readonly audience?: string | readonly string[];
  /** `scope`, space-separated. */
  readonly scope?: string;
  /** `sub`; default `user`. */
  readonly subject?: string;
  /** Seconds until `exp`; default 3600. */
  readonly expiresIn?: number;
  /** Extra claims, applied last (they may override the standard ones). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** The issuer URL of the built-in issuer `name` on a server reached at `baseUrl`. */
export const oidcIssuerUrl = (baseUrl: string, name: string): string => `${baseUrl.replace(/\/+$/, '')}${OIDC_PATH_PREFIX}${name}`;

/** Signs an RS256 JWT for `issuerUrl` with `key`. */
export function signToken(key: IssuerKey, issuerUrl: string, options: TokenOptions, nowSeconds: number): string {
  const audience = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  const claims = {
    iss: issuerUrl,
    sub: options.subject ?? 'user',
    ...(audience.length === 1 ? { aud: audience[0] } : audience.length > 1 ? { aud: audience } : {}),
    ...(options.scope ? { scope: options.scope } : {}),
    iat: nowSeconds,
    exp: nowSeconds + (options.expiresIn ?? DEFAULT_EXPIRES_IN),
    jti: randomUUID(),
    ...options.claims,
  };
  const header = Buffer.from(JSON.stringify({ alg: ISSUER_ALGORITHM, typ: 'JWT', kid: key.kid })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key.privateKey).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** Mints a token of the built-in issuer `name` (keys from `dataDir`, created if absent); for the CLI. */
export async function mintToken(options: TokenOptions & { readonly dataDir: string; readonly issuerUrl: string; readonly name: string; readonly now?: number }): Promise<string> {
  const key = await loadOrCreateIssuerKey(options.dataDir, options.name);
  return signToken(key, options.issuerUrl, options, Math.floor((options.now ?? Date.now()) / 1000));
}

/** Options of the server's issuers. */
export interface OidcIssuerOptions {
  readonly dataDir: string;
  /** Issuers to create (or load) before serving; others are served only once their keys exist in `dataDir`. */
  readonly issuers?: readonly string[];
  /** The server's public base URL (`http://localhost:4580`), read per request. */
  readonly baseUrl: () => string;
  readonly clock?: () => number;
  readonly logger?: Logger;
  /** Serve `POST token` (default true); false keeps discovery and JWKS for tokens minted with the CLI only. */
  readonly tokenEndpoint?: boolean;
}

/** The server's built-in issuers. */
export interface OidcIssuer {
  /** Answers a request under `/_gatehouse/oidc/`; false (nothing written) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** The issuer URL of `name` as the server advertises it. */
  issuerUrl(name: string): string;
}

/** A bad token request: 400 with an OAuth error body. */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, head = false) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(head ? undefined : text);
};

/** The 404 of a name no issuer was created for. */
const unknownIssuer = (name: string) => ({
  message: `No OIDC issuer named ${JSON.stringify(name)}: issuers are created at start-up (--oidc-issuer ${name}, GATEHOUSE_OIDC_ISSUERS or oidcIssuers in --config) or by \`gatehouse token --issuer ${name}\` with the server's data directory`,
});

/** Creates the configured issuers' keys (generating missing ones), then serves every issuer that has keys. */
export async function createOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const now = options.clock ?? Date.now;
  // Created issuers only: a name is added once its key exists, so a request cannot make one.
  const keys = new Map<string, Promise<IssuerKey | undefined>>();
  const created = await Promise.all((options.issuers ?? []).map(async (name) => [name, await loadOrCreateIssuerKey(options.dataDir, name)] as const));
  for (const [name, key] of created) keys.set(name, Promise.resolve(key));
  const keyOf = (name: string): Promise<IssuerKey | undefined> => {
    let key = keys.get(name);
    if (!key) {
      // Issuers created since start-up (by the CLI, another node) or before a restart: read, never generate.
      key = loadIssuerKey(options.dataDir, name);
      keys.set(name, key);
      key.then(
        (found) => found ?? keys.delete(name),
        () => keys.delete(name),
      );
    }
    return key;
  };
  const issuerUrl = (name: string) => oidcIssuerUrl(options.baseUrl(), name);

  const answer = async (req: IncomingMessage, res: ServerResponse, name: string, endpoint: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    const key = await keyOf(name);
    if (!key) {
      req.resume();
      return send(res, 404, unknownIssuer(name), {}, method === 'HEAD');
    }
    if (endpoint === '.well-known/openid-configuration' || endpoint === 'jwks.json') {
      req.resume();
      if (!read) return send(res, 405, { message: `Method ${method} not allowed` }, { allow: 'GET, HEAD' });
      const cache = { 'cache-control': 'public, max-age=300' };
      if (endpoint === 'jwks.json') return send(res, 200, { keys: [key.publicJwk] }, cache, method === 'HEAD');
      return send(res, 200, discovery(issuerUrl(name)), cache, method === 'HEAD');
    }
    if (endpoint === 'token' && options.tokenEndpoint !== false) {
      if (method !== 'POST') {
        req.resume();
        return send(res, 405, { message: `Method ${method} not allowed` }, { allow: 'POST' });
      }
      let request: TokenOptions;
      try {
        request = parseTokenRequest(await readRequest(req), String(req.headers['content-type'] ?? ''));
      } catch (error) {
        if (!(error instanceof TokenRequestError)) throw error;
        return send(res, 400, { error: 'invalid_request', error_description: error.message }, { 'cache-control': 'no-store' });
      }
      const token = signToken(key, issuerUrl(name), request, Math.floor(now() / 1000));
      return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: request.expiresIn ?? DEFAULT_EXPIRES_IN }, { 'cache-control': 'no-store', pragma: 'no-cache' });
    }
    req.resume();
    send(res, 404, { message: `No OIDC issuer endpoint at ${OIDC_PATH_PREFIX}${name}/${endpoint}` });
  };

  return {
    issuerUrl,
    handle(req, res) {
      const path = (req.url ?? '/').split('?')[0] as string;
      if (!path.startsWith(OIDC_PATH_PREFIX)) return false;
      const rest = path.slice(OIDC_PATH_PREFIX.length);
      const slash = rest.indexOf('/');
      const name = slash === -1 ? rest : rest.slice(0, slash);
      const endpoint = slash === -1 ? '' : rest.slice(slash + 1);
      if (!ISSUER_NAME.test(name)) {
        req.resume();
        send(res, 404, { message: `Invalid OIDC issuer name ${JSON.stringify(name)}: use 1-64 of A-Z a-z 0-9 _ -` });
        return true;
      }
      answer(req, res, name, endpoint).catch((error: unknown) => {
        options.logger?.error('OIDC issuer: request failed', { path, error: error instanceof Error ? error.message : String(error) });
        if (!res.headersSent) send(res, 500, { message: 'Internal Server Error' });
        else res.destroy();
      });
      return true;
    },
  };
}

/** The discovery document (OpenID Connect Discovery 1.0 §3). */
function discovery(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/jwks.json`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [ISSUER_ALGORITHM],
    token_endpoint_auth_methods_supported: ['none'],
    grant_types_supported: ['client_credentials'],
  };
}

async function readRequest(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn: false, so an oversize body is drained (resume) and the 400 still reaches the client.
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_TOKEN_REQUEST_BYTES) {
      req.resume();
      throw new TokenRequestError(`the request body is larger than ${MAX_TOKEN_REQUEST_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/**
 * Reads a token request: JSON (`{"audience": "a" | ["a"], "scope", "sub", "expires_in", "claims": {...}}`)
 * or a form (`audience`/`aud` repeatable, `claims` as JSON text). Exported for the CLI's flag checks.
 */
export function parseTokenRequest(body: string, contentType: string): TokenOptions {
  let get: (name: string) => unknown;
  let getAll: (name: string) => unknown[];
  if (/^application\/json\b/i.test(contentType.trim())) {
    let json: unknown;
    try {
      json = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw new TokenRequestError('the request body is not valid JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TokenRequestError('the request body must be a JSON object');
    const o = json as Record<string, unknown>;
    get = (name) => o[name];
    getAll = (name) => (o[name] === undefined ? [] : Array.isArray(o[name]) ? (o[name] as unknown[]) : [o[name]]);
  } else {
    const form = new URLSearchParams(body);
    get = (name) => form.get(name) ?? undefined;
    getAll = (name) => form.getAll(name);
  }
  const audience = [...getAll('audience'), ...getAll('aud')];
  if (!audience.every((a): a is string => typeof a === 'string' && a !== '')) throw new TokenRequestError('audience must be a non-empty string or a list of them');
  const scopeValue = get('scope');
  const scope = Array.isArray(scopeValue) ? scopeValue.join(' ') : scopeValue;
  if (scope !== undefined && typeof scope !== 'string') throw new TokenRequestError('scope must be a string');
  const subject = get('sub') ?? get('subject');
  if (subject !== undefined && (typeof subject !== 'string' || subject === '')) throw new TokenRequestError('sub must be a non-empty string');
  return {
    ...(audience.length > 0 ? { audience } : {}),
    ...(scope ? { scope } : {}),
    ...(subject !== undefined ? { subject } : {}),
    ...expiresIn(get('expires_in')),
    ...claims(get('claims')),
  };
}

function expiresIn(value: unknown): { expiresIn?: number } {
  if (value === undefined || value === '') return {};
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || Math.abs(n) > MAX_EXPIRES_IN) throw new TokenRequestError(`expires_in must be an integer number of seconds (at most ${MAX_EXPIRES_IN})`);
  return { expiresIn: n };
}

function claims(value: unknown): { claims?: Record<string, unknown> } {
  if (value === undefined || value === '') return {};
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new TokenRequestError('claims must be a JSON object');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TokenRequestError('claims must be a JSON object');
  return { claims: parsed as Record<string, unknown> };
}
