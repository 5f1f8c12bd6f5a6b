/**
 * What every listener (data plane, management API, admin listener) refuses before a request reaches a handler:
 * requests that take too long to arrive, header sections over Node's hard cap, request targets that are not
 * origin-form, and anything Node's strict HTTP/1.1 parser rejects (Content-Length with Transfer-Encoding, duplicate
 * or list-valued Content-Length, an unknown or non-final `chunked` Transfer-Encoding, obs-fold, bare LF).
 *
 * | refused                                                  | answer                                                   |
 * |----------------------------------------------------------|----------------------------------------------------------|
 * | headers not complete within `headersTimeoutMs`           | 408 `{"message":"Request Timeout"}`, connection closed   |
 * | request (headers and body) not complete within `requestTimeoutMs` | 408, closed (dropped if a response already started) |
 * | header section over 16 KiB (Node's parser limit)         | 431 `{"message":"Request Header Fields Too Large"}`      |
 * | a request Node's parser rejects                          | 400 `{"message":"Bad Request"}`, connection closed       |
 * | absolute-form / authority-form target, `CONNECT`         | 400 `{"message":"Bad Request"}`                          |
 * | `OPTIONS *`                                              | 404 `{"message":"Not Found"}` (it names no API or resource) |
 *
 * AWS answers for these are not public: a slow client meets AWS's 30 s bound on a request, and 408 is HTTP's answer
 * for a request that did not arrive in time; RFC 9112 §3.2 lets a server refuse targets it does not serve, and a
 * gateway that routes on the Host header must not route on another authority. The data plane also applies AWS's own
 * 10240-byte measure of the request line and header values (431) and its path checks (400): see data-plane/pipeline.ts.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from './config.js';

/** Node's cap on a request's header section; above AWS's 10240-byte quota, which the data plane checks exactly. */
export const MAX_HEADER_SECTION_BYTES = 16 * 1024;

/** The `http.createServer` options every listener gets. */
export function listenerOptions(config: Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs'>): ServerOptions {
  const shortest = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Node checks the deadlines once per interval (default 30 s: a 60 s timeout fired after 62-90 s). Check often
    // enough that a timeout fires within a fifth of itself late, and at least once a second.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(shortest / 5))),
    maxHeaderSize: MAX_HEADER_SECTION_BYTES,
    // Never the lenient parser, whatever NODE_OPTIONS says: it accepts the ambiguous framings smuggling relies on.
    insecureHTTPParser: false,
  };
}

const REASONS: Readonly<Record<number, string>> = { 400: 'Bad Request', 404: 'Not Found', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** A whole JSON error response, for sockets that have no ServerResponse. */
function rawResponse(status: number): string {
  const body = `{"message":"${REASONS[status]}"}`;
  return (
    `HTTP/1.1 ${status} ${REASONS[status]}\r\ndate: ${new Date().toUTCString()}\r\ncontent-type: application/json\r\n` +
    `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`
  );
}

/** Answers on a raw socket and closes it; a client that never reads or closes is cut off after 2 s. */
function answerAndClose(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawResponse(status));
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** What Node's HTTP server keeps on a connection: the response being written, and the parser with the request being received. */
type ServedSocket = Duplex & {
  readonly _httpMessage?: ServerResponse | null;
  readonly parser?: { readonly incoming?: IncomingMessage | null } | null;
};

/**
 * True when an answer on this connection would be a second response: one has started and is not
 * finished, or one finished while its request is still arriving. Read from what Node itself keeps on
 * the connection (its own clientError default checks `_httpMessage`), so serving a request costs no
 * listener or map entry.
 */
function answered(socket: Duplex): boolean {
  const served = socket as ServedSocket;
  const res = served._httpMessage;
  if (res) return res.headersSent;
  const incoming = served.parser?.incoming;
  return incoming !== undefined && incoming !== null && !incoming.complete;
}

/** Installs the refusals that need the socket (parser errors, timeouts, CONNECT) on a listener. */
export function hardenListener(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A timeout after a response started drops the connection instead of writing a second response into it.
    if (err.code === 'ECONNRESET' || answered(socket)) {
      socket.destroy();
      return;
    }
    answerAndClose(socket, err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400);
  });
  // Authority-form targets (`CONNECT host:port`): this is not a forward proxy.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => answerAndClose(socket, 400));
}

/** Whether a request target is origin-form (`/path?query`), the only form routed. */
export const isOriginForm = (url: string | undefined): boolean => url !== undefined && url.charCodeAt(0) === 47; /* '/' */

/** Answers a request whose target is not origin-form (absolute-form, `*`); true when it did. */
export function refuseNonOriginForm(req: IncomingMessage, res: ServerResponse): boolean {
  if (isOriginForm(req.url)) return false;
  req.resume();
  const status = req.url === '*' && req.method === 'OPTIONS' ? 404 : 400;
  const body = `{"message":"${REASONS[status]}"}`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}

/** Refuses an upgrade request whose target is not origin-form; true when it did. */
export function refuseNonOriginUpgrade(req: IncomingMessage, socket: Duplex): boolean {
  if (isOriginForm(req.url)) return false;
  answerAndClose(socket, 400);
  return true;
}

/**
 * Reads a request body of at most `limit` bytes; past it, rejects with `tooLarge()` and discards the
 * rest so the answer can still be written (the management API and the console).
 */
export function readLimitedBody(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
