/**
 * The Invocation: one object per data-plane request that every pipeline stage reads and writes.
 */
import type { Throttle } from './throttle.js';
import type { Told } from './told.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiRecord, DeploymentSnapshot, RouteRecord, StageRecord } from '../model/resources.js';
import type { ClientCertificate } from '../tls/client-cert.js';
import type { ConnectionInfo } from './integrations/websocket-events.js';

/** The client's request as the gateway received it. */
export interface GatewayRequest {
  /** Upper-case method. */
  readonly method: string;
  /** Raw path as received, without the query string, still percent-encoded. With path-style addressing, the part after `/_aws/execute-api/{apiId}`. */
  readonly path: string;
  /** Raw query string without `?`; `''` when there is none. */
  readonly rawQueryString: string;
  /** Lower-cased header names (node's `IncomingMessage.headers`). */
  readonly headers: IncomingMessage['headers'];
  /** Header names and values as received, alternating (payload 1.0 keeps the client's casing). */
  readonly rawHeaders: readonly string[];
  /** Client address. */
  readonly sourceIp: string;
  /** Always `HTTP/1.1` in AWS's `$context.protocol`. */
  readonly protocol: string;
  /** The domain name of the request (`abc123.execute-api.localhost`), without the port. */
  readonly domainName: string;
  /** The first label of `domainName` (the API id on execute-api hosts). */
  readonly domainPrefix: string;
}

/** A body written into the client's response as it arrives (the HTTP proxy's backend body). */
export interface StreamedBody {
  /**
   * Writes the body into `res`, whose status and headers are set but not yet sent; resolves with
   * the body's length once `res` closed (finished, or the client went away). A body that is whole
   * by then is handed over at once and its length returned, as a whole body is (no promise).
   */
  writeTo(res: ServerResponse): Promise<number> | number;
}

/** A response to send: from an integration or produced by the gateway. Header names are lower-case. */
export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  /** Whole body, or one streamed as it arrives (HTTP proxy). Absent = empty. */
  body?: Buffer | string | StreamedBody;
}

/** What an authorizer established about the caller (SPEC §E.3 `requestContext.authorizer`). */
export interface AuthorizerResult {
  /** JWT authorizer: claims (all values stringified as AWS does) and scopes (null unless the route has scopes). */
  readonly jwt?: { readonly claims: Readonly<Record<string, string>>; readonly scopes: readonly string[] | null };
  /** Lambda authorizer: the `context` it returned. */
  readonly lambda?: Readonly<Record<string, unknown>>;
  /** IAM: the caller's identity. */
  readonly iam?: Readonly<Record<string, unknown>>;
  /** Lambda authorizer IAM-policy responses: `principalId`. */
  readonly principalId?: string;
}

/** An integration compiled once per deployment snapshot. */
export interface CompiledIntegration {
  /** Calls the integration; resolves to its response or rejects with a GatewayError. */
  invoke(inv: Invocation): Promise<GatewayResponse>;
  /**
   * Optional: the same call, its outcome told to `done` instead of a promise. Lambda integrations have
   * it, so that a request to an in-process function makes no promise but the handler's and one
   * reaction to it (functions/invoker.ts, `invokeThen`).
   */
  invokeThen?(inv: Invocation, done: IntegrationDone): void;
}

/** How an integration's call ends, told once: `error` undefined and its response, or what `invoke` would reject with. */
export type IntegrationDone = Told<GatewayResponse>;

/** An authorizer compiled once per deployment snapshot. */
export interface CompiledAuthorizer {
  /** Resolves to the caller's authorization, or rejects with a GatewayError (401/403/500). */
  authorize(inv: Invocation): Promise<AuthorizerResult>;
}

/** A route of a compiled stage: everything per-request work needs, resolved at compile time. */
export interface CompiledRoute {
  readonly route: RouteRecord;
  readonly routeKey: string;
  /** Undefined when the route has no target (answers 404, as AWS). */
  readonly integration: CompiledIntegration | undefined;
  /** The integration as the request log names it (`AWS_PROXY pets`), computed at compile time. */
  readonly integrationLabel?: string;
  readonly authorizer: CompiledAuthorizer | undefined;
  /** This route's token bucket (route settings over the stage defaults); undefined = unthrottled. */
  readonly throttle: Throttle | undefined;
  /** WebSocket routes: what only they have (undefined on HTTP routes). */
  readonly websocket?: WebSocketRouteParts;
}

/** The parts of a WebSocket route besides its integration, authorizer and throttle (SPEC §F). */
export interface WebSocketRouteParts {
  /** `routeResponseSelectionExpression: $default` and a `$default` route response (TRAPS 37): the integration's answer is sent back. */
  readonly twoWay: boolean;
  /**
   * Request validation (SPEC §F.4): false when the message fails the model its route selects. Undefined
   * when the route validates nothing (no `requestModels`, or the API has `disableSchemaValidation`).
   */
  readonly validateMessage: ((message: string) => boolean) | undefined;
  /** `requestParameters` marked `required` (enforced on `$connect`, before the authorizer). */
  readonly requiredParameters: readonly { readonly name: string; read(inv: Invocation): string | undefined }[];
}

/** A WebSocket stage's message routing (SPEC §F.1). */
export interface CompiledWebSocketRouting {
  /** The routes by route key (`$connect`, `$disconnect`, `$default`, custom keys). */
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  /** The route key a message selects before the `$default` fallback (non-JSON text selects `$default`). */
  selectRouteKey(message: string): string;
  /** The route a message selects: exact key, else `$default`, else undefined (the client gets "Forbidden"). */
  selectRoute(message: string): CompiledRoute | undefined;
  /** The bucket of `$connect` handshakes (applies even when the API has no `$connect` route). */
  readonly connectThrottle: Throttle | undefined;
  /** `apiKeySelectionExpression` compiled: reads the API key a `$connect` request presents. */
  apiKeyOf(inv: Invocation): string | undefined;
  /** What this stage configures that Gatehouse does not do (logged once, when the stage is compiled). */
  readonly unsupported: readonly string[];
}

/** One event of a WebSocket connection being routed (SPEC §F.3). */
export interface WebSocketEvent {
  readonly connection: ConnectionInfo;
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  readonly routeKey: string;
  /** MESSAGE events: the server-side message id (the text is `Invocation.body`). */
  readonly messageId?: string;
  /** DISCONNECT events: the close code and reason. */
  readonly disconnect?: { readonly statusCode: number; readonly reason: string };
  /**
   * A message of a two-way route: its answer goes back to the client, so non-proxy integrations map it
   * through their integration responses. Otherwise "regardless of the integration response
   * configuration, no response will be sent" (apigateway-websocket-api-integration-responses.html).
   */
  readonly expectsReply: boolean;
}

/** CORS as compiled from the API's `corsConfiguration`. */
export interface CompiledCors {
  /** The gateway's own answer to a CORS preflight, or undefined when the request is not one. */
  preflight(inv: Invocation): GatewayResponse | undefined;
  /** Adds/overrides CORS headers on an actual response. */
  decorate(inv: Invocation, response: GatewayResponse): void;
}

/** Where and how a stage writes access logs. */
export interface CompiledAccessLog {
  /** Renders one log line for a finished invocation. */
  render(inv: Invocation): string;
  /** The log group ARN the line belongs to. */
  readonly destinationArn: string;
}

/** One stage of one API compiled from its deployment snapshot; immutable, swapped whole on change. */
export interface CompiledStage {
  readonly apiId: string;
  /** The account and region the API lives in (ARNs, `requestContext.accountId`, SigV4 scopes of AWS_IAM). */
  readonly accountId: string;
  readonly region: string;
  readonly stageName: string;
  readonly deploymentId: string;
  /** The API as it was deployed. */
  readonly api: ApiRecord;
  /** The whole deployed configuration. */
  readonly snapshot: DeploymentSnapshot;
  /** The stage record this was compiled from (settings, variables, cache generation). */
  readonly stageRecord: StageRecord;
  readonly stageVariables: Readonly<Record<string, string>>;
  /** Undefined when the API has no CORS configuration. */
  readonly cors: CompiledCors | undefined;
  /** Undefined when the stage has no access log settings. */
  readonly accessLog: CompiledAccessLog | undefined;
  /** Matches (method, path-without-stage) to a route (HTTP APIs; WebSocket stages match nothing). */
  match(method: string, path: string): { route: CompiledRoute; pathParameters: Readonly<Record<string, string>> | undefined } | undefined;
  /** WebSocket APIs: routes by key and message routing; undefined on HTTP APIs. */
  readonly websocket?: CompiledWebSocketRouting | undefined;
}

/** Per-request state passed through the pipeline. */
export interface Invocation {
  /** `apigw-requestid` and `$context.requestId`. */
  readonly requestId: string;
  /** When the request arrived (epoch ms). */
  readonly requestTimeEpoch: number;
  readonly request: GatewayRequest;
  /** The underlying request, for streaming its body. */
  readonly incoming: IncomingMessage;
  /** Set by resolve-stage. */
  stage?: CompiledStage;
  /** The path used for route matching: stage segment / API mapping key stripped; starts with `/`. */
  routePath?: string;
  /** Set by match-route. */
  route?: CompiledRoute;
  pathParameters?: Readonly<Record<string, string>>;
  /** Set by authorize. */
  authorizer?: AuthorizerResult;
  /** Set by a Lambda authorizer that decided from its result cache, without calling the function (metrics). */
  authorizerCacheHit?: boolean;
  /** The whole request body, once read (`readBody`). */
  body?: Buffer;
  /** Set by integrate (or by a stage answering early). */
  response?: GatewayResponse;
  /** Set when the gateway answers with an error (for access logs). */
  error?: { readonly message: string; readonly responseType: string; readonly detail?: string; readonly trace?: string };
  /** Integration outcome for `$context.integration.*`. */
  integration?: { status?: number; latencyMs?: number; error?: string; requestId?: string };
  /** When the response was finished (epoch ms) and how many body bytes it had, for access logs. */
  responseEnd?: number;
  responseLength?: number;
  /** The API mapping key a custom domain matched (`$context.customDomain.basePathMatched`). */
  basePathMatched?: string;
  /** The routing rule a custom domain matched (`$context.customDomain.routingRuleIdMatched`). */
  routingRuleIdMatched?: string;
  /** The base path that rule stripped (`stripBasePath`), which 2.0 `rawPath` leaves out as it does a mapping key. */
  strippedBasePath?: string;
  /** The client certificate verified by a custom domain's mutual TLS (`$context.identity.clientCert.*`). */
  clientCert?: ClientCertificate;
  /** WebSocket APIs: the connection event this invocation routes (its message text is `body`). */
  websocket?: WebSocketEvent;
}
