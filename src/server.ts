/**
 * createServer wires configuration, store, control plane and data plane behind one listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createIamDirectory } from './auth/iam-callers.js';
import type { Config } from './config.js';
import { checkHandlerFiles } from './config.js';
import { apiEndpoint, publicOrigin } from './endpoints.js';
import type { Endpoints } from './control-plane/context.js';
import { constantTimeEqual } from './auth/sigv4.js';
import { createWriteStream } from 'node:fs';
import { compileAuthorizer, createJwksProvider } from './data-plane/authorizers/index.js';
import { createStageCompilers } from './data-plane/compilers.js';
import { createOidcIssuer } from './oidc/issuer.js';
import { createFunctionInvoker } from './data-plane/functions/index.js';
import { ownSuffixes } from './data-plane/functions/own-endpoints.js';
import type { FunctionInvoker } from './data-plane/functions/invoker.js';
import { createDataPlane, StageRegistry } from './data-plane/index.js';
import { HttpProxyPools } from './data-plane/integrations/http-proxy.js';
import { AwsServiceClient } from './data-plane/integrations/aws-client.js';
import { hardenListener, listenerOptions, refuseNonOriginForm, refuseNonOriginUpgrade } from './http-limits.js';
import type { AccessLogSink } from './data-plane/stages/access-log.js';
import type { RequestLog } from './data-plane/stages/request-log.js';
import type { Logger } from './logger.js';
import type { RedisLink } from './cluster/redis.js';
import { consoleLogger } from './logger.js';
import type { Clock, IdGenerator } from './model/ids.js';
import { randomIds, systemClock } from './model/ids.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/store.js';
import { adoptUnscopedResources } from './store/unscoped.js';
import { drainListener } from './operations/drain.js';
import { createMetrics } from './operations/metrics.js';
import type { ReadinessCheck } from './operations/readiness.js';
import { readiness } from './operations/readiness.js';
import { surfaceOf } from './surfaces.js';
import type { startTlsListener } from './tls/listener.js';
import { serveUpgradeAsRequest } from './websocket/fallback.js';
import { clusterThrottles, workerShareThrottles } from './data-plane/cluster-throttle.js';
import { groupMetrics, relayChanges, WorkerConnections } from './cluster/worker-links.js';
import type { PrimaryLink } from './cluster/workers.js';
import type { ServedProject } from './serverless/runtime.js';
import { createWebSocketGateway } from './websocket/gateway.js';
import type { ConsoleEndpoints } from './console/endpoints.js';
import { sendJson } from './control-plane/formats/format.js';
import { isConsolePath } from './console/paths.js';
import { LiveRequests } from './console/live.js';

/** Dependencies of a server; all but `config` have defaults. */
export interface ServerOptions {
  readonly config: Config;
  readonly store?: Store;
  readonly ids?: IdGenerator;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Calls Lambda functions; default: local handlers from `config.functions`, then the Lambda API. */
  readonly invoker?: FunctionInvoker;
  /** Receives access log lines; default: `config.accessLog` (stdout, stderr or a file). */
  readonly accessLog?: AccessLogSink;
  /** WebSocket connection timeouts; default AWS's 10 min idle / 2 h maximum (tests use small values). */
  /** WebSocket timers; `heartbeatMs`: how often a node says it is alive to the cluster (`--redis`, default 5000; a dead node's connections are gone after 3 beats). */
  readonly websocket?: { readonly idleTimeoutMs?: number; readonly maxDurationMs?: number; readonly heartbeatMs?: number };
  /** How often the TLS listener's certificate files are checked for changes; default 1000 ms. */
  readonly tls?: { readonly reloadIntervalMs?: number };
  /** Receives every finished data-plane request (the CLI's request log); default: none. */
  readonly requestLog?: RequestLog;
  /** Redis (`--redis`): how long a command may take before the node falls back to local limits for a second (default 100 ms). */
  readonly redis?: { readonly commandTimeoutMs?: number };
  /** This server is worker `index` of `count` behind one port (`--workers`), linked to its primary. */
  readonly worker?: { readonly index: number; readonly count: number; readonly link: PrimaryLink };
}

/** A running Gatehouse server. */
export interface Gatehouse {
  /** `http://host:port` of the listener. */
  readonly url: string;
  readonly port: number;
  /** `http://host:port` of the management API's own listener, when `--admin-port` is set. */
  readonly adminUrl?: string;
  readonly adminPort?: number;
  /** `https://host:port` of the TLS listener, when `--tls-port` is set. */
  readonly tlsUrl?: string;
  readonly tlsPort?: number;
  readonly store: Store;
  /** The origin clients reach the server at (`--public-url`, else `http://localhost:{port}`). */
  readonly publicUrl: string;
  /** Calls `listener` whenever the data plane rebuilt an API's stages; returns the unsubscribe. */
  onApisChanged(listener: () => void): () => void;
  /** The `--serverless` project being served, when there is one. */
  readonly serverless?: ServedProject;
  /** True from `close()` on: `/_gatehouse/ready` answers 503. */
  readonly draining: boolean;
  /**
   * Drains and stops: listeners stop accepting, in-flight requests run up to `--drain-timeout`,
   * WebSocket connections close with 1001 (their `$disconnect` runs), then the store closes.
   */
  close(): Promise<void>;
}

function endpointsFor(config: Config, port: () => number): Endpoints {
  return { apiEndpoint: (apiId, protocolType) => apiEndpoint(config, port(), apiId, protocolType) };
}

/** A listener could not be opened: which setting chose its address, and the system's reason (EADDRINUSE, EACCES, ...). */
export class ListenError extends Error {
  override name = 'ListenError';
  constructor(
    readonly setting: 'port' | 'adminPort',
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`cannot listen on ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Listens on `port`/`host`; resolves with the bound port. */
function listen(server: HttpServer, port: number, host: string, setting: ListenError['setting']): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new ListenError(setting, host, port, err.code, err));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const closeServer = (server: HttpServer) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });

/** Access log lines to stdout, stderr or a file (one line each; the log group ARN is not written). */
function accessLogSink(target: string): { write: AccessLogSink; close?: () => Promise<void> } {
  if (target === 'stdout') return { write: (_arn, line) => process.stdout.write(`${line}\n`) };
  if (target === 'stderr') return { write: (_arn, line) => process.stderr.write(`${line}\n`) };
  const file = createWriteStream(target, { flags: 'a' });
  return {
    write: (_arn, line) => file.write(`${line}\n`),
    close: () => new Promise<void>((resolve) => file.end(() => resolve())),
  };
}

/** Finds an API key by value in constant time per key (values are secrets). */
function apiKeyLookup(keys: Config['apiKeys']): (value: string) => { id: string } | undefined {
  const entries = keys.map((k) => ({ id: k.id, value: k.value }));
  return (value) => {
    return entries.find((k) => constantTimeEqual(k.value, value));
  };
}

/** The address this machine's own clients reach a listener bound to `host` at. */
const loopbackHost = (host: string) => (host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host);

const urlOf = (host: string, port: number, scheme = 'http') => `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** Connects to the cluster's Redis; unreachable is logged and served with node-local limits until it comes. */
async function connectRedis(url: string, logger: Logger, commandTimeoutMs: number | undefined) {
  const { RedisLink, redacted } = await import('./cluster/redis.js');
  const link = new RedisLink({ url, logger, ...(commandTimeoutMs ? { commandTimeoutMs } : {}) });
  if (!(await link.ready())) link.down(`not reachable at ${redacted(url)} within 2 s`);
  return link;
}

/** This node's part of the cluster's WebSocket connection registry (loaded with Redis only). */
async function joinCluster(link: RedisLink, logger: Logger, heartbeatMs: number | undefined) {
  const { ConnectionDirectory } = await import('./cluster/connections.js');
  return new ConnectionDirectory({ link, logger, ...(heartbeatMs ? { heartbeatMs } : {}) });
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A handler whose modules load at its first request (start-up loads none of them). A failed load is
 * logged and answered with 500, with `headers` (the management API's error type).
 */
function lazyHandler(what: string, load: () => Promise<Handler>, logger: Logger, headers: Record<string, string> = {}): Handler {
  let handler: Handler | undefined;
  let loading: Promise<Handler> | undefined;
  return (req, res) => {
    if (handler) return handler(req, res);
    loading ??= load().then((loaded) => (handler = loaded));
    loading.then(
      (loaded) => loaded(req, res),
      (err: unknown) => {
        logger.error(`${what}: cannot load its modules`, { error: err instanceof Error ? err.stack : String(err) });
        req.resume();
        sendJson(res, 500, { message: `Internal server error: the ${what} cannot be loaded` }, headers);
      },
    );
  };
}

/** Opens the store (SQLite in `config.dataDir` unless given), starts listening, resolves once ready. */
export async function createServer(options: ServerOptions): Promise<Gatehouse> {
  const { config } = options;
  const logger = options.logger ?? consoleLogger;
  // A handler file that cannot be read stops start-up with one line, not the first request.
  if (!options.invoker) checkHandlerFiles(config.functions, process.cwd());
  // A serverless.yml Gatehouse cannot serve stops start-up with one line naming the file position.
  // Loaded only for a project (start-up time of everything else).
  const projects = config.serverless ? await import('./serverless/runtime.js') : undefined;
  const project = config.serverless && projects ? projects.loadProject(config.serverless, config.region, { dataDir: config.dataDir, apiEndpoint: (apiId, protocolType) => apiEndpoint(config, config.port, apiId, protocolType) }) : undefined;
  if (project && projects) projects.checkRuntime(project, config.credentials);
  // First, so a configured issuer whose key cannot be created stops start-up before anything is opened.
  const oidc = await createOidcIssuer({ dataDir: config.dataDir, issuers: config.oidcIssuers, baseUrl: () => publicOrigin(config, port), logger });
  // Before the store too: a certificate, key or truststore that cannot be read stops start-up.
  // The TLS listener's modules are loaded only when it is configured.
  const tls = config.tls ? { ...(await import('./tls/listener.js')), ...(await import('./tls/material.js')) } : undefined;
  const tlsMaterial = tls && config.tls
    ? new tls.TlsMaterial({ tls: config.tls, dataDir: config.dataDir, publicUrl: config.publicUrl, logger, ...(options.tls?.reloadIntervalMs ? { reloadIntervalMs: options.tls.reloadIntervalMs } : {}) })
    : undefined;
  const tlsConnections = tls && tlsMaterial ? new tls.TlsConnections() : undefined;
  // pg is loaded only for a PostgreSQL store (start-up time of the embedded default).
  const opened =
    options.store ??
    (config.store ? await (await import('./store/postgres/postgres-store.js')).openPostgresStore(config.store) : openSqliteStore(config.dataDir));
  // Workers on one SQLite file tell each other their changes through the primary (PostgreSQL has its own feed).
  const store = options.worker && !config.store ? relayChanges(opened, options.worker.link) : opened;
  let port = config.port;
  const controlPlaneDeps = {
    store,
    config,
    ids: options.ids ?? randomIds,
    clock: options.clock ?? systemClock,
    endpoints: endpointsFor(config, () => port),
    logger,
  };
  // The management API is loaded at its first request: serving APIs needs none of its modules
  // (a quarter of the code, with the AWS service model), and start-up is that much shorter.
  const controlPlane = lazyHandler('management API', () => import('./control-plane/index.js').then(({ createControlPlane }) => createControlPlane(controlPlaneDeps)), logger, {
    'x-amzn-ErrorType': 'InternalServerErrorException',
  });
  const runtime = {
    env: config.functionEnvironment,
    logger,
    reload: config.functionReload === 'on',
    ownEndpoints: () => ({
      suffixes: ownSuffixes(config.publicUrl ? new URL(config.publicUrl).hostname : 'localhost'),
      loopback: port !== 0 ? { host: loopbackHost(config.host), port } : undefined,
    }),
  };
  const baseInvoker =
    options.invoker ??
    createFunctionInvoker({
      functions: config.functions,
      isolation: config.functionIsolation,
      baseDir: process.cwd(),
      settings: config.functionSettings,
      ...runtime,
      lambdaEndpoint: config.lambdaEndpoint,
      lambdaCredentials: config.lambdaCredentials,
    });
  // The project's functions answer first; every other function goes to the server's own invoker.
  const projectFunctions = project && projects ? new projects.ProjectFunctions(baseInvoker, config.functionIsolation, runtime) : undefined;
  // The console's live request log sees each Lambda call while a console listens (one check otherwise).
  const live = new LiveRequests();
  const invoker = live.wrapInvoker(projectFunctions ?? baseInvoker);
  const served = project && projects && config.serverless && projectFunctions ? new projects.ServedProject(config.serverless, project, projectFunctions, controlPlaneDeps, logger) : undefined;
  const jwks = createJwksProvider({ logger });
  const iamDirectory = config.credentials ? createIamDirectory(config.credentials) : undefined;
  const iamCredentials = iamDirectory ? (id: string) => iamDirectory.secretOf(id) : undefined;
  const pools = new HttpProxyPools();
  const awsServices = new AwsServiceClient({ endpoint: config.awsEndpoint, credentials: config.lambdaCredentials, logger });
  // Redis (--redis): cluster-wide throttling; unreachable at start-up is a warning, not a failure (local limits apply).
  // ioredis is loaded only when configured (start-up time of the embedded default).
  const redis = config.redis ? await connectRedis(config.redis, logger, options.redis?.commandTimeoutMs) : undefined;
  const compilers = createStageCompilers({
    invoker,
    httpProxy: { dispatcherFor: pools.dispatcherFor },
    awsServices: { client: awsServices },
    logger,
    authorizer: (route, record, stage) => compileAuthorizer(route, record, stage, { invoker, jwks, logger, ...(iamCredentials ? { iamCredentials, iamDirectory } : {}) }),
    ...(redis ? { throttle: clusterThrottles(redis) } : options.worker && options.worker.count > 1 ? { throttle: workerShareThrottles(options.worker.count) } : {}),
  });
  const adopted = await adoptUnscopedResources(store, config.region);
  if (adopted > 0) logger.info('store: resources written before account/region scoping now belong to the default account', { moved: adopted, region: config.region });
  const registry = new StageRegistry(store, compilers, logger, config.region);
  await registry.start();
  if (served) {
    try {
      await served.apply();
    } catch (err) {
      registry.close();
      await Promise.all([invoker.close(), pools.destroy(), jwks.close(), awsServices.close()]);
      if (!options.store) await store.close();
      throw err;
    }
    served.watch();
  }
  const access = options.accessLog ? { write: options.accessLog } : accessLogSink(config.accessLog);
  // Metrics are counted at the request-log step, from the finished invocation.
  const metrics = createMetrics({ openConnections: () => webSockets.size });
  // With --workers, a scrape answers the sum of every worker's metrics.
  const renderMetrics = options.worker && options.worker.count > 1 ? groupMetrics(options.worker.link, metrics) : () => metrics.render();
  const logged: RequestLog = options.requestLog
    ? ((log) => (inv) => {
        metrics.observe(inv);
        log(inv);
      })(options.requestLog)
    : metrics.observe;
  const requestLog: RequestLog = (inv) => {
    logged(inv);
    if (live.listening) live.requestLog(inv);
  };
  const dataPlane = createDataPlane({ registry, accessLog: access.write, logger, requestLog, ...(tlsConnections ? { connectionSecurity: (req) => tlsConnections.of(req) } : {}) });
  const webSockets = createWebSocketGateway({
    registry,
    invoker,
    logger,
    accessLog: access.write,
    ...(iamCredentials ? { iamCredentials, iamDirectory } : {}),
    ...(config.apiKeys.length > 0 ? { apiKeys: apiKeyLookup(config.apiKeys) } : {}),
    requestLog,
    ...(redis ? { cluster: await joinCluster(redis, logger, options.websocket?.heartbeatMs) } : options.worker ? { cluster: new WorkerConnections(options.worker.link) } : {}),
    ...(options.websocket?.idleTimeoutMs ? { idleTimeoutMs: options.websocket.idleTimeoutMs } : {}),
    ...(options.websocket?.maxDurationMs ? { maxDurationMs: options.websocket.maxDurationMs } : {}),
  });
  // The console (its page, explain and endpoints) is loaded at its first request, as the management API is.
  let consoleEndpoints: ConsoleEndpoints | undefined;
  const serveConsole = lazyHandler(
    'console',
    () =>
      import('./console/endpoints.js').then(({ createConsole }) => {
        consoleEndpoints = createConsole({ config, store, registry, webSockets, live, port: () => port, ...(iamDirectory ? { iamDirectory } : {}) });
        return (req: IncomingMessage, res: ServerResponse) => (consoleEndpoints as ConsoleEndpoints).handle(req, res);
      }),
    logger,
  );
  let ready = false;
  let draining = false;

  // What /_gatehouse/ready checks. Redis is advisory: without it throttling is node-local, requests are still served.
  const readinessChecks: ReadinessCheck[] = [
    { name: 'store', run: () => store.ping().then(() => undefined) },
    { name: 'snapshots', run: () => (registry.loaded ? undefined : 'the compiled stages are not loaded') },
    { name: 'draining', run: () => (draining ? 'the server is shutting down' : undefined) },
    ...(redis ? [{ name: 'redis', advisory: true, run: () => (redis.healthy ? undefined : 'unreachable: throttling is per node until it returns') }] : []),
  ];
  const metricsToken = config.metricsToken === undefined ? undefined : `Bearer ${config.metricsToken}`;
  const metricsAllowed = (req: IncomingMessage) => metricsToken === undefined || constantTimeEqual(metricsToken, req.headers.authorization ?? '');

  /** `/_gatehouse/*`; `admin`: the request came on the admin listener. */
  const internal = (req: IncomingMessage, res: ServerResponse, admin: boolean) => {
    if (oidc.handle(req, res)) return;
    const path = (req.url ?? '/').split('?')[0] as string;
    if (isConsolePath(path)) {
      if (config.admin && !admin) {
        req.resume();
        return sendJson(res, 404, { message: 'The console is served on the admin listener (--admin-port)' });
      }
      return serveConsole(req, res);
    }
    req.resume();
    if (path === '/_gatehouse/health') sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' });
    else if (path === '/_gatehouse/ready') {
      void readiness(readinessChecks).then((r) => sendJson(res, r.ready ? 200 : 503, r.body));
    } else if (path === '/_gatehouse/metrics') {
      if (config.admin && !admin) return sendJson(res, 404, { message: 'The metrics are served on the admin listener (--admin-port)' });
      if (!metricsAllowed(req)) return sendJson(res, 401, { message: 'The metrics need Authorization: Bearer <--metrics-token>' }, { 'www-authenticate': 'Bearer realm="gatehouse-metrics"' });
      renderMetrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        },
        (err: unknown) => sendJson(res, 500, { message: `cannot render the metrics: ${String(err)}` }),
      );
    } else sendJson(res, 404, { message: `No Gatehouse endpoint at ${path}` });
  };

  // With --admin-port the management API answers only there; say so rather than a bare 404.
  const managementElsewhere = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    sendJson(res, 404, { message: 'The management API is not served on this listener; use the admin listener (--admin-port)' }, {
      'x-amzn-ErrorType': 'NotFoundException',
    });
  };

  const limits = listenerOptions(config);
  const server = createHttpServer(limits, (req, res) => {
    if (refuseNonOriginForm(req, res)) return;
    if (registry.domains.has(req.headers.host)) {
      if (webSockets.handleRequest(req, res, () => dataPlane(req, res))) return;
      return dataPlane(req, res);
    }
    switch (surfaceOf(req.headers.host, req.url ?? '/')) {
      case 'data-plane':
        if (webSockets.handleRequest(req, res, () => dataPlane(req, res))) return;
        return dataPlane(req, res);
      case 'internal':
        return internal(req, res, false);
      default:
        return config.admin ? managementElsewhere(req, res) : controlPlane(req, res);
    }
  });
  server.keepAliveTimeout = 65_000;
  hardenListener(server);
  // WebSocket handshakes for WEBSOCKET APIs; any other upgrade request is served as an ordinary request.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (refuseNonOriginUpgrade(req, socket)) return;
    webSockets.handleUpgrade(req, socket, head, () => serveUpgradeAsRequest(req, socket, (rq, rs) => server.emit('request', rq, rs)));
  });
  const adminServer = config.admin
    ? createHttpServer(limits, (req, res) => {
        if (refuseNonOriginForm(req, res)) return;
        return surfaceOf(undefined, req.url ?? '/') === 'internal' ? internal(req, res, true) : controlPlane(req, res);
      })
    : undefined;
  if (adminServer) {
    adminServer.keepAliveTimeout = 65_000;
    hardenListener(adminServer);
  }

  // The TLS listener serves the data plane only; the management API stays on the plain and admin listeners.
  const tlsRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (refuseNonOriginForm(req, res)) return;
    if (registry.domains.has(req.headers.host) || surfaceOf(req.headers.host, req.url ?? '/') === 'data-plane') {
      if (webSockets.handleRequest(req, res, () => dataPlane(req, res))) return;
      return dataPlane(req, res);
    }
    req.resume();
    sendJson(res, 404, { message: 'The TLS listener serves APIs only; the management API is on --port or --admin-port' }, { 'x-amzn-ErrorType': 'NotFoundException' });
  };

  let adminPort: number | undefined;
  let tlsListener: Awaited<ReturnType<typeof startTlsListener>> | undefined;
  try {
    port = await listen(server, config.port, config.host, 'port');
    try {
      if (adminServer && config.admin) adminPort = await listen(adminServer, config.admin.port, config.admin.host, 'adminPort');
      if (tls && tlsMaterial && tlsConnections && config.tls) {
        tlsListener = await tls.startTlsListener(
          {
            config: { ...config, tls: config.tls },
            material: tlsMaterial,
            domains: registry.domains,
            domainsSettled: () => registry.domainsSettled(),
            logger,
            onRequest: tlsRequest,
            onUpgrade: (req, socket, head, asRequest) => {
              if (refuseNonOriginUpgrade(req, socket)) return;
              webSockets.handleUpgrade(req, socket, head, asRequest);
            },
          },
          tlsConnections,
        );
      }
    } catch (err) {
      await Promise.all([closeServer(server), ...(adminServer && adminPort !== undefined ? [closeServer(adminServer)] : [])]);
      throw err;
    }
  } catch (err) {
    // Nothing listens: release what start-up opened, so the caller can report and exit (or retry).
    served?.close();
    tlsMaterial?.close();
    registry.close();
    await Promise.all([webSockets.close(), invoker.close(), pools.destroy(), access.close?.(), jwks.close(), awsServices.close(), redis?.close()]);
    if (!options.store) await store.close();
    throw err;
  }
  ready = true;
  let closing: Promise<void> | undefined;
  return {
    url: urlOf(config.host, port),
    port,
    ...(adminServer && config.admin && adminPort !== undefined ? { adminUrl: urlOf(config.admin.host, adminPort), adminPort } : {}),
    ...(tlsListener ? { tlsUrl: urlOf(config.host, tlsListener.port, 'https'), tlsPort: tlsListener.port } : {}),
    store,
    publicUrl: publicOrigin(config, port),
    onApisChanged: (listener) => registry.onRebuilt(() => listener()),
    ...(served ? { serverless: served } : {}),
    get draining() {
      return draining;
    },
    close() {
      closing ??= (async () => {
        draining = true;
        consoleEndpoints?.close();
        served?.close();
        const deadline = Date.now() + config.drainTimeoutMs;
        // The data listeners stop accepting at once; the admin listener answers /_gatehouse/ready (503) until they are drained.
        const drained = Promise.all([drainListener(server, deadline), webSockets.close()]);
        tlsMaterial?.close();
        await Promise.all([drained, ...(tlsListener ? [tlsListener.close(deadline)] : [])]);
        ready = false;
        if (adminServer) await drainListener(adminServer, deadline);
        registry.close();
        await Promise.all([invoker.close(), pools.destroy(), access.close?.(), jwks.close(), awsServices.close(), redis?.close()]);
        await store.close();
      })();
      return closing;
    },
  };
}
