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

/** Writes `response`; resolves when it is finished (or the client went away). */
export function sendResponse(inv: Invocation, res: ServerResponse, response: GatewayResponse): Promise<void> {
  const headers: Record<string, string | string[]> = response.headers;
  headers['apigw-requestid'] = inv.requestId;
  const body = response.body;
  return new Promise((resolve) => {
    res.once('close', () => resolve());
    if (body instanceof Readable) {
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
      return;
    }
    const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
    inv.responseLength = bytes?.length ?? 0;
    headers['content-length'] = String(inv.responseLength);
    res.writeHead(response.statusCode, headers);
    res.end(bytes);
  });
}
