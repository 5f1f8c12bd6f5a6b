/**
 * send-response: writes the response (integration's or gateway's) with `apigw-requestid`,
 * streaming bodies that are streams, and records its length for the access log.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { GatewayError } from '../errors.js';
import type { GatewayResponse, Invocation } from '../invocation.js';

/** The JSON response of a gateway error (`{"message": ...}` with content-length). */
export function errorResponse(error: GatewayError): GatewayResponse {
  return {
    statusCode: error.statusCode,
    headers: { 'content-type': 'application/json', ...error.headers },
    body: `{"message":${JSON.stringify(error.message)}}`,
  };
}

/**
 * Writes `response`. A streamed body: resolves when it is finished (or the client went away). A
 * whole body is handed to the socket at once: undefined, nothing to wait for (no promise, no listener).
 */
export function sendResponse(inv: Invocation, res: ServerResponse, response: GatewayResponse): Promise<void> | undefined {
  const headers: Record<string, string | string[]> = response.headers;
  headers['apigw-requestid'] = inv.requestId;
  const body = response.body;
  if (!(body instanceof Readable)) {
    // A string body goes to res.end() as it is: Node then writes the head and the body in one
    // chunk; a Buffer would be a second one.
    inv.responseLength = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    headers['content-length'] = String(inv.responseLength);
    res.writeHead(response.statusCode, headers);
    res.end(body);
    return undefined;
  }
  return new Promise((resolve) => {
    res.once('close', () => resolve());
    let length = 0;
    body.on('data', (chunk: Buffer) => {
      length += chunk.length;
    });
    body.once('end', () => {
      inv.responseLength = length;
    });
    res.writeHead(response.statusCode, headers);
    // A client that goes away must abort the upstream body, not leave it read (possibly forever)
    // for nobody. pipe + destroy-on-close does that; stream.pipeline would too, but on Node 20 it
    // costs an AbortController and a DOMException per response (~15% of the proxy path's CPU).
    res.once('close', () => {
      if (!body.readableEnded) body.destroy();
    });
    body.once('error', () => res.destroy());
    body.pipe(res);
  });
}
