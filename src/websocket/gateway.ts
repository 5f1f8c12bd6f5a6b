/**
 * The WebSocket data plane (SPEC §F): upgrades for WEBSOCKET APIs on execute-api hosts (and the
 * path-style prefix) and custom domains, and the `@connections` management API on the same addresses.
 * Routes, integrations and authorizers come compiled with the stage (data-plane/snapshot.ts). The work is split by
 * job, as hono's WebSocket helper splits upgrade from a socket's events:
 *
 *   handshake.ts ........ the upgrade and `$connect` (accept, or refuse with AWS's status)
 *   connection.ts ....... a connection's messages, timers, frame limits and `$disconnect`
 *   connections-api.ts .. PostToConnection / GetConnection / DeleteConnection
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';
import type { WebSocketServer } from 'ws';
import { targetOf } from '../data-plane/stages/resolve-stage.js';
import { MAX_MESSAGE_BYTES, serverClose } from './connection.js';
import { ANY_CONNECTIONS_PATH, CONNECTIONS_PATH, MAPPED_CONNECTIONS_PATH, localConnections, manage, mayCallConnections, runLocally } from './connections-api.js';
import type { ConnectionAnswer } from '../cluster/connections.js';
import { rejectHandshake, upgrade, type Handshaker } from './handshake.js';
import { createGatewayState, splitStage, whenIdle, type WebSocketGatewayOptions } from './state.js';

export { IDLE_TIMEOUT_MS, MAX_DURATION_MS, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from './connection.js';
export { MAX_POST_BYTES } from './connections-api.js';
export type { ApiKeys, WebSocketGatewayOptions } from './state.js';

/** What the console lists of an open connection (GetConnection's fields, and the connection id). */
export interface ConnectionSummary {
  readonly connectionId: string;
  readonly connectedAt: string;
  readonly lastActiveAt: string;
  readonly identity: { readonly sourceIp: string; readonly userAgent: string; readonly [name: string]: unknown };
  /** The `$connect` authorizer's context, when it had one. */
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

/** The WebSocket side of a server. */
export interface WebSocketGateway {
  /** Handles an `upgrade` event; calls `fallback` for upgrades that are not for a WebSocket API. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, fallback: () => void): void;
  /** True when `req` is an @connections call (then it is answered here, or by `fallback` if its API is not a WebSocket API). */
  handleRequest(req: IncomingMessage, res: ServerResponse, fallback: () => void): boolean;
  /** Number of open connections. */
  readonly size: number;
  /** The open connections of a stage on this node (the console's list). */
  connectionsOf(apiId: string, stageName: string): ConnectionSummary[];
  /**
   * PostToConnection (`POST`, `body`) or DeleteConnection (`DELETE`) without an HTTP request (the console):
   * this node's connection, else the node holding it (`--redis`, `--workers`); undefined when it is gone.
   */
  callConnection(method: 'POST' | 'DELETE', connectionId: string, apiId: string, stageName: string, body?: Buffer): Promise<ConnectionAnswer | undefined>;
  /** Closes every connection (1001), waits (bounded) for their `$disconnect`. */
  close(): Promise<void>;
}

/** Creates the gateway; one per server. */
export function createWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  const { logger } = options;
  const state = createGatewayState(options);
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  // ws is loaded, and its server made, with the first handshake (start-up of a server without WebSocket clients stays shorter).
  let wss: WebSocketServer | undefined;
  const wssOf = (): WebSocketServer => (wss ??= new (createRequire(import.meta.url)('ws') as typeof import('ws')).WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (_protocols, req) => chosenProtocol.get(req) ?? false,
  }));
  const handshaker: Handshaker = {
    get wss() {
      return wssOf();
    },
    chosenProtocol,
    warned: new WeakSet(),
  };
  // With --redis, other nodes send @connections calls for this node's connections.
  const joined = options.cluster?.start(localConnections(state), () => [...state.connections.values()].filter((c) => c.state === 'open').map((c) => c.info));

  return {
    get size() {
      return state.connections.size;
    },
    connectionsOf(apiId, stageName) {
      const out: ConnectionSummary[] = [];
      for (const conn of state.connections.values()) {
        if (conn.state !== 'open' || conn.info.apiId !== apiId || conn.info.stage !== stageName) continue;
        out.push({
          connectionId: conn.info.connectionId,
          connectedAt: new Date(conn.info.connectedAt).toISOString(),
          lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
          identity: { ...conn.info.identity, sourceIp: conn.info.sourceIp, userAgent: conn.info.userAgent },
          ...(conn.info.authorizer ? { authorizer: conn.info.authorizer } : {}),
        });
      }
      return out;
    },
    async callConnection(method, connectionId, apiId, stageName, body = Buffer.alloc(0)) {
      return (
        runLocally(state, method, connectionId, apiId, stageName, body) ??
        (await options.cluster?.forward({ method, connectionId, apiId, stage: stageName, ...(method === 'POST' ? { body: body.toString('base64') } : {}) }))
      );
    },
    handleUpgrade(req, socket, head, fallback) {
      socket.on('error', () => undefined);
      upgrade(state, handshaker, req, socket, head, fallback).catch((error: unknown) => {
        logger.error('websocket: upgrade failed', { error: error instanceof Error ? error.stack : String(error) });
        rejectHandshake(socket, 500, JSON.stringify({ message: 'Internal Server Error' }));
      });
    },
    handleRequest(req, res, fallback) {
      if (!mayCallConnections(req.url ?? '/')) return false;
      /**
       * A custom domain: `/{mapping key}/@connections/{id}` reaches the mapped stage. A domain that
       * refuses the request (no routing rule matches) is the data plane's to answer.
       */
      const mappedCall = (host: string | undefined, rawPath: string, rawHeaders: string[]) => {
        let mapped;
        try {
          mapped = options.registry.domains.resolve(host, rawPath, rawHeaders);
        } catch {
          return undefined;
        }
        const m = mapped && MAPPED_CONNECTIONS_PATH.exec(mapped.routePath);
        return mapped && m ? { apiId: mapped.apiId, stageName: mapped.stageName, id: m[1] as string } : undefined;
      };
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q === -1 ? url : url.slice(0, q);
      const target = targetOf(req.headers.host, rawPath);
      let call: { apiId: string; stageName: string; id: string } | undefined;
      if (target) {
        const m = CONNECTIONS_PATH.exec(target.path);
        if (m) call = { apiId: target.apiId, stageName: splitStage(target.path).stageName, id: m[2] as string };
      } else {
        // A custom domain whose mappings are being reloaded (a CreateApiMapping just answered): the
        // call is resolved once the reload is done, as the data plane's requests are.
        const settling = options.registry.domainsSettled();
        if (settling && ANY_CONNECTIONS_PATH.test(rawPath)) {
          settling.then(
            () => {
              const settled = mappedCall(req.headers.host, rawPath, req.rawHeaders);
              if (settled) run(settled);
              else fallback();
            },
            () => fallback(),
          );
          return true;
        }
        call = mappedCall(req.headers.host, rawPath, req.rawHeaders);
      }
      if (!call) return false;
      run(call);
      return true;

      function run(c: { apiId: string; stageName: string; id: string }): void {
        manage(state, req, res, c.apiId, c.stageName, c.id, fallback).catch((error: unknown) => {
          logger.error('websocket: @connections failed', { error: error instanceof Error ? error.stack : String(error) });
          if (!res.headersSent) {
            res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'InternalServerErrorException' });
            res.end(JSON.stringify({ message: 'Internal server error' }));
          } else res.destroy();
        });
      }
    },
    async close() {
      state.closing = true;
      if (state.sweep) clearInterval(state.sweep);
      for (const conn of [...state.connections.values()]) {
        if (conn.state === 'open') serverClose(state, conn, 1001, 'Going away');
      }
      // Give clients a moment to answer the close frames (then serverClose cuts them off), and $disconnect a moment to run.
      const deadline = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
      const closed = [...state.sockets].map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
      await Promise.race([Promise.all(closed), deadline(2500)]);
      await Promise.race([whenIdle(state), deadline(1000)]);
      await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
      await joined;
      await options.cluster?.close();
    },
  };
}
