/**
 * How an unchanged AWS handler reaches `@connections` on Gatehouse (README "Local functions").
 *
 * AWS's chat handlers build their management client as
 * `new ApiGatewayManagementApiClient({ endpoint: `https://${domainName}/${stage}` })`. An explicit
 * `endpoint` wins over AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI in the AWS SDK v3, and the scheme is
 * https on port 443, where no local gateway listens (and a self-signed certificate would not be
 * trusted). So local function code (in-process, and in each worker) has its HTTPS requests to the
 * gateway's own execute-api names (`{apiId}.execute-api.localhost`, the `requestContext.domainName`
 * of path-style and local host-style connections, and `{apiId}.execute-api.{public host}`) on the
 * default port sent over plain HTTP to the gateway's own listener, with their Host header (and so
 * their SigV4 signature) unchanged: the gateway serves `/{stage}/@connections/{id}` on that host.
 * Every other request goes out untouched. This covers `node:https` (the AWS SDK's Node.js handler,
 * axios, got) and the global `fetch`: fetch cannot send a Host header of its own choosing, so its
 * requests are routed one level down, in undici's global dispatcher (which Node's `fetch` and
 * undici's own `fetch` and `request` without a `dispatcher` use), where the Host header is kept.
 * Requests given a dispatcher of their own are not routed.
 */
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { undici } from '../../undici.js';

/** Where the gateway is reached from function code, and the host names that are its own. */
export interface OwnEndpoints {
  /** Host suffixes of the gateway's own execute-api names: `.execute-api.localhost`, `.execute-api.gw.example.com`. */
  readonly suffixes: readonly string[];
  /** The gateway's listener as function code connects to it (undefined before it listens). */
  readonly loopback: { readonly host: string; readonly port: number } | undefined;
}

/** The suffixes for a public host (`localhost` is always one: path-style connections' domainName). */
export function ownSuffixes(publicHost: string): string[] {
  const suffixes = ['.execute-api.localhost'];
  if (publicHost !== 'localhost' && !/^[\d.]+$|:/.test(publicHost)) suffixes.push(`.execute-api.${publicHost.toLowerCase()}`);
  return suffixes;
}

type Callback = (res: http.IncomingMessage) => void;

/** The plain-HTTP request options for a request to one of the gateway's own names, or undefined. */
export function loopbackRequest(args: readonly unknown[], own: OwnEndpoints): { options: http.RequestOptions; callback?: Callback } | undefined {
  const lb = own.loopback;
  if (!lb) return undefined;
  let i = 0;
  let url: URL | undefined;
  if (typeof args[0] === 'string' || args[0] instanceof URL) {
    try {
      url = new URL(String(args[0]));
    } catch {
      return undefined;
    }
    i = 1;
  }
  const options = (args[i] !== null && typeof args[i] === 'object' ? args[i] : {}) as https.RequestOptions;
  if (args[i] !== null && typeof args[i] === 'object') i++;
  const callback = typeof args[i] === 'function' ? (args[i] as Callback) : undefined;
  const host = options.hostname ?? (options.host ? options.host.replace(/:\d+$/, '') : undefined) ?? url?.hostname ?? '';
  const hostname = host.toLowerCase();
  const port = options.port ?? (url?.port ? url.port : undefined);
  if (port !== undefined && port !== null && port !== '' && Number(port) !== 443) return undefined;
  if (!own.suffixes.some((s) => hostname.endsWith(s) && hostname.length > s.length)) return undefined;
  const headers: http.OutgoingHttpHeaders = { ...(options.headers as http.OutgoingHttpHeaders | undefined) };
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'host')) headers.host = hostname;
  return {
    options: {
      method: options.method ?? 'GET',
      path: options.path ?? (url ? `${url.pathname}${url.search}` : '/'),
      headers,
      host: lb.host,
      port: lb.port,
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    },
    ...(callback ? { callback } : {}),
  };
}

/** What undici's global dispatcher is to `fetch`: something with `dispatch(options, handler)`. */
interface DispatcherLike {
  dispatch(options: DispatchOptions, handler: unknown): boolean;
}
interface DispatchOptions {
  readonly origin?: string | URL;
  readonly headers?: unknown;
  readonly [key: string]: unknown;
}

/** The dispatch options for a request to one of the gateway's own names (plain HTTP to its listener, Host kept), or undefined. */
export function loopbackDispatch(options: DispatchOptions, own: OwnEndpoints): DispatchOptions | undefined {
  const lb = own.loopback;
  if (!lb || options.origin === undefined) return undefined;
  let origin: URL;
  try {
    origin = new URL(String(options.origin));
  } catch {
    return undefined;
  }
  const hostname = origin.hostname.toLowerCase();
  if (origin.protocol !== 'https:' || origin.port !== '') return undefined;
  if (!own.suffixes.some((s) => hostname.endsWith(s) && hostname.length > s.length)) return undefined;
  return { ...options, origin: `http://${lb.host.includes(':') ? `[${lb.host}]` : lb.host}:${lb.port}`, headers: withHost(options.headers, hostname) };
}

/** `headers` (undici's forms: an object, a flat [name, value, ...] array, or pairs) with a Host header, unless it has one. */
function withHost(headers: unknown, host: string): unknown {
  if (headers === undefined || headers === null) return { host };
  if (Array.isArray(headers)) {
    const pairs = headers.length > 0 && Array.isArray(headers[0]);
    const names = pairs ? (headers as unknown[][]).map((h) => h[0]) : headers.filter((_, i) => i % 2 === 0);
    if (names.some((n) => String(n).toLowerCase() === 'host')) return headers;
    return pairs ? [...(headers as unknown[]), ['host', host]] : [...(headers as unknown[]), 'host', host];
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') return withHost([...(headers as Iterable<unknown>)], host);
  if (Object.keys(headers).some((k) => k.toLowerCase() === 'host')) return headers;
  return { ...(headers as Record<string, unknown>), host };
}

/** undici's global dispatcher (the symbol Node's bundled undici and the undici package share). */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * Puts a dispatcher in front of undici's global one that sends requests to the gateway's own names
 * to its listener; returns the function that puts the previous one back.
 */
function routeFetch(current: () => OwnEndpoints): () => void {
  const slots = globalThis as unknown as Record<symbol, DispatcherLike | undefined>;
  const previous = slots[GLOBAL_DISPATCHER];
  // No global dispatcher yet (fetch never called, undici not loaded): one of undici's Agents.
  let fallback: DispatcherLike | undefined;
  const inner = (): DispatcherLike => previous ?? (fallback ??= new (undici().Agent)() as unknown as DispatcherLike);
  let active = true;
  const routed = (options: DispatchOptions, handler: unknown): boolean => inner().dispatch((active && loopbackDispatch(options, current())) || options, handler);
  // Everything but dispatch (close, destroy, request, events) is the inner dispatcher's.
  const wrapper = new Proxy({} as DispatcherLike, {
    get: (_target, key) => {
      if (key === 'dispatch') return routed;
      const target = inner() as unknown as Record<string | symbol, unknown>;
      const value = target[key];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    has: (_target, key) => key in (inner() as object),
  });
  if (Object.getOwnPropertyDescriptor(globalThis, GLOBAL_DISPATCHER)) slots[GLOBAL_DISPATCHER] = wrapper;
  else Object.defineProperty(globalThis, GLOBAL_DISPATCHER, { value: wrapper, writable: true, enumerable: false, configurable: true });
  return () => {
    active = false;
    if (slots[GLOBAL_DISPATCHER] === wrapper && previous) slots[GLOBAL_DISPATCHER] = previous;
  };
}

let installed: { users: number; restore: () => void; own: () => OwnEndpoints } | undefined;

/**
 * Routes this thread's `https.request`/`https.get` calls and `fetch` requests to the gateway's own names to its listener
 * (reference-counted; the returned function restores the originals when the last user releases).
 */
export function routeOwnEndpoints(own: () => OwnEndpoints): () => void {
  if (!installed) {
    const { request, get } = https;
    const current = () => (installed?.own ?? own)();
    const mutable = https as { request: typeof https.request; get: typeof https.get };
    mutable.request = function (this: unknown, ...args: unknown[]) {
      const local = loopbackRequest(args, current());
      if (local) return local.callback ? http.request(local.options, local.callback) : http.request(local.options);
      return (request as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    } as typeof https.request;
    mutable.get = function (this: unknown, ...args: unknown[]) {
      const req = (mutable.request as (...a: unknown[]) => http.ClientRequest).apply(this, args);
      req.end();
      return req;
    } as typeof https.get;
    syncBuiltinESMExports();
    const unrouteFetch = routeFetch(current);
    installed = {
      users: 0,
      own,
      restore: () => {
        mutable.request = request;
        mutable.get = get;
        syncBuiltinESMExports();
        unrouteFetch();
      },
    };
  }
  const hold = installed;
  hold.users++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--hold.users === 0 && installed === hold) {
      hold.restore();
      installed = undefined;
    }
  };
}
