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
 * - Timeout (no response headers within `timeoutInMillis`, connect timeout) → 503. A body that stops (no byte for
 *   one to two `timeoutInMillis`, the backend not paused by a slow client) is cut: 503 while the response waits for
 *   it (a `$response.body` mapping), else the client's response ends abruptly. Connection refused/reset, DNS and
 *   TLS errors → 500 with the cause as detail.
 * - A client `x-amzn-trace-id` is kept; otherwise one is generated. `forwarded` (for/host/proto) is appended as AWS
 *   appears to do (TODO(parity): AWS also sends `by=`).
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { IntegrationRecord } from '../../model/resources.js';
import { GatewayError, badRequest, internalServerError } from '../errors.js';
import { promiseOf } from '../told.js';
import type { CompiledIntegration, GatewayResponse, IntegrationDone, Invocation } from '../invocation.js';
import { QueryString, compileRequestMapping, compileResponseMapping, type RequestMapping, type ResponseMappings } from '../parameter-mapping.js';
import { pathProblem } from '../request-path.js';
import { readBody } from './body.js';
import { ProxyCall } from './http-proxy-call.js';
import { defaultDispatcherFor, type DispatcherFactory, type DispatcherOptions } from './http-proxy-pools.js';
import { compileUri, forwardHeaders, isStatic, render, requestBody, type CompiledUri } from './http-proxy-request.js';

export { HttpProxyPools, closeHttpProxyPools, defaultDispatcherFor, type DispatcherFactory, type DispatcherOptions } from './http-proxy-pools.js';

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
    return promiseOf((done) => this.invokeThen(inv, done));
  }

  /** The call with its outcome told to `done`: no promise per request (each would pay the function scope's hooks). */
  invokeThen(inv: Invocation, done: IntegrationDone): void {
    if (this.#requestMapping?.needsBody === true && inv.body === undefined) readBody(inv).then(() => this.#send(inv, done), done);
    else this.#send(inv, done);
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

  #send(inv: Invocation, done: IntegrationDone): void {
    const now = Date.now();
    let target: Target, body: Buffer | Readable | null, path: string, query: string, headers: ReturnType<typeof forwardHeaders>;
    try {
      ({ path, query } = this.#pathAndQuery(inv));
      headers = forwardHeaders(inv, now);
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
      return done(err instanceof GatewayError ? err : internalServerError(`invalid integration request: ${(err as Error).message}`));
    }
    const method = this.#method ?? inv.request.method;
    const call = new ProxyCall(inv, now, this.#responseMappings, done, method, target.origin, path, this.#timeoutMs);
    const options: Dispatcher.DispatchOptions = {
      origin: target.origin,
      path: query === '' ? path : `${path}?${query}`,
      method,
      headers,
      body,
      // The call's own deadline keeps the integration's timeout, head and body (see ProxyCall).
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    try {
      (target.dispatcher as Dispatcher).dispatch(options, call);
    } catch (err) {
      // Told once, through the call (which also drops its deadline).
      call.onError(err instanceof Error ? err : new Error(String(err)));
    }
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

