/**
 * The request an HTTP proxy integration sends: its URI (templates with stage variables and path
 * parameters, compiled once), its body (the client's, streamed, at most 10 MB) and its headers (the
 * client's minus hop-by-hop ones, plus the forwarding headers AWS adds).
 */
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { requestTooLarge } from '../errors.js';
import { randomIdPool } from '../request-id.js';
import type { Invocation } from '../invocation.js';
import { declaresNoBody, MAX_BODY_BYTES } from './body.js';
import { own } from '../../model/own.js';

/** Headers never forwarded either way (hop-by-hop, RFC 9110 §7.6.1), besides any `proxy-*`. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade']);
/** Request headers the gateway replaces: `host` is the backend's; `expect` was answered by our server (undici refuses it). */
const NOT_FORWARDED: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'host', 'expect']);

// ---- URI templates -------------------------------------------------------------------------------------------

export type UriPart = string | { readonly stageVariable: string } | { readonly pathParameter: string };
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

export const isStatic = (parts: readonly UriPart[]): parts is string[] => parts.every((p) => typeof p === 'string');
const encodeSegments = (v: string): string => encodeURIComponent(v).replace(/%2F/gi, '/');

export function render(parts: readonly UriPart[], inv: Invocation): string {
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
export interface CompiledUri {
  readonly origin: readonly UriPart[];
  readonly path: readonly UriPart[];
  readonly query: readonly UriPart[];
}

export function compileUri(uri: string): CompiledUri {
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
export class BodyTooLargeError extends Error {
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
export function requestBody(inv: Invocation, headers: Record<string, string>): Buffer | Readable | null {
  if (inv.body !== undefined) {
    if (inv.body.length > MAX_BODY_BYTES) throw requestTooLarge();
    delete headers['content-length']; // undici sets it from the buffer
    return inv.body.length === 0 ? null : inv.body;
  }
  if (declaresNoBody(inv.request.headers)) return null;
  const declared = inv.request.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
    inv.incoming.resume();
    throw requestTooLarge();
  }
  const incoming = inv.incoming;
  if (incoming.readableEnded) {
    delete headers['content-length']; // consumed elsewhere without setting inv.body: nothing left to send
    return null;
  }
  return declared !== undefined ? incoming : limitBody(incoming);
}

// ---- request headers -----------------------------------------------------------------------------------------

/** The random part of trace ids: 96 bits, 24 hex digits. */
const traceRandom = randomIdPool(12, 'hex');

/** `Root=1-{epoch seconds, 8 hex}-{96 random bits, 24 hex}`, X-Ray's trace id format. */
function traceId(now: number): string {
  return `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${traceRandom()}`;
}

/** The client's headers minus hop-by-hop ones, plus the forwarding headers AWS adds. */
export function forwardHeaders(inv: Invocation, now: number): Record<string, string> {
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
