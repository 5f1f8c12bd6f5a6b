/**
 * createServer wires configuration, store, control plane and data plane behind one listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Endpoints } from './control-plane/context.js';
import { createControlPlane } from './control-plane/index.js';
import { createDataPlane } from './data-plane/index.js';
import type { Logger } from './logger.js';
import { consoleLogger } from './logger.js';
import type { Clock, IdGenerator } from './model/ids.js';
import { randomIds, systemClock } from './model/ids.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';
import { surfaceOf } from './surfaces.js';

/** Dependencies of a server; all but `config` have defaults. */
export interface ServerOptions {
  readonly config: Config;
  readonly store?: Store;
  readonly ids?: IdGenerator;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** A running Gatehouse server. */
export interface Gatehouse {
  /** `http://host:port` of the listener. */
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  close(): Promise<void>;
}

function endpointsFor(config: Config, port: () => number): Endpoints {
  return {
    apiEndpoint(apiId, protocolType) {
      const base = new URL(config.publicUrl ?? `http://localhost:${port()}`);
      const secure = base.protocol === 'https:';
      const scheme = protocolType === 'WEBSOCKET' ? (secure ? 'wss' : 'ws') : secure ? 'https' : 'http';
      return `${scheme}://${apiId}.execute-api.${base.host}`;
    },
  };
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** Opens the store (SQLite in `config.dataDir` unless given), starts listening, resolves once ready. */
export async function createServer(options: ServerOptions): Promise<Gatehouse> {
  const { config } = options;
  const logger = options.logger ?? consoleLogger;
  const store = options.store ?? openSqliteStore(config.dataDir);
  let port = config.port;
  const controlPlane = createControlPlane(
    { store, config, ids: options.ids ?? randomIds, clock: options.clock ?? systemClock, endpoints: endpointsFor(config, () => port) },
    logger,
  );
  const dataPlane = createDataPlane();
  let ready = false;

  const internal = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/_gatehouse/health') sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' });
    else sendJson(res, 404, { message: `No Gatehouse endpoint at ${path}` });
  };

  const server = createHttpServer((req, res) => {
    switch (surfaceOf(req.headers.host, req.url ?? '/')) {
      case 'data-plane':
        return dataPlane(req, res);
      case 'internal':
        return internal(req, res);
      default:
        return controlPlane(req, res);
    }
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  ready = true;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    async close() {
      ready = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await store.close();
    },
  };
}
