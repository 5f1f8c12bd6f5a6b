/**
 * The `@connections` API (SPEC §F.6) on the execute-api addresses of a WebSocket stage:
 * PostToConnection, GetConnection and DeleteConnection, SigV4-checked when credentials are configured.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IamDirectory } from '../auth/iam-callers.js';
import { authorizeCaller, executeApiDenial, requestFacts } from '../auth/iam-callers.js';
import { headersFromRaw, verifyRequest } from '../auth/sigv4.js';
import type { CompiledStage } from '../data-plane/invocation.js';
import { newRequestId } from '../data-plane/request-id.js';
import { CONNECTION_ID } from './connection-id.js';
import { sendFrame, serverClose } from './connection.js';
import type { GatewayState } from './state.js';
import type { ConnectionAnswer, ConnectionCall, LocalConnections } from '../cluster/connections.js';

/** Largest PostToConnection body. */
export const MAX_POST_BYTES = 128 * 1024;

/** `/{stage}/@connections/{connectionId}` (the `@` may come percent-encoded). */
export const CONNECTIONS_PATH = /^\/([^/]+)\/(?:@|%40)connections\/([^/]+)$/i;
/** `/@connections/{connectionId}` after a custom domain's mapping key. */
export const MAPPED_CONNECTIONS_PATH = /^\/(?:@|%40)connections\/([^/]+)$/i;
/** Any path ending in `@connections/{connectionId}`, whatever mapping key precedes it. */
export const ANY_CONNECTIONS_PATH = /\/(?:@|%40)connections\/[^/]+$/i;

/** False when a request target cannot be an `@connections` call (the paths above all need `@` or `%40`): most requests, at no cost. */
export const mayCallConnections = (url: string): boolean => url.includes('@') || url.includes('%40');

/** Answers one @connections call for `apiId`'s stage `stageName`; `fallback` serves it when the API is not a WebSocket API. */
export async function manage(state: GatewayState, req: IncomingMessage, res: ServerResponse, apiId: string, stageName: string, rawId: string, fallback: () => void): Promise<void> {
  const { registry, iamCredentials, iamDirectory } = state.options;
  await registry.settled(apiId);
  const stage = registry.get(apiId)?.get(stageName);
  if (stage && stage.api.protocolType !== 'WEBSOCKET') return fallback();
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_POST_BYTES) tooLarge = true;
    else chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const reply = (status: number, type: string | undefined, payload?: unknown) => {
    const text = payload === undefined ? '' : JSON.stringify(payload);
    res.writeHead(status, {
      ...(text ? { 'content-type': 'application/json' } : {}),
      'content-length': Buffer.byteLength(text),
      ...(type ? { 'x-amzn-ErrorType': type } : {}),
      'x-amzn-RequestId': newRequestId(),
    });
    res.end(text);
  };
  let signer: string | undefined;
  if (iamCredentials) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const outcome = verifyRequest(
      { method: req.method ?? 'GET', rawPath: q === -1 ? url : url.slice(0, q), rawQuery: q === -1 ? '' : url.slice(q + 1), headers: headersFromRaw(req.rawHeaders), ...(tooLarge ? {} : { body }) },
      // Signed for the API's region; before the stage is known, any region (the 403 below follows).
      { service: 'execute-api', ...(stage ? { region: stage.region } : {}), lookup: iamCredentials, allowUnsignedPayload: true },
    );
    if (!outcome.ok) return reply(403, 'ForbiddenException', { message: outcome.message });
    signer = outcome.accessKeyId;
  }
  if (!stage) return reply(403, 'ForbiddenException', { message: 'Forbidden' });
  let id = rawId;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    /* malformed escapes: the id is invalid */
  }
  // execute-api's denials carry `Message` (REST-style body), as quoted in aws/aws-cdk#18410 and the Knowledge Center.
  const denied = signer === undefined ? undefined : manageConnectionsDenial(iamDirectory, signer, stage, req, id, Date.now());
  if (denied !== undefined) return reply(403, 'AccessDeniedException', { Message: denied });
  if (!CONNECTION_ID.test(id)) return reply(400, 'BadRequestException', { message: `Invalid connectionId: ${id}` });
  const method = req.method ?? 'GET';
  if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') return reply(405, 'MethodNotAllowedException', { message: `Method ${method} is not allowed` });
  if (method === 'POST' && tooLarge) return reply(413, 'PayloadTooLargeException', { message: `Request entity too large: the limit is ${MAX_POST_BYTES} bytes` });
  // This node's connection, else (with --redis) the node holding it, else gone.
  const answer =
    runLocally(state, method, id, apiId, stage.stageName, body) ??
    (await state.options.cluster?.forward({ method, connectionId: id, apiId, stage: stage.stageName, ...(method === 'POST' ? { body: body.toString('base64') } : {}) }));
  if (!answer) return reply(410, 'GoneException', { message: `Connection ${id} is gone` });
  return reply(answer.status, answer.type, answer.payload);
}

/** Runs an `@connections` call on a connection of this node; undefined when this node holds no such open connection. */
export function runLocally(state: GatewayState, method: ConnectionCall['method'], id: string, apiId: string, stageName: string, body: Buffer): ConnectionAnswer | undefined {
  const conn = state.connections.get(id);
  const live = conn && conn.state === 'open' && conn.info.apiId === apiId && conn.info.stage === stageName ? conn : undefined;
  if (!live?.ws) return undefined;
  if (method === 'POST') {
    // Text as a text frame; bytes that are not UTF-8 as a binary frame (they cannot be a text frame), as replies go.
    // A connection already closing is gone for the caller: undefined, answered 410 GoneException.
    return sendFrame(live, body, !isUtf8(body)) ? { status: 200 } : undefined;
  }
  if (method === 'GET') {
    return {
      status: 200,
      payload: {
        connectedAt: new Date(live.info.connectedAt).toISOString(),
        identity: { sourceIp: live.info.sourceIp, userAgent: live.info.userAgent },
        lastActiveAt: new Date(live.lastActiveAt).toISOString(),
      },
    };
  }
  serverClose(state, live, 1000, '');
  return { status: 204 };
}

/** The calls other nodes forward to this one (cluster/connections.ts). */
export const localConnections =
  (state: GatewayState): LocalConnections =>
  (call) =>
    runLocally(state, call.method, call.connectionId, call.apiId, call.stage, call.body === undefined ? Buffer.alloc(0) : Buffer.from(call.body, 'base64'));

/**
 * `@connections` calls by a configured key with policies: `execute-api:ManageConnections` on
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/@connections/{connectionId}`
 * (apigateway-websocket-control-access-iam; AWS's denial quoted in aws/aws-cdk#18410).
 * Returns AWS's denial sentence, or undefined when the caller may.
 */
function manageConnectionsDenial(
  directory: IamDirectory | undefined,
  accessKeyId: string,
  stage: CompiledStage,
  req: IncomingMessage,
  connectionId: string,
  now: number,
): string | undefined {
  const caller = directory?.callerOf(accessKeyId);
  if (!caller) return undefined;
  const action = 'execute-api:ManageConnections';
  // TODO(parity): aws/aws-cdk#18410 shows `@connections/{connectionId}` literally in the denied resource; the id is used here.
  const resource = `arn:aws:execute-api:${stage.region}:${stage.accountId}:${stage.apiId}/${stage.stageName}/${(req.method ?? 'GET').toUpperCase()}/@connections/${connectionId}`;
  const decision = authorizeCaller(caller, action, resource, requestFacts(req, now, stage.region));
  return decision === 'allow' ? undefined : executeApiDenial(caller, action, resource, decision);
}
