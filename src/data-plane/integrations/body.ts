/**
 * Reading the client's request body once, for integrations that need it whole (Lambda events,
 * parameter mapping). HTTP APIs accept payloads up to 10 MB (http-api-quotas).
 */
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
  const incoming = inv.incoming;
  const length = incoming.headers['content-length'];
  if (incoming.readableEnded || length === '0' || (length === undefined && incoming.headers['transfer-encoding'] === undefined)) {
    inv.body = EMPTY;
    return true;
  }
  return false;
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
