/**
 * send-response: writes the response (integration's or gateway's) with `apigw-requestid`,
 * streaming bodies that are streams, and records its length for the access log.
 */
import type { ServerResponse } from 'node:http';
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
 * Writes `response`. A whole body is handed to the socket at once: undefined, nothing to wait for
 * (no promise, no listener), so `responseEnd` (`$context.responseLatency`, the Latency metric) is the
 * moment it was handed over, not the moment the client read it. A streamed body: resolves when it is
 * finished (or the client went away).
 */
export function sendResponse(inv: Invocation, res: ServerResponse, response: GatewayResponse): Promise<void> | undefined {
  const headers: Record<string, string | string[]> = response.headers;
  headers['apigw-requestid'] = inv.requestId;
  const body = response.body;
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    // A string body goes to res.end() as it is: Node then writes the head and the body in one
    // chunk; a Buffer would be a second one.
    inv.responseLength = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    headers['content-length'] = String(inv.responseLength);
    res.writeHead(response.statusCode, headers);
    res.end(body);
    return undefined;
  }
  res.writeHead(response.statusCode, headers);
  const written = body.writeTo(res);
  if (typeof written === 'number') {
    inv.responseLength = written;
    return undefined;
  }
  return written.then((length) => {
    inv.responseLength = length;
  });
}
