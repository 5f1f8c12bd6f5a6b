/**
 * Reading the client's request body once, for integrations that need it whole (Lambda events,
 * parameter mapping). HTTP APIs accept payloads up to 10 MB (http-api-quotas).
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { requestTooLarge } from '../errors.js';
import type { Invocation } from '../invocation.js';

/** The HTTP API payload quota: 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

/**
 * True (and `inv.body` set to an empty Buffer) when the request has no body: no content-length and
 * no transfer-encoding (HTTP/1.1 says there is none), a content-length of 0, or a body already
 * consumed. The common GET then pays for neither the async iterator nor a promise.
 */
export function hasNoBody(inv: Invocation): boolean {
  if (inv.incoming.readableEnded || declaresNoBody(inv.incoming.headers)) {
    inv.body = EMPTY;
    return true;
  }
  return false;
}

/** No content-length and no transfer-encoding (HTTP/1.1 says there is no body then), or a content-length of 0. */
export function declaresNoBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return length === '0' || (length === undefined && headers['transfer-encoding'] === undefined);
}

/**
 * The request stream of a request without a body, ended in one tick. Left unread, Node dumps it after the
 * response: `resume`, `flow`, a tick to emit its end of data and three `endReadable` ticks, two of which do
 * nothing; while in-process functions run, each tick also pays the function scope's async hook
 * (src/async-scope.ts). So the data plane reads it: `readEmptyBody` when it arrives (the stream is then
 * being consumed, and its end of data, pushed by the parser after the request event, is emitted at once),
 * `endEmptyBody` when the response is sent (one tick ends it). Only `read()`, the stream's public method:
 * it returns null, and a body-less request has nothing to lose. A body nobody read is left to Node.
 */
export function readEmptyBody(incoming: IncomingMessage): void {
  if (declaresNoBody(incoming.headers)) incoming.read();
}

/** See `readEmptyBody`: a request received whole, with nothing buffered and nobody reading, is read to its end. */
export function endEmptyBody(incoming: IncomingMessage): void {
  if (incoming.complete && incoming.readableLength === 0 && incoming.readableFlowing === null && !incoming.readableEnded) incoming.read();
}

/**
 * Reads `inv.incoming` into `inv.body` (once; later calls return the same Buffer). Rejects with
 * `requestTooLarge` (413) when the body exceeds `limit` bytes, by `content-length` up front or
 * while streaming; the rest of an oversize body is discarded so the connection can answer.
 */
export async function readBody(inv: Invocation, limit = MAX_BODY_BYTES): Promise<Buffer> {
  if (inv.body || hasNoBody(inv)) return inv.body as Buffer;
  const incoming = inv.incoming;
  const declared = Number(incoming.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    incoming.resume();
    throw requestTooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn: false — leaving the loop early must not destroy the request (and its
  // socket): the 413 is still to be written; resume() drains the rest instead.
  for await (const chunk of incoming.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      incoming.resume();
      throw requestTooLarge();
    }
    chunks.push(chunk);
  }
  return (inv.body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
}
