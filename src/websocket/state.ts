/**
 * What the three jobs of the WebSocket gateway share: the open connections of this node, the
 * work still running for them (so `close()` can wait), and the gateway's options.
 */
import { decodeSegment } from '../data-plane/router/path-segments.js';
import type { RequestLog } from '../data-plane/stages/request-log.js';
import type { ConnectionRegistry } from '../cluster/connections.js';
import type { IncomingMessage } from 'node:http';
import type { IamDirectory } from '../auth/iam-callers.js';
import type { WebSocket } from 'ws';
import type { FunctionInvoker } from '../data-plane/functions/invoker.js';
import type { CompiledStage, GatewayRequest, Invocation, WebSocketEvent } from '../data-plane/invocation.js';
import type { StageRegistry } from '../data-plane/stage-registry.js';
import type { AccessLogSink } from '../data-plane/stages/access-log.js';
import type { Logger } from '../logger.js';
import type { ConnectionInfo } from '../data-plane/integrations/websocket-events.js';

/** What the gateway needs. */
export interface WebSocketGatewayOptions {
  readonly registry: StageRegistry;
  readonly invoker: FunctionInvoker;
  readonly logger: Logger;
  /** Configured access keys: AWS_IAM on `$connect`, and SigV4 on @connections when set. */
  readonly iamCredentials?: (accessKeyId: string) => string | undefined;
  /** The configured keys with their callers' policies (`execute-api:ManageConnections` on @connections). */
  readonly iamDirectory?: IamDirectory;
  readonly idleTimeoutMs?: number;
  readonly maxDurationMs?: number;
  /** Receives one access-log line per `$connect`, message and `$disconnect` of stages with `accessLogSettings`. */
  readonly accessLog?: AccessLogSink;
  /** The API keys `$connect` routes with `apiKeyRequired` accept (`--api-keys`); none configured refuses them all. */
  readonly apiKeys?: ApiKeys;
  /** The server's own request log (`--request-log`): every `$connect`, message and `$disconnect`. */
  readonly requestLog?: RequestLog;
  /** With `--redis`: the cluster's connection registry, so `@connections` reaches connections of other nodes. */
  readonly cluster?: ConnectionRegistry;
}

/** Looks up an API key value; undefined when it is not a key of this gateway. */
export type ApiKeys = (value: string) => { readonly id: string } | undefined;

/** One client connection, from its handshake to its `$disconnect`. */
export interface Connection {
  readonly info: ConnectionInfo;
  readonly stage: CompiledStage;
  /** The upgrade request (access logs render `$context.*` from it for every event of the connection). */
  readonly request: GatewayRequest;
  /** The upgrade request; once the connection is open, only its URL, headers and socket (connection.ts). */
  incoming: IncomingMessage;
  state: 'connecting' | 'open' | 'closed';
  ws?: WebSocket;
  lastActiveAt: number;
  /** Status code of a close the gateway started (idle, max duration, DeleteConnection, shutdown). */
  serverClose?: { code: number; reason: string };
}

/** An invocation of one event of `conn` (the text of a message is its body). */
export function invocationOf(conn: Connection, event: Omit<WebSocketEvent, 'connection'>, requestId: string, now: number, body?: Buffer): Invocation {
  return {
    requestId,
    requestTimeEpoch: now,
    request: conn.request,
    incoming: conn.incoming,
    stage: conn.stage,
    routePath: '/',
    body: body ?? Buffer.alloc(0),
    websocket: { connection: conn.info, ...event },
  };
}

/** The gateway's shared state (one per server). */
export interface GatewayState {
  readonly options: WebSocketGatewayOptions;
  readonly connections: Map<string, Connection>;
  /** The upgraded sockets not yet closed. */
  readonly sockets: Set<WebSocket>;
  /** Integration calls and throttle waits still running (`$disconnect` included): see `running`. */
  running: number;
  /** Called when `running` drops to 0 (`whenIdle`). */
  readonly idle: (() => void)[];
  closing: boolean;
  /** The idle / maximum-duration sweep (connection.ts), started with the first connection. */
  sweep?: NodeJS.Timeout;
}

/** Creates the shared state. */
export const createGatewayState = (options: WebSocketGatewayOptions): GatewayState => ({
  options,
  connections: new Map(),
  sockets: new Set(),
  running: 0,
  idle: [],
  closing: false,
});

/**
 * Runs `work` (an integration call, a throttle wait) counted in `state.running` until it settles,
 * then `onDone` or `onError`. A count, not a set of promises: no promise of its own per message.
 */
export function running<T>(state: GatewayState, work: Promise<T>, onDone: (value: T) => void, onError: (error: unknown) => void): void {
  state.running++;
  work.then(
    (value) => settled(state, onDone, value),
    (error: unknown) => settled(state, onError, error),
  );
}

/** Runs the continuation of a `running` call, then counts it done; what it throws is logged, never left unhandled. */
function settled<V>(state: GatewayState, next: (value: V) => void, value: V): void {
  try {
    next(value);
  } catch (error) {
    state.options.logger.error('websocket: handling a message failed', { error: error instanceof Error ? error.stack : String(error) });
  } finally {
    if (--state.running === 0) for (const wake of state.idle.splice(0)) wake();
  }
}

/** Resolves once nothing is `running` (shutdown waits for it, bounded). */
export function whenIdle(state: GatewayState): Promise<void> {
  return state.running === 0 ? Promise.resolve() : new Promise((resolve) => state.idle.push(resolve));
}

/** The stage name and the rest of a raw data-plane path (`/prod/x` → `prod`). */
export function splitStage(path: string): { stageName: string; rest: string } {
  const end = path.indexOf('/', 1);
  const first = end === -1 ? path.slice(1) : path.slice(1, end);
  return { stageName: decodeSegment(first), rest: end === -1 ? '' : path.slice(end) };
}
