/**
 * The TLS listener of the data plane (`--tls-port`).
 *
 *   TCP connection
 *     ├─ read the ClientHello ........ not TLS / too slow (headers timeout): closed
 *     ├─ server name (SNI) -> plan ... the custom domain's certificate, securityPolicy and truststore;
 *     │                                execute-api hosts and other names: the default certificate, TLS 1.2+
 *     │                                a mutual TLS domain whose truststore is not configured: alert, logged
 *     ├─ TLS handshake ............... with that plan only: TLS_1_2 refuses TLS 1.0/1.1 (protocol_version);
 *     │                                mutual TLS requests a client certificate and refuses a missing one
 *     │                                (certificate_required) or one its truststore does not verify
 *     └─ HTTP ........................ the same handlers as the plain listener (data plane only)
 *
 * Each plan is a `tls.Server` used as a handshake engine (never listening): the TCP socket is handed to
 * it with the bytes read to find the server name put back in front of its data (`unshift`; Node's TLS
 * socket takes what a socket has buffered first), so the whole TLS configuration — not only the
 * certificate, as an SNI callback could — is the domain's, and the TLS socket wraps the TCP socket's own
 * handle. Verified connections then go to one HTTP server.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mutual-tls.html
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Config } from '../config.js';
import type { CustomDomains } from '../data-plane/custom-domains.js';
import { hardenListener, listenerOptions } from '../http-limits.js';
import type { Logger } from '../logger.js';
import { drainInjected } from '../operations/drain.js';
import { serveUpgradeAsRequest } from '../websocket/fallback.js';
import { parseClientHello } from './client-hello.js';
import type { ClientCertificate } from './client-cert.js';
import { clientCertificateOf } from './client-cert.js';
import type { TlsMaterial } from './material.js';
import { HandshakePlans } from './plans.js';

/** What the TLS handshake established about a request's connection. */
export interface ConnectionSecurity {
  /** The server name the client sent (SNI), lower case. */
  readonly serverName: string | undefined;
  /** The custom domain whose TLS configuration the handshake used; undefined for the default one. */
  readonly domainName: string | undefined;
  /** The client certificate its truststore verified (mutual TLS domains). */
  readonly clientCert?: ClientCertificate;
}

/** A fatal handshake_failure alert (RFC 8446 §6), for a connection no plan can serve. */
const HANDSHAKE_FAILURE = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);

/** What the listener serves and with what. */
export interface TlsListenerOptions {
  readonly config: Pick<Config, 'host' | 'headersTimeoutMs' | 'requestTimeoutMs'> & { readonly tls: { readonly port: number } };
  readonly material: TlsMaterial;
  readonly domains: CustomDomains;
  /** Resolves once a pending reload of the custom domains is done (read-your-writes after CreateDomainName). */
  readonly domainsSettled: () => Promise<void> | undefined;
  readonly logger: Logger;
  readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  /** Upgrade requests; `asRequest` serves one as an ordinary request. */
  readonly onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, asRequest: () => void) => void;
}

/** A running TLS listener. */
export interface TlsListener {
  readonly port: number;
  /** Stops accepting; requests in flight run until `deadline` (epoch ms; default now: cut at once). */
  close(deadline?: number): Promise<void>;
}

/** What each verified connection's handshake established, by socket, for the data plane. */
export class TlsConnections {
  readonly #bySocket = new WeakMap<object, ConnectionSecurity>();

  /** What the TLS listener established for the connection a request arrived on; undefined off the TLS listener. */
  of(req: IncomingMessage): ConnectionSecurity | undefined {
    return this.#bySocket.get(req.socket);
  }

  /** Records a verified connection. */
  set(socket: TLSSocket, security: ConnectionSecurity): void {
    this.#bySocket.set(socket, security);
  }
}

/**
 * A TCP connection by its addresses, as both its socket and the TLS socket wrapping it report them (the TLS
 * socket asks the same handle): how a verified TLS socket is matched to the connection handed to its engine.
 * No async scope: a value carried into the TLS socket's resources would keep the function scope's hook
 * running (src/async-scope.ts) for as long as the connection stays open.
 */
const addressesOf = (socket: Socket): string => `${socket.remoteAddress}|${socket.remotePort}|${socket.localAddress}|${socket.localPort}`;

/** Starts the TLS listener on `config.tls.port`. */
export async function startTlsListener(options: TlsListenerOptions, connections: TlsConnections): Promise<TlsListener> {
  const { config, material, domains, logger } = options;
  const http = createHttpServer(listenerOptions(config), options.onRequest);
  http.keepAliveTimeout = 65_000;
  hardenListener(http);
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    options.onUpgrade(req, socket, head, () => serveAsRequest(http, req, socket)),
  );
  // Connections are injected into this server, never accepted by it; its header and request
  // deadlines are checked only once it has seen 'listening', so say it.
  http.emit('listening');
  // The connections handed to `http`, so that a drain knows when the last one is gone.
  const open = new Set<Duplex>();
  let emptied: (() => void) | undefined;
  http.on('connection', (socket: Duplex) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      if (open.size === 0) emptied?.();
    });
  });

  // The connections accepted and not yet verified (a close destroys them), by their addresses, with the server
  // name their ClientHello sent once it has been read.
  const pending = new Map<string, { readonly raw: Socket; serverName?: string }>();
  const plans = new HandshakePlans(material, domains, logger, config.headersTimeoutMs, (socket, domain, mutualTls) => {
    const key = addressesOf(socket);
    const connection = pending.get(key);
    if (!connection) return socket.destroy();
    pending.delete(key);
    const { serverName } = connection;
    const peer = mutualTls ? socket.getPeerX509Certificate() : undefined;
    connections.set(socket, { serverName, domainName: domain?.domainName, ...(peer ? { clientCert: clientCertificateOf(peer) } : {}) });
    http.emit('connection', socket);
  });
  const review = () => plans.review();
  const unsubscribe = domains.onChange(review);
  material.onChange(review);
  review();

  const hand = async (raw: Socket, hello: Buffer, serverName: string | undefined) => {
    await options.domainsSettled();
    const engine = plans.engineFor(serverName);
    if (!engine) {
      raw.end(HANDSHAKE_FAILURE);
      setTimeout(() => raw.destroy(), 1000).unref();
      return;
    }
    // Gone while the domains reloaded: nothing to hand over.
    if (raw.destroyed) return;
    raw.unshift(hello);
    engine.emit('connection', raw);
  };

  const server = createNetServer((raw: Socket) => {
    // Read now: a destroyed socket no longer knows its addresses.
    const key = addressesOf(raw);
    const connection: { readonly raw: Socket; serverName?: string } = { raw };
    pending.set(key, connection);
    raw.on('error', () => raw.destroy());
    raw.once('close', () => {
      if (pending.get(key) === connection) pending.delete(key);
    });
    const deadline = setTimeout(() => raw.destroy(), config.headersTimeoutMs);
    deadline.unref();
    let hello = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      hello = Buffer.concat([hello, chunk]);
      const state = parseClientHello(hello);
      if (state.kind === 'incomplete') return;
      raw.off('data', onData);
      raw.pause();
      clearTimeout(deadline);
      if (state.kind === 'invalid') {
        raw.destroy();
        return;
      }
      connection.serverName = state.serverName;
      hand(raw, hello, state.serverName).catch((err: unknown) => {
        logger.error('tls: cannot hand a connection over', { error: err instanceof Error ? err.stack : String(err) });
        raw.destroy();
      });
    };
    raw.on('data', onData);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.tls.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    async close(deadline = Date.now()) {
      unsubscribe();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const { raw } of pending.values()) raw.destroy();
      await drainInjected(http, open, deadline, (listener) => {
        emptied = listener;
      });
      // Not listening: close() only stops the deadline checks (its callback reports ERR_SERVER_NOT_RUNNING).
      http.close(() => undefined);
      await closed;
    },
  };
}

/** Serves an upgrade request that is no WebSocket handshake as an ordinary request on `http`. */
function serveAsRequest(http: HttpServer, req: IncomingMessage, socket: Duplex): void {
  serveUpgradeAsRequest(req, socket, (rq, rs) => http.emit('request', rq, rs));
}
