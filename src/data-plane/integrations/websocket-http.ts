/**
 * HTTP integrations of WebSocket routes: `HTTP_PROXY` sends the message as it is and answers with the
 * backend's body; `HTTP` (non-proxy) sends the request template's output and maps the answer through
 * integration responses. Both send to `integrationUri` (stage variables substituted) with
 * `integrationMethod` (default POST) and the headers, query string and path parameters their
 * `requestParameters` map from `route.request.header|querystring.*` (on `$connect`),
 * `route.request.body` (the message) or `route.request.body.{path}` (a value of it as JSON),
 * `context.*`, `stageVariables.*` or static `'values'`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-mapping.html
 */
import type { Dispatcher } from 'undici';
import { undici } from '../../undici.js';
import type { IntegrationRecord, IntegrationResponseRecord } from '../../model/resources.js';
import { jsonPathValue } from '../../model/selection-expression.js';
import { internalServerError, serviceUnavailable } from '../errors.js';
import type { CompiledIntegration, GatewayResponse, Invocation } from '../invocation.js';
import type { DispatcherFactory } from './http-proxy.js';
import { compileNonProxyIntegration, type BackendResponse } from './non-proxy.js';
import { headersOf, queryOf, requestContextOf } from './websocket-events.js';
import { own } from '../../model/own.js';

/** Largest backend answer read (a WebSocket message is at most 128 KB; a reply larger than 10 MB is refused). */
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 29_000;

type Source = (inv: Invocation) => string | undefined;

/** The message as JSON, parsed once per event however many mappings read it (undefined when it is not JSON). */
const parsedMessages = new WeakMap<Invocation, unknown>();
function messageJson(inv: Invocation): unknown {
  if (parsedMessages.has(inv)) return parsedMessages.get(inv);
  let body: unknown;
  try {
    body = JSON.parse(inv.body?.toString('utf8') ?? '');
  } catch {
    body = undefined;
  }
  parsedMessages.set(inv, body);
  return body;
}

/** `route.request.header.X`, `route.request.querystring.X`, `context.X`, `stageVariables.X` or `'static'`. */
function compileSource(expression: string, where: string): Source {
  const trimmed = expression.trim();
  const literal = /^'(.*)'$/s.exec(trimmed);
  if (literal) {
    const value = literal[1] as string;
    return () => value;
  }
  let m = /^route\.request\.header\.(.+)$/.exec(trimmed);
  if (m) {
    const name = (m[1] as string).toLowerCase();
    return (inv) => (inv.websocket?.eventType === 'CONNECT' ? Object.entries(headersOf(inv.request.rawHeaders).headers).find(([k]) => k.toLowerCase() === name)?.[1] : undefined);
  }
  if ((m = /^route\.request\.querystring\.(.+)$/.exec(trimmed))) {
    const name = m[1] as string;
    return (inv) => (inv.websocket?.eventType === 'CONNECT' ? queryOf(inv.request.rawQueryString)?.single[name] : undefined);
  }
  if ((m = /^route\.request\.body(?:\.(.+))?$/.exec(trimmed))) {
    // The message itself, or a value of it as JSON (a string as it is, anything else as JSON text).
    const key = m[1];
    const path = `body.${key ?? ''}`;
    return (inv) => {
      if (key === undefined) return inv.body?.toString('utf8') ?? '';
      const value = jsonPathValue(path, 'body', messageJson(inv));
      return value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
    };
  }
  if (/^route\.request\.path\./.test(trimmed)) {
    // WebSocket routes have no path parameters: the source has no value (AWS accepts the mapping).
    return () => undefined;
  }
  if ((m = /^\$?context\.(.+)$/.exec(trimmed))) {
    const variable = `context.${m[1] as string}`;
    return (inv) => {
      const value = jsonPathValue(variable, 'context', requestContextOf(inv));
      return value === undefined || value === null ? undefined : String(value as string);
    };
  }
  if ((m = /^\$?stageVariables\.(.+)$/.exec(trimmed))) {
    const name = m[1] as string;
    return (inv) => own(inv.stage?.stageVariables, name);
  }
  throw new Error(`${where}: unsupported source ${expression}`);
}

interface Mapping {
  readonly location: 'header' | 'querystring' | 'path';
  readonly name: string;
  readonly source: Source;
}

function compileMappings(record: IntegrationRecord): Mapping[] {
  return Object.entries(record.requestParameters ?? {}).map(([key, value]) => {
    const m = /^integration\.request\.(header|querystring|path)\.(.+)$/.exec(key);
    if (!m) throw new Error(`Integration ${record.integrationId}: unsupported requestParameters key ${key}`);
    return { location: m[1] as Mapping['location'], name: m[2] as string, source: compileSource(value, `Integration ${record.integrationId} requestParameters ${key}`) };
  });
}

const substitute = (template: string, inv: Invocation, params: Record<string, string>) =>
  template
    .replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_, name: string) => own(inv.stage?.stageVariables, name) ?? '')
    .replace(/\{([A-Za-z0-9_.-]+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? encodeURIComponent(params[name] as string) : whole));

/** Sends one integration request; resolves to the backend's whole answer. */
function httpBackend(record: IntegrationRecord, dispatcherFor: DispatcherFactory): (inv: Invocation, payload: Buffer) => Promise<BackendResponse> {
  const mappings = compileMappings(record);
  const method = record.integrationMethod && record.integrationMethod !== 'ANY' ? record.integrationMethod : 'POST';
  const timeoutMs = record.timeoutInMillis || DEFAULT_TIMEOUT_MS;
  const uri = record.integrationUri ?? '';
  if (!/^https?:\/\//i.test(uri)) throw new Error(`integrationUri must be an http(s) URL: ${uri}`);
  return async (inv, payload) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const query = new URLSearchParams();
    const pathParams: Record<string, string> = {};
    for (const m of mappings) {
      const value = m.source(inv);
      if (value === undefined) continue;
      if (m.location === 'header') headers[m.name.toLowerCase()] = value;
      else if (m.location === 'querystring') query.append(m.name, value);
      else pathParams[m.name] = value;
    }
    let url: URL;
    try {
      url = new URL(substitute(uri, inv, pathParams));
    } catch {
      throw internalServerError(`Integration ${record.integrationId}: invalid integration URI ${uri}`);
    }
    for (const [k, v] of query) url.searchParams.append(k, v);
    const dispatcher: Dispatcher = dispatcherFor(url.origin, {});
    try {
      const res = await undici().request(url, { dispatcher, method: method as Dispatcher.HttpMethod, headers, body: payload, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          res.body.destroy();
          throw internalServerError(`Integration ${record.integrationId}: the backend answered more than ${MAX_RESPONSE_BYTES} bytes`);
        }
        chunks.push(chunk);
      }
      return { statusCode: res.statusCode, headers: res.headers as Record<string, string | string[]>, body: Buffer.concat(chunks) };
    } catch (error) {
      const name = (error as { code?: string }).code;
      if (name === 'UND_ERR_HEADERS_TIMEOUT' || name === 'UND_ERR_BODY_TIMEOUT') throw serviceUnavailable(`${url.origin}: no answer within ${timeoutMs} ms`);
      if (error instanceof Error && error.name === 'GatewayError') throw error;
      throw internalServerError(`${url.origin}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

/** `HTTP_PROXY` on a WebSocket route: the message goes as it is; the backend's body is the answer. */
export function compileWebSocketHttpProxy(record: IntegrationRecord, dispatcherFor: DispatcherFactory): CompiledIntegration {
  const send = httpBackend(record, dispatcherFor);
  return {
    async invoke(inv): Promise<GatewayResponse> {
      const started = Date.now();
      try {
        const res = await send(inv, inv.body ?? Buffer.alloc(0));
        inv.integration = { latencyMs: Date.now() - started, status: res.statusCode };
        return { statusCode: res.statusCode, headers: {}, body: res.body.toString('utf8') };
      } catch (error) {
        inv.integration = { latencyMs: Date.now() - started, error: error instanceof Error ? ((error as { detail?: string }).detail ?? error.message) : String(error) };
        throw error;
      }
    },
  };
}

/** `HTTP` (non-proxy) on a WebSocket route. */
export function compileWebSocketHttp(record: IntegrationRecord, responses: readonly IntegrationResponseRecord[], dispatcherFor: DispatcherFactory): CompiledIntegration {
  return compileNonProxyIntegration(record, responses, httpBackend(record, dispatcherFor));
}
