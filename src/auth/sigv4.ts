/**
 * AWS Signature Version 4, both sides: `signRequest`/`presignUrl` for the calls Gatehouse makes
 * (Lambda Invoke), `verifyRequest` for the calls it receives (the management API as `apigateway`,
 * AWS_IAM routes and @connections as `execute-api`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 *
 * Canonical form as the AWS SDKs compute it for every service but S3: the path as sent on the
 * wire, dot-segments and empty segments removed, each segment URI-encoded once more (so
 * `/v2/tags/arn%3Aaws%3A...` signs as `/v2/tags/arn%253Aaws%253A...`); query pairs decoded,
 * re-encoded (RFC 3986) and sorted; header values trimmed with inner whitespace collapsed and
 * repeated headers joined with `,`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { REGION } from '../model/account-region.js';
import { pushOwn } from '../model/own.js';

/** The only algorithm SigV4 defines. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Payload hash a signer may declare instead of hashing the body (S3 style). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** SHA-256 of the empty string. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Clock skew AWS tolerates between the signature date and its own clock. */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60_000;
/** Longest validity of a presigned URL (7 days), as AWS allows. */
export const MAX_PRESIGN_EXPIRES = 604_800;

/** An access key. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What a signature is scoped to, besides the date. */
export interface SigningScope {
  readonly region: string;
  readonly service: string;
}

/** A request to sign: `url` as it will be sent (its `host` is signed unless `headers` has one). */
export interface RequestToSign {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** Headers that proxies rewrite or clients add late; never signed (as the AWS SDKs). */
const UNSIGNABLE = new Set([
  'authorization', 'cache-control', 'connection', 'expect', 'from', 'keep-alive', 'max-forwards', 'pragma',
  'referer', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id',
]);
const unsignable = (name: string) => UNSIGNABLE.has(name) || name.startsWith('proxy-') || name.startsWith('sec-');

/** Hex SHA-256. */
export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** The signing key: HMAC chain over date, region, service and the `aws4_request` terminator. */
export function signingKey(secretAccessKey: string, shortDate: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, shortDate), region), service), 'aws4_request');
}

/** `20150830T123600Z`. */
export const amzDate = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

/** SigV4's URI encoding: everything but `A-Za-z0-9-_.~` percent-encoded, upper-case hex. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** The canonical URI of a raw (as-sent, percent-encoded) path, for every service but S3. */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** Decoded `[name, value]` pairs of a raw query string (`+` is a plus, not a space, as in SigV4). */
export function queryPairs(rawQuery: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(eq === -1 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))]);
  }
  return pairs;
}

/** The canonical query string: encoded pairs sorted by name then value, `X-Amz-Signature` left out. */
export function canonicalQuery(pairs: readonly (readonly [string, string])[]): string {
  const encoded = pairs.filter(([name]) => name.toLowerCase() !== 'x-amz-signature').map(([n, v]) => [uriEncode(n), uriEncode(v)] as const);
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header's canonical value: each occurrence trimmed with runs of spaces collapsed, joined by `,`. */
export function canonicalHeaderValue(value: string | readonly string[] | undefined): string {
  const values = value === undefined ? [] : typeof value === 'string' ? [value] : value;
  return values.map((v) => v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '')).join(',');
}

/** The parts a signature is computed from. */
export interface CanonicalParts {
  method: string;
  /** Canonical URI (see `canonicalUri`). */
  uri: string;
  /** Canonical query (see `canonicalQuery`). */
  query: string;
  /** Lower-cased header name -> value(s). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Lower-cased, sorted names of the signed headers. */
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** The canonical request, the string to sign and the signature. */
export function computeSignature(
  parts: CanonicalParts,
  secretAccessKey: string,
  date: string,
  scope: SigningScope,
): { canonicalRequest: string; stringToSign: string; signature: string; credentialScope: string } {
  const canonicalRequest = [
    parts.method.toUpperCase(),
    parts.uri,
    parts.query,
    parts.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(parts.headers[name])}\n`).join(''),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
  const shortDate = date.slice(0, 8);
  const credentialScope = `${shortDate}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(secretAccessKey, shortDate, scope.region, scope.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return { canonicalRequest, stringToSign, signature, credentialScope };
}

/**
 * Signs a request; returns the headers to add: `authorization`, `x-amz-date`, `x-amz-content-sha256`,
 * and `x-amz-security-token` with a session token. Signs every given header except the unsignable
 * ones (user-agent, connection, ...) plus `host`. A given `x-amz-content-sha256` (e.g. UNSIGNED-PAYLOAD)
 * is used as the payload hash.
 */
export function signRequest(req: RequestToSign, credentials: AwsCredentials, scope: SigningScope, now: Date = new Date()): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name.toLowerCase()] = value;
  delete headers['authorization'];
  headers.host ??= req.url.host;
  const date = amzDate(now);
  const added: Record<string, string> = { 'x-amz-date': date, 'x-amz-content-sha256': headers['x-amz-content-sha256'] ?? sha256Hex(req.body) };
  if (credentials.sessionToken) added['x-amz-security-token'] = credentials.sessionToken;
  Object.assign(headers, added);
  const signedHeaders = Object.keys(headers).filter((name) => !unsignable(name)).sort();
  const { signature, credentialScope } = computeSignature(
    {
      method: req.method,
      uri: canonicalUri(req.url.pathname),
      query: canonicalQuery(queryPairs(req.url.search.slice(1))),
      headers,
      signedHeaders,
      payloadHash: added['x-amz-content-sha256'] as string,
    },
    credentials.secretAccessKey,
    date,
    scope,
  );
  added.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return added;
}

/**
 * A presigned URL (signature in the query string) valid for `expiresIn` seconds; signs `host` and
 * the given headers, and the SHA-256 of the empty body (non-S3 services).
 */
export function presignUrl(
  req: { method: string; url: URL; headers?: Record<string, string> },
  credentials: AwsCredentials,
  scope: SigningScope,
  expiresIn: number,
  now: Date = new Date(),
): URL {
  const url = new URL(req.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host ??= url.host;
  const signedHeaders = Object.keys(headers).filter((name) => !unsignable(name)).sort();
  const date = amzDate(now);
  const credentialScope = `${date.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;
  url.searchParams.set('X-Amz-Algorithm', ALGORITHM);
  url.searchParams.set('X-Amz-Credential', `${credentials.accessKeyId}/${credentialScope}`);
  url.searchParams.set('X-Amz-Date', date);
  url.searchParams.set('X-Amz-Expires', String(expiresIn));
  url.searchParams.set('X-Amz-SignedHeaders', signedHeaders.join(';'));
  if (credentials.sessionToken) url.searchParams.set('X-Amz-Security-Token', credentials.sessionToken);
  // URLSearchParams writes spaces as `+`; re-encode so the query on the wire is the one we sign.
  const pairs = queryPairs(url.search.slice(1).replace(/\+/g, '%20'));
  const { signature } = computeSignature(
    { method: req.method, uri: canonicalUri(url.pathname), query: canonicalQuery(pairs), headers, signedHeaders, payloadHash: EMPTY_SHA256 },
    credentials.secretAccessKey,
    date,
    scope,
  );
  url.search = [...pairs, ['X-Amz-Signature', signature] as const].map(([n, v]) => `${uriEncode(n)}=${uriEncode(v)}`).join('&');
  return url;
}

/** Headers of an incoming request from node's `rawHeaders`: lower-cased names, every occurrence kept in order. */
export function headersFromRaw(rawHeaders: readonly string[]): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    pushOwn(headers, name, rawHeaders[i + 1] as string);
  }
  return headers;
}

/** The parts of a node request (and its already-read body) that `verifyRequest` checks. */
export function signedRequestOf(req: IncomingMessage, body: Buffer | string): { method: string; rawPath: string; rawQuery: string; headers: Record<string, string[]>; body: Buffer | string } {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    rawPath: q === -1 ? url : url.slice(0, q),
    rawQuery: q === -1 ? '' : url.slice(q + 1),
    headers: headersFromRaw(req.rawHeaders),
    body,
  };
}

/** Why a signature was refused; control-plane/errors.ts maps each to AWS's error type. */
export type SigV4FailureCode = 'MissingAuthenticationToken' | 'IncompleteSignature' | 'InvalidSignature' | 'SignatureExpired' | 'UnrecognizedClient';

/** A refused signature, with AWS's wording. */
export interface SigV4Failure {
  readonly ok: false;
  readonly code: SigV4FailureCode;
  readonly message: string;
}

/** An accepted signature and what it was scoped to. */
export interface SigV4Success {
  readonly ok: true;
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  readonly signedAt: Date;
  readonly signedHeaders: readonly string[];
  /** Signature in the query string rather than the Authorization header. */
  readonly presigned: boolean;
  /** `x-amz-security-token`, when sent (not checked: Gatehouse issues no session tokens). */
  readonly sessionToken?: string;
}

/** A received request as `verifyRequest` needs it; `signedRequestOf` builds one from node's request. */
export interface IncomingSignedRequest {
  readonly method: string;
  /** The path as received, still percent-encoded, without the query. */
  readonly rawPath: string;
  /** The query string as received, without `?`. */
  readonly rawQuery: string;
  /** Header name (any case) -> value, or every value of a repeated header in order. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body; its hash is what the signature must cover. */
  readonly body?: Buffer | string;
  /** Hex SHA-256 of the body, when the body itself is not at hand. Without `body` or this, the declared `x-amz-content-sha256` is trusted. */
  readonly payloadHash?: string;
}

/** What a signature must satisfy. */
export interface VerifyOptions {
  /** Signing name the credential scope must name (`apigateway`, `execute-api`). */
  readonly service: string;
  /** The secret access key of an access key id, or undefined for an unknown key. */
  readonly lookup: (accessKeyId: string) => string | undefined;
  /** Region the scope must name; default: any well-formed region. */
  readonly region?: string;
  /** Allowed difference between the signature date and `now`; default 5 minutes. */
  readonly clockSkewMs?: number;
  readonly now?: Date;
  /** Accept `x-amz-content-sha256: UNSIGNED-PAYLOAD` (the body is then not covered); default false. */
  readonly allowUnsignedPayload?: boolean;
}

interface Claim {
  algorithm: string;
  credential: string;
  signedHeaders: string;
  signature: string;
  /** Signature date, ISO-8601 basic. */
  date: string;
  /** Presigned URLs: seconds of validity after `date`. */
  expires?: number;
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'] as const;

const fail = (code: SigV4FailureCode, message: string): SigV4Failure => ({ ok: false, code, message });
const isFailure = (x: object): x is SigV4Failure => 'ok' in x;
const badDate = (value: string) => fail('IncompleteSignature', `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`);

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return amzDate(date) === value ? date : undefined;
}

function claimFromHeader(authorization: string, xAmzDate: string | undefined, httpDate: string | undefined): Claim | SigV4Failure {
  const trimmed = authorization.trim();
  const space = trimmed.search(/\s/);
  const params = new Map<string, string>();
  for (const part of space === -1 ? [] : trimmed.slice(space + 1).split(/[,\s]+/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) return fail('IncompleteSignature', `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`);
    params.set(part.slice(0, eq), part.slice(eq + 1));
  }
  let missing = '';
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!params.get(name)) missing += `Authorization header requires '${name}' parameter. `;
  }
  if (xAmzDate === undefined && httpDate === undefined) missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (missing) return fail('IncompleteSignature', `${missing}Authorization=${authorization}`);
  let date: string;
  if (xAmzDate !== undefined) {
    if (!parseAmzDate(xAmzDate)) return badDate(xAmzDate);
    date = xAmzDate;
  } else {
    const parsed = Date.parse(httpDate as string);
    if (Number.isNaN(parsed)) return badDate(httpDate as string);
    date = amzDate(new Date(parsed));
  }
  const get = (name: string) => params.get(name) as string;
  return { algorithm: space === -1 ? trimmed : trimmed.slice(0, space), credential: get('Credential'), signedHeaders: get('SignedHeaders'), signature: get('Signature'), date };
}

function claimFromQuery(query: ReadonlyMap<string, string>): Claim | SigV4Failure {
  const missing = PRESIGN_PARAMS.filter((name) => !query.get(name));
  if (missing.length > 0) {
    return fail('IncompleteSignature', `${missing.map((name) => `AWS query-string parameters must include '${name}'. `).join('')}Re-examine the query-string parameters.`);
  }
  const get = (name: string) => query.get(name) as string;
  if (!parseAmzDate(get('X-Amz-Date'))) return badDate(get('X-Amz-Date'));
  const expiresText = query.get('X-Amz-Expires');
  let expires: number | undefined;
  if (expiresText !== undefined) {
    expires = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : NaN;
    if (!(expires <= MAX_PRESIGN_EXPIRES)) {
      return fail('IncompleteSignature', `X-Amz-Expires must be a number of seconds from 0 to ${MAX_PRESIGN_EXPIRES}, got '${expiresText}'.`);
    }
  }
  return {
    algorithm: get('X-Amz-Algorithm'),
    credential: get('X-Amz-Credential'),
    signedHeaders: get('X-Amz-SignedHeaders'),
    signature: get('X-Amz-Signature'),
    date: get('X-Amz-Date'),
    ...(expires === undefined ? {} : { expires }),
  };
}

const minutes = (ms: number) => `${Math.round((ms / 60_000) * 100) / 100} min.`;

function checkTime(claim: Claim, now: Date, skewMs: number): SigV4Failure | undefined {
  const signedAt = (parseAmzDate(claim.date) as Date).getTime();
  const at = (ms: number) => amzDate(new Date(ms));
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  if (claim.expires !== undefined && signedAt + claim.expires * 1000 < nowMs) {
    return fail('SignatureExpired', `Signature expired: ${claim.date} is now earlier than ${at(nowMs - claim.expires * 1000)} (${at(nowMs)} - ${claim.expires} sec.)`);
  }
  if (claim.expires === undefined && signedAt < nowMs - skewMs) {
    return fail('SignatureExpired', `Signature expired: ${claim.date} is now earlier than ${at(nowMs - skewMs)} (${at(nowMs)} - ${minutes(skewMs)})`);
  }
  if (signedAt > nowMs + skewMs) {
    return fail('SignatureExpired', `Signature not yet current: ${claim.date} is still later than ${at(nowMs + skewMs)} (${at(nowMs)} + ${minutes(skewMs)})`);
  }
  return undefined;
}

/** `expected === given`, in a time that does not depend on `given` (secrets: signatures, keys, tokens). */
export function constantTimeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  // Compare equal-length buffers either way so the time taken does not depend on the given value.
  return timingSafeEqual(a, a.length === b.length ? b : a) && a.length === b.length;
}

/**
 * Verifies a SigV4 signature (Authorization header or presigned query), checking in AWS's order:
 * presence, completeness, date format, clock window, `host` signed, algorithm, credential scope,
 * access key, signature. Messages are AWS's.
 */
export function verifyRequest(request: IncomingSignedRequest, options: VerifyOptions): SigV4Success | SigV4Failure {
  const headers: Record<string, string | readonly string[] | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const first = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' ? value : value?.[0];
  };
  const pairs = queryPairs(request.rawQuery);
  const query = new Map<string, string>();
  for (const [name, value] of pairs) if (!query.has(name)) query.set(name, value);
  const authorization = first('authorization');
  const presigned = query.has('X-Amz-Algorithm');
  if (authorization !== undefined && presigned) {
    return fail('InvalidSignature', "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  }
  if (authorization === undefined && !presigned) return fail('MissingAuthenticationToken', 'Missing Authentication Token');

  const claim = authorization !== undefined ? claimFromHeader(authorization, first('x-amz-date'), first('date')) : claimFromQuery(query);
  if (isFailure(claim)) return claim;
  const late = checkTime(claim, options.now ?? new Date(), options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS);
  if (late) return late;
  const signedHeaders = claim.signedHeaders.split(';').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) {
    return fail('InvalidSignature', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (claim.algorithm !== ALGORITHM) return fail('IncompleteSignature', `Unsupported AWS 'algorithm': '${claim.algorithm}' (only ${ALGORITHM} for now). `);
  const scope = claim.credential.replace(/\/+$/, '').split('/');
  if (scope.length !== 5) {
    return fail('IncompleteSignature', `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${claim.credential}'`);
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [string, string, string, string, string];
  let scopeErrors = '';
  if (options.region !== undefined ? region !== options.region : !REGION.test(region)) scopeErrors += `Credential should be scoped to a valid region, not '${region}'. `;
  if (service !== options.service) scopeErrors += `Credential should be scoped to correct service: '${options.service}'. `;
  if (terminator !== 'aws4_request') scopeErrors += `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `;
  if (scopeDate !== claim.date.slice(0, 8)) {
    scopeErrors += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${claim.date.slice(0, 8)}', from '${claim.date}'.`;
  }
  if (scopeErrors) return fail('InvalidSignature', scopeErrors);
  const secret = options.lookup(accessKeyId);
  if (secret === undefined) return fail('UnrecognizedClient', 'The security token included in the request is invalid.');

  const declared = first('x-amz-content-sha256') ?? (presigned ? query.get('X-Amz-Content-Sha256') : undefined);
  const payloadHash =
    declared === UNSIGNED_PAYLOAD && options.allowUnsignedPayload
      ? UNSIGNED_PAYLOAD
      : request.body !== undefined
        ? sha256Hex(request.body)
        : (request.payloadHash ?? declared ?? EMPTY_SHA256);
  const computed = computeSignature(
    { method: request.method, uri: canonicalUri(request.rawPath), query: canonicalQuery(pairs), headers, signedHeaders, payloadHash },
    secret,
    claim.date,
    { region, service },
  );
  if (!constantTimeEqual(computed.signature, claim.signature)) {
    return fail(
      'InvalidSignature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. ' +
        `Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${computed.canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${computed.stringToSign}'\n`,
    );
  }
  const sessionToken = first('x-amz-security-token') ?? (presigned ? query.get('X-Amz-Security-Token') : undefined);
  return {
    ok: true,
    accessKeyId,
    region,
    service,
    signedAt: parseAmzDate(claim.date) as Date,
    signedHeaders,
    presigned,
    ...(sessionToken === undefined ? {} : { sessionToken }),
  };
}
