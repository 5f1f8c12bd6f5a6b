/**
 * The HTTP proxy integration (`HTTP_PROXY`): forwards the client's request to an HTTP backend and streams the
 * backend's response back.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-http.html
 *
 * Compiled once per deployment snapshot: the URI is split into origin / path / query templates
 * (`${stageVariables.x}` anywhere, `{var}` / `{proxy}` path parameters), mappings are compiled, and every origin
 * is reached through undici's `Agent` (keep-alive pools per origin, shared across snapshots through `HttpProxyPools`). Per request: build the
 * path and headers, `dispatch` with a handler that writes the upstream body into the client's response as it arrives, without copying.
 *
 * Decisions where AWS is silent (all [unverified]):
 * - `$default` route: the request path (stage stripped) is appended to the URI's path, so `https://b/api` +
 *   `/pets` → `https://b/api/pets` (a URI without a path gives AWS's documented `https://b/pets`).
 * - The URI's own query comes first, then the client's (repeated names reach the backend twice).
 * - `overwrite:path` replaces the whole backend path, URI path included.
 * - A backend path with a dot segment or a hidden separator after mapping is refused with 400 (request-path.ts).
 * - A `{var}` in the URI that the route does not define is sent literally.
 * - Timeout (no response headers within `timeoutInMillis`, connect timeout, a body stalled for that long before the
 *   response is handed over) → 503; connection refused/reset, DNS and TLS errors → 500 with the cause as detail.
 * - A client `x-amzn-trace-id` is kept; otherwise one is generated. `forwarded` (for/host/proto) is appended as AWS
 *   appears to do (TODO(parity): AWS also sends `by=`).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Agent, Dispatcher } from 'undici';
import { undici } from '../../undici.js';
import type { IntegrationRecord } from '../../model/resources.js';
import { GatewayError, badRequest, internalServerError, requestTooLarge, serviceUnavailable, withTrace } from '../errors.js';
import type { CompiledIntegration, GatewayResponse, Invocation, StreamedBody } from '../invocation.js';
import {
  MAPPING_BODY_LIMIT,
  QueryString,
  compileRequestMapping,
  compileResponseMapping,
  type RequestMapping,
  type ResponseMapping,
  type ResponseMappings,
} from '../parameter-mapping.js';
import { pathProblem } from '../request-path.js';
import { MAX_BODY_BYTES, readBody } from './body.js';
import { own } from '../../model/own.js';

/** Options for the dispatcher of one backend origin. */
export interface DispatcherOptions {
  /** `tlsConfig.serverNameToVerify`: the SNI name (and certificate name) for the TLS handshake. */
  readonly servername?: string;
}

/** Supplies the dispatcher for a backend origin (`https://host:port`); called once per origin per compiled integration. */
export type DispatcherFactory = (origin: string, options: DispatcherOptions) => Dispatcher;

/**
 * The upstream connections of the HTTP proxy integrations: undici's own `Agent` (one keep-alive pool
 * per origin inside it), one Agent per SNI name an integration asks for (`tlsConfig.serverNameToVerify`),
 * created on first use and kept until `close()`.
 */
export class HttpProxyPools {
  readonly #agents = new Map<string, Agent>();

  constructor(readonly options: Agent.Options = {}) {}

  /** The dispatcher for `origin` (the Agent of its SNI name; requests name their origin); a `DispatcherFactory`. */
  readonly dispatcherFor: DispatcherFactory = (_origin, { servername }) => {
    const key = servername ?? '';
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      const base = this.options.connect;
      // A custom connector function owns TLS itself; otherwise the SNI name joins the connect options.
      const connect = servername === undefined || typeof base === 'function' ? base : { ...base, servername };
      agent = new (undici().Agent)({ ...this.options, ...(connect === undefined ? {} : { connect }) });
      this.#agents.set(key, agent);
    }
    return agent;
  };

  /** Closes every connection, letting in-flight requests finish (a streaming response keeps it waiting: see `destroy`). */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }

  /** Closes every connection now, failing in-flight requests (their client responses end abruptly). */
  async destroy(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((a) => a.destroy()));
  }
}

let defaultPools: HttpProxyPools | undefined;

/** The process-wide dispatcher of integrations compiled without `deps.dispatcherFor` (closed by `closeHttpProxyPools()`). */
export const defaultDispatcherFor: DispatcherFactory = (origin, options) => (defaultPools ??= new HttpProxyPools()).dispatcherFor(origin, options);

/** Closes the pools used by integrations compiled without `deps.dispatcherFor`. */
export async function closeHttpProxyPools(): Promise<void> {
  const pools = defaultPools;
  defaultPools = undefined;
  await pools?.close();
}

/** Headers never forwarded either way (hop-by-hop, RFC 9110 §7.6.1), besides any `proxy-*`. */
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade']);
/** Request headers the gateway replaces: `host` is the backend's; `expect` was answered by our server (undici refuses it). */
const NOT_FORWARDED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'host', 'expect']);

// ---- URI templates -------------------------------------------------------------------------------------------

type UriPart = string | { readonly stageVariable: string } | { readonly pathParameter: string };
const URI_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}|\{([A-Za-z0-9_.-]+?)\+?\}/g;

function splitTemplate(text: string, pathParameters: boolean): UriPart[] {
  const parts: UriPart[] = [];
  let last = 0;
  for (const m of text.matchAll(URI_VARIABLE)) {
    if (m[1] === undefined && !pathParameters) continue;
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(m[1] !== undefined ? { stageVariable: m[1] } : { pathParameter: m[2] as string });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

const isStatic = (parts: readonly UriPart[]): parts is string[] => parts.every((p) => typeof p === 'string');
const encodeSegments = (v: string): string => encodeURIComponent(v).replace(/%2F/gi, '/');

function render(parts: readonly UriPart[], inv: Invocation): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if ('stageVariable' in p) out += own(inv.stage?.stageVariables, p.stageVariable) ?? '';
    else {
      const v = inv.pathParameters?.[p.pathParameter];
      out += v === undefined ? `{${p.pathParameter}}` : encodeSegments(v);
    }
  }
  return out;
}

/** The integration URI, split once. */
interface CompiledUri {
  readonly origin: readonly UriPart[];
  readonly path: readonly UriPart[];
  readonly query: readonly UriPart[];
}

function compileUri(uri: string): CompiledUri {
  const scheme = /^https?:\/\//i.exec(uri);
  if (scheme === null) throw new Error(`integrationUri must be an http(s) URL: ${uri}`);
  const start = scheme[0].length;
  let end = start;
  while (end < uri.length && uri[end] !== '/' && uri[end] !== '?' && uri[end] !== '#') end++;
  const hash = uri.indexOf('#', end);
  const rest = hash === -1 ? uri.slice(end) : uri.slice(end, hash);
  const q = rest.indexOf('?');
  return {
    origin: splitTemplate(uri.slice(0, end), false),
    path: splitTemplate(q === -1 ? rest : rest.slice(0, q), true),
    query: splitTemplate(q === -1 ? '' : rest.slice(q + 1), true),
  };
}

// ---- request body --------------------------------------------------------------------------------------------

/** The client sent more than 10 MB without declaring it up front. */
class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** Counts a chunked body on its way to the backend, failing the upstream request past the payload quota. */
function limitBody(incoming: Readable): Readable {
  let seen = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen <= MAX_BODY_BYTES) return callback(null, chunk);
      incoming.unpipe(limited);
      incoming.resume(); // drop the rest so the 413 can still be written
      callback(new BodyTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`));
    },
  });
  return incoming.pipe(limited);
}

/** What to send as the upstream body; edits `headers` (content-length) to match. */
function requestBody(inv: Invocation, headers: Record<string, string>): Buffer | Readable | null {
  if (inv.body !== undefined) {
    if (inv.body.length > MAX_BODY_BYTES) throw requestTooLarge();
    delete headers['content-length']; // undici sets it from the buffer
    return inv.body.length === 0 ? null : inv.body;
  }
  const declared = inv.request.headers['content-length'];
  if (declared === undefined && inv.request.headers['transfer-encoding'] === undefined) return null;
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
    inv.incoming.resume();
    throw requestTooLarge();
  }
  if (declared === '0') return null;
  const incoming = inv.incoming;
  if (incoming.readableEnded) {
    delete headers['content-length']; // consumed elsewhere without setting inv.body: nothing left to send
    return null;
  }
  return declared !== undefined ? incoming : limitBody(incoming);
}

// ---- request headers -----------------------------------------------------------------------------------------

function traceId(now: number): string {
  const u = randomUUID();
  const epoch = Math.floor(now / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${u.slice(0, 8)}${u.slice(9, 13)}${u.slice(14, 18)}${u.slice(19, 23)}${u.slice(24, 28)}`;
}

/** The client's headers minus hop-by-hop ones, plus the forwarding headers AWS adds. */
function forwardHeaders(inv: Invocation, now: number): Record<string, string> {
  const src = inv.request.headers;
  const out: Record<string, string> = {};
  for (const name in src) {
    if (NOT_FORWARDED.has(name) || name.startsWith('proxy-')) continue;
    const v = src[name];
    if (v !== undefined) out[name] = typeof v === 'string' ? v : v.join(', ');
  }
  const connection = src.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (Object.hasOwn(out, name)) delete out[name]; // headers the client marked hop-by-hop (`keep-alive`/`close` are not headers here)
    }
  }
  const socket = inv.incoming.socket as TLSSocket | null;
  const proto = socket?.encrypted === true ? 'https' : 'http';
  const ip = inv.request.sourceIp;
  out['x-forwarded-for'] = out['x-forwarded-for'] === undefined ? ip : `${out['x-forwarded-for']}, ${ip}`;
  out['x-forwarded-port'] = String(socket?.localPort ?? (proto === 'https' ? 443 : 80));
  out['x-forwarded-proto'] = proto;
  out['x-amzn-trace-id'] ??= traceId(now);
  const forwarded = `for=${ip.includes(':') ? `"[${ip}]"` : ip};host=${inv.request.domainName};proto=${proto}`;
  out['forwarded'] = out['forwarded'] === undefined ? forwarded : `${out['forwarded']}, ${forwarded}`;
  return out;
}

// ---- the upstream call ---------------------------------------------------------------------------------------

function parseResponseHeaders(raw: Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = undici().util.headerNameToString(raw[i] as Buffer);
    if (HOP_BY_HOP.has(name) || name.startsWith('proxy-') || name === '__proto__') continue;
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const prev = own(out, name);
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** How much of a backend body is held while the response waits for the pipeline to send it. */
const HELD_BYTES = 64 * 1024;

/**
 * The backend's response body, written into the client's response as it arrives: no intermediate
 * stream, no pipe. Chunks that arrive before the pipeline sends the response are held (the backend
 * is paused past HELD_BYTES); a body complete by then goes out with the head in one write, as a
 * whole body does. A slow client pauses the backend until its response drains; a client that goes
 * away aborts the backend call.
 */
class UpstreamBody implements StreamedBody {
  #held: Buffer[] = [];
  #heldBytes = 0;
  #res: ServerResponse | null = null;
  #ended = false;
  #failed = false;
  #paused = false;
  #length = 0;

  constructor(
    readonly call: ProxyCall,
    readonly resumeUpstream: () => void,
  ) {}

  /** A chunk from the backend; false pauses it. */
  push(chunk: Buffer): boolean {
    this.#length += chunk.length;
    const res = this.#res;
    if (res === null) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
      if (this.#heldBytes < HELD_BYTES) return true;
      this.#paused = true;
      return false;
    }
    if (res.write(chunk)) return true;
    this.#paused = true;
    return false;
  }

  /** The backend finished the body. */
  end(): void {
    this.#ended = true;
    this.#res?.end();
  }

  /** The backend failed after its head: the client's response ends abruptly. */
  fail(): void {
    this.#failed = true;
    this.#res?.destroy();
  }

  writeTo(res: ServerResponse): Promise<number> {
    this.#res = res;
    return new Promise<number>((resolve) => {
      res.once('close', () => {
        if (!this.call.completed) this.call.abort?.(new Error('the client went away before the backend finished'));
        resolve(this.#length);
      });
      if (this.#failed) return void res.destroy();
      const held = this.#held;
      this.#held = [];
      if (this.#ended) {
        res.end(held.length === 0 ? undefined : held.length === 1 ? held[0] : Buffer.concat(held, this.#heldBytes));
        return;
      }
      for (const chunk of held) res.write(chunk);
      res.on('drain', () => {
        if (!this.#paused) return;
        this.#paused = false;
        this.resumeUpstream();
      });
      if (this.#paused && res.writableNeedDrain === false) {
        this.#paused = false;
        this.resumeUpstream();
      }
    });
  }
}

/**
 * One upstream request: an undici dispatch handler (the callback protocol undici's own `request`/`stream` use in
 * v7; TODO: move to onResponseStart/onResponseData when undici 8 drops it).
 */
class ProxyCall implements Dispatcher.DispatchHandler {
  abort: ((err?: Error) => void) | null = null;
  completed = false;
  #settled = false;
  #timedOut: Error | null = null;
  #timer: NodeJS.Timeout;
  #body: UpstreamBody | null = null;
  #response: GatewayResponse | null = null;
  #plan: ResponseMapping | undefined;
  #prefix: Buffer[] | null = null;
  #prefixBytes = 0;

  constructor(
    readonly inv: Invocation,
    readonly started: number,
    readonly mappings: ResponseMappings | undefined,
    readonly resolve: (response: GatewayResponse) => void,
    readonly reject: (err: GatewayError) => void,
    timeoutMs: number,
  ) {
    this.#timer = setTimeout(ProxyCall.#onTimeout, timeoutMs, this, timeoutMs);
  }

  static #onTimeout(call: ProxyCall, timeoutMs: number): void {
    call.#timedOut = new Error(`integration timed out after ${timeoutMs} ms`);
    call.#fail(call.#timedOut);
    call.abort?.(call.#timedOut);
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.#timedOut !== null) abort(this.#timedOut);
    else this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200 || this.#settled) return true; // 1xx are not forwarded
    clearTimeout(this.#timer);
    const headers = parseResponseHeaders(rawHeaders);
    const requestId = headers['x-amzn-requestid'] ?? headers['x-amz-request-id'];
    this.inv.integration = { status: statusCode, latencyMs: Date.now() - this.started, requestId: typeof requestId === 'string' ? requestId : undefined };
    const body = (this.#body = new UpstreamBody(this, resume));
    const response: GatewayResponse = { statusCode, headers, body };
    const plan = this.mappings?.forStatus(statusCode);
    if (plan?.needsBody === true) {
      // Hold the response until 100 KB (or the end) arrived for `$response.body`; the bytes still stream on after.
      this.#response = response;
      this.#plan = plan;
      this.#prefix = [];
    } else {
      plan?.apply(this.inv, response);
      this.#settle(response);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    const body = this.#body as UpstreamBody;
    if (this.#prefix === null) return body.push(chunk);
    this.#prefix.push(chunk);
    this.#prefixBytes += chunk.length;
    body.push(chunk);
    if (this.#prefixBytes >= MAPPING_BODY_LIMIT) this.#releasePrefix();
    return true;
  }

  onComplete(): void {
    this.completed = true;
    if (this.#prefix !== null) this.#releasePrefix();
    this.#body?.end();
  }

  onError(err: Error): void {
    clearTimeout(this.#timer);
    if (this.inv.integration !== undefined) this.inv.integration.error = err.message;
    if (!this.#settled) this.#fail(err);
    // The client's response is already under way: it ends abruptly.
    this.#body?.fail();
  }

  #releasePrefix(): void {
    const prefix = this.#prefix as Buffer[];
    this.#prefix = null;
    const response = this.#response as GatewayResponse;
    (this.#plan as ResponseMapping).apply(this.inv, response, Buffer.concat(prefix, this.#prefixBytes));
    this.#settle(response);
  }

  #settle(response: GatewayResponse): void {
    this.#settled = true;
    this.resolve(response);
  }

  #fail(err: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const detail = `${(err as { code?: string }).code ?? err.name}: ${err.message}`;
    this.inv.integration = { ...this.inv.integration, latencyMs: Date.now() - this.started, error: err.message };
    if (err instanceof BodyTooLargeError) this.reject(requestTooLarge());
    else if (err === this.#timedOut || TIMEOUT_CODES.has((err as { code?: string }).code ?? '')) this.reject(serviceUnavailable(detail));
    else this.reject(internalServerError(detail));
  }
}

// ---- the integration -----------------------------------------------------------------------------------------

/** Dependencies of the HTTP proxy integration. */
export interface HttpProxyDeps {
  /** Dispatcher per backend origin; default: a process-wide `HttpProxyPools` closed by `closeHttpProxyPools()`. */
  readonly dispatcherFor?: DispatcherFactory;
}

interface Target {
  readonly origin: string;
  dispatcher: Dispatcher | undefined;
}

/** An `HTTP_PROXY` integration compiled for one deployment snapshot. */
class HttpProxyIntegration implements CompiledIntegration {
  readonly #dispatcherFor: DispatcherFactory;
  readonly #dispatcherOptions: DispatcherOptions;
  readonly #method: string | undefined;
  readonly #timeoutMs: number;
  readonly #requestMapping: RequestMapping | undefined;
  readonly #responseMappings: ResponseMappings | undefined;
  readonly #uri: CompiledUri;
  readonly #staticOrigin: string | undefined;
  readonly #staticPath: string | undefined;
  readonly #staticQuery: string | undefined;
  /** Origins resolved to dispatchers: one entry for a static host, one per rendered host with stage variables. */
  readonly #targets = new Map<string, Target>();

  constructor(
    readonly record: IntegrationRecord,
    uri: CompiledUri,
    dispatcherFor: DispatcherFactory,
  ) {
    this.#uri = uri;
    this.#dispatcherFor = dispatcherFor;
    const sni = record.tlsConfig?.serverNameToVerify;
    this.#dispatcherOptions = sni === undefined ? {} : { servername: sni };
    const method = record.integrationMethod?.toUpperCase();
    this.#method = method === undefined || method === 'ANY' ? undefined : method;
    this.#timeoutMs = record.timeoutInMillis > 0 ? record.timeoutInMillis : 30000;
    this.#requestMapping = compileRequestMapping(record.requestParameters);
    this.#responseMappings = compileResponseMapping(record.responseParameters);
    this.#staticOrigin = isStatic(uri.origin) ? uri.origin.join('') : undefined;
    this.#staticPath = isStatic(uri.path) ? uri.path.join('') : undefined;
    this.#staticQuery = isStatic(uri.query) ? uri.query.join('') : undefined;
  }

  invoke(inv: Invocation): Promise<GatewayResponse> {
    if (this.#requestMapping?.needsBody === true && inv.body === undefined) return readBody(inv).then(() => this.#send(inv));
    return this.#send(inv);
  }

  #target(inv: Invocation): Target {
    const rendered = this.#staticOrigin ?? render(this.#uri.origin, inv);
    let target = this.#targets.get(rendered);
    if (target === undefined) {
      target = { origin: new URL(rendered).origin, dispatcher: undefined };
      if (this.#targets.size < 256) this.#targets.set(rendered, target);
    }
    target.dispatcher ??= this.#dispatcherFor(target.origin, this.#dispatcherOptions);
    return target;
  }

  /** The backend path and query, before request mapping. */
  #pathAndQuery(inv: Invocation): { path: string; query: string } {
    const base = this.#staticPath ?? render(this.#uri.path, inv);
    let path = base;
    if (inv.route?.routeKey === '$default') path = (base.endsWith('/') ? base.slice(0, -1) : base) + (inv.routePath ?? inv.request.path);
    const uriQuery = this.#staticQuery ?? render(this.#uri.query, inv);
    const clientQuery = inv.request.rawQueryString;
    const query = uriQuery === '' ? clientQuery : clientQuery === '' ? uriQuery : `${uriQuery}&${clientQuery}`;
    return { path: path === '' ? '/' : path, query };
  }

  #send(inv: Invocation): Promise<GatewayResponse> {
    const now = Date.now();
    let target: Target;
    let body: Buffer | Readable | null;
    let { path, query } = this.#pathAndQuery(inv);
    const headers = forwardHeaders(inv, now);
    try {
      target = this.#target(inv);
      if (this.#requestMapping !== undefined) {
        const mapped = { headers, query: new QueryString(query), path };
        this.#requestMapping.apply(inv, mapped);
        path = mapped.path;
        query = mapped.query.toString();
      }
      // The request path passed the same check, but `overwrite:path` can bring client text from anywhere
      // (`$request.querystring.p=../private`): the backend must never be sent a path that leaves where it was aimed.
      const problem = pathProblem(path);
      if (problem !== undefined) throw badRequest(`backend path ${JSON.stringify(path)}: ${problem}`);
      body = requestBody(inv, headers);
    } catch (err) {
      return Promise.reject(err instanceof GatewayError ? err : internalServerError(`invalid integration request: ${(err as Error).message}`));
    }
    return new Promise<GatewayResponse>((resolve, reject) => {
      // The upstream's address goes into the failure's detail (logged, never sent): "ECONNREFUSED ... (POST http://127.0.0.1:9/x)".
      const method = this.#method ?? inv.request.method;
      const failed = (err: GatewayError) => reject(err.detail ? withTrace(new GatewayError(err.statusCode, err.message, err.responseType, err.headers, `${err.detail} (${method} ${target.origin}${path})`), err.trace) : err);
      const call = new ProxyCall(inv, now, this.#responseMappings, resolve, failed, this.#timeoutMs);
      const options: Dispatcher.DispatchOptions = {
        origin: target.origin,
        path: query === '' ? path : `${path}?${query}`,
        method: this.#method ?? inv.request.method,
        headers,
        body,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      };
      (target.dispatcher as Dispatcher).dispatch(options, call);
    });
  }
}

/** Compiles an `HTTP_PROXY` integration. An invalid URI is reported per request (500), never at compile time. */
export function compileHttpProxyIntegration(record: IntegrationRecord, deps: HttpProxyDeps = {}): CompiledIntegration {
  const dispatcherFor = deps.dispatcherFor ?? defaultDispatcherFor;
  try {
    return new HttpProxyIntegration(record, compileUri(record.integrationUri ?? ''), dispatcherFor);
  } catch (err) {
    const reason = (err as Error).message;
    return { invoke: () => Promise.reject(internalServerError(reason)) };
  }
}
