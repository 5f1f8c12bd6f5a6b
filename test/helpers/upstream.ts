/**
 * A real HTTP backend for data-plane tests, on 127.0.0.1 and a free port.
 *
 * By default it echoes the request as JSON: `{ method, path, query, headers, rawHeaders, bodyLength, bodySha256,
 * body }` (`body` as UTF-8 text only under 64 KB). Each request can ask for a behaviour with `x-upstream-*` request
 * headers (they pass through the gateway like any header), or a test can set `upstream.behaviour` for every request:
 *
 * | header                         | behaviour                                                               |
 * |--------------------------------|-------------------------------------------------------------------------|
 * | `x-upstream-status: 418`       | answer with that status (body still the echo)                           |
 * | `x-upstream-delay: 200`        | wait that many ms before answering                                      |
 * | `x-upstream-hang: 1`           | never answer (the socket stays open until the client gives up)          |
 * | `x-upstream-reset: 1`          | destroy the socket without answering                                    |
 * | `x-upstream-reset-mid-body: 1` | send headers and 64 KB of a declared 1 MB body, then destroy the socket |
 * | `x-upstream-large: 20000000`   | stream that many bytes (`a`), chunked, honouring backpressure           |
 * | `x-upstream-bytes: 300`        | answer that many bytes 0, 1, ... 255, 0, ... with content-length, at once |
 * | `x-upstream-drip: 5x100`       | send a 1 KB chunk (`a`) right away and then every 100 ms, 5 in all      |
 * | `x-upstream-cors: 1`           | add `access-control-allow-origin: https://backend.example` and friends  |
 * | `x-upstream-header: k=v`       | add response header k (repeatable: `k=v, k2=v2`)                        |
 * | `x-upstream-body: text`        | answer with this body (content-type text/plain) instead of the echo     |
 * | `x-upstream-json: {...}`       | answer with this JSON body                                              |
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the echo reports about a request it received. */
export interface EchoedRequest {
  method: string;
  /** Path with the query string, as received. */
  url: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  bodyLength: number;
  bodySha256: string;
  body?: string;
}

/** A behaviour applied to every request (overrides the `x-upstream-*` headers). */
export type UpstreamBehaviour = (req: IncomingMessage, res: ServerResponse, echo: EchoedRequest) => void;

/** A started upstream. */
export interface Upstream {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** Every request seen, in order (recorded once its body was read). */
  readonly requests: EchoedRequest[];
  behaviour: UpstreamBehaviour | undefined;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, 'a');

function streamLarge(res: ServerResponse, total: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(CHUNK.length, total - sent);
      sent += n;
      if (!res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

function dripChunks(res: ServerResponse, chunks: number, everyMs: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(chunks * 1024) });
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  res.once('close', () => clearTimeout(timer));
  const next = (): void => {
    if (res.destroyed) return;
    res.write(CHUNK.subarray(0, 1024));
    if (++sent === chunks) res.end();
    else timer = setTimeout(next, everyMs);
  };
  next();
}

/** `length` bytes counting 0 to 255 and round again: every byte value, none of them text. */
export function everyByte(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = i & 0xff;
  return out;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function respond(req: IncomingMessage, res: ServerResponse, echo: EchoedRequest): void {
  const h = (name: string): string | undefined => headerValue(req, `x-upstream-${name}`);
  if (h('hang') !== undefined) return;
  if (h('reset') !== undefined) {
    req.socket.destroy();
    return;
  }
  if (h('reset-mid-body') !== undefined) {
    res.writeHead(200, { 'content-length': String(1024 * 1024) });
    res.write(CHUNK, () => setTimeout(() => req.socket.destroy(), 20));
    return;
  }
  const large = h('large');
  if (large !== undefined) return streamLarge(res, Number(large));
  const bytes = h('bytes');
  if (bytes !== undefined) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
    return void res.end(everyByte(Number(bytes)));
  }
  const drip = /^(\d+)x(\d+)$/.exec(h('drip') ?? '');
  if (drip !== null) return dripChunks(res, Number(drip[1]), Number(drip[2]));
  const headers: Record<string, string | string[]> = {};
  if (h('cors') !== undefined) {
    headers['access-control-allow-origin'] = 'https://backend.example';
    headers['access-control-allow-credentials'] = 'false';
    headers['access-control-expose-headers'] = 'x-backend';
  }
  for (const pair of (h('header') ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) {
      const name = pair.slice(0, eq).trim();
      const prev = Object.hasOwn(headers, name) ? headers[name] : undefined;
      const value = pair.slice(eq + 1).trim();
      headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
  }
  let body: string;
  const text = h('body');
  const json = h('json');
  if (text !== undefined) {
    body = text;
    headers['content-type'] ??= 'text/plain';
  } else {
    body = json ?? JSON.stringify(echo);
    headers['content-type'] ??= 'application/json';
  }
  const status = Number(h('status') ?? 200);
  const send = (): void => {
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const delay = h('delay');
  if (delay === undefined) send();
  else {
    const timer = setTimeout(send, Number(delay));
    res.on('close', () => clearTimeout(timer));
  }
}

/** Starts an upstream on 127.0.0.1:0. */
export async function startUpstream(): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const requests: EchoedRequest[] = [];
  const upstream: Upstream = {
    origin: '',
    port: 0,
    requests,
    behaviour: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
      if (length <= 64 * 1024) chunks.push(chunk);
    });
    req.on('error', () => {});
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const echo: EchoedRequest = {
        method: req.method ?? '',
        url,
        path: q === -1 ? url : url.slice(0, q),
        query: q === -1 ? '' : url.slice(q + 1),
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        bodyLength: length,
        bodySha256: hash.digest('hex'),
        ...(length <= 64 * 1024 ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
      };
      requests.push(echo);
      if (upstream.behaviour) upstream.behaviour(req, res, echo);
      else respond(req, res, echo);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(upstream, { origin: `http://127.0.0.1:${port}`, port });
  return upstream;
}
