/**
 * `gatehouse serve`: loads the configuration, starts the server, prints the start-up banner (pretty)
 * or the start-up event (json), keeps the API listing current, writes `{dataDir}/server.json`, and
 * drains on SIGTERM / SIGINT (server.close(): in-flight requests finish up to --drain-timeout,
 * WebSockets close with 1001 and their $disconnect); a second signal exits at once.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../config.js';
import { loadConfig, SETTINGS } from '../config.js';
import { createRequestLog } from '../data-plane/stages/request-log.js';
import type { LogFormat } from '../logger.js';
import { colourWanted, createLogger, paint, type Logger } from '../logger.js';
import type { ListenError } from '../server.js';
import { createServer, type Gatehouse } from '../server.js';
import cluster from 'node:cluster';
import { PrimaryLink, runPrimary, workerPlace } from '../cluster/workers.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { ApiListing } from './banner.js';
import { changedHeader, formatApis, formatBanner, listApis, maskPassword, watchListing } from './banner.js';
import { version } from './help.js';
import { connectableUrl, removeServerFile, writeServerFile } from './server-file.js';
import { holdHeap } from './heap-settings.js';
import { holdTickObjectShape } from './tick-object-shape.js';

/** The log format and request log a configuration asks for, on a stream that is or is not a terminal. */
export function logChoices(config: Pick<Config, 'logFormat' | 'requestLog'>, isTTY: boolean): { format: LogFormat; requestLog: boolean } {
  const format: LogFormat = config.logFormat === 'auto' ? (isTTY ? 'pretty' : 'json') : config.logFormat;
  return { format, requestLog: config.requestLog === 'auto' ? format === 'pretty' : config.requestLog === 'on' };
}

/** One line for a listener that cannot be opened, naming the setting and the fix. */
export function listenErrorLine(err: ListenError): string {
  const s = SETTINGS[err.setting];
  const setting = `${s.flag} (${s.env}, "${err.setting}" in --config)`;
  const hostSetting = err.setting === 'port' ? SETTINGS.host : SETTINGS.adminHost;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${err.port} on ${err.host} is already in use (another Gatehouse?); stop that process or choose another port with ${setting}, e.g. ${s.flag} ${err.port + 1} (0 picks a free port)`;
    case 'EACCES':
      return `port ${err.port} on ${err.host} needs privileges this process does not have; choose a port from 1024 up with ${setting}`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return `${err.host} is not an address of this machine; set ${hostSetting.flag} (${hostSetting.env}) to 127.0.0.1, 0.0.0.0 or one of its addresses`;
    default:
      return `${err.message}; check ${setting} and ${hostSetting.flag}`;
  }
}

const MAX_JSON_APIS = 100;

/** The listing in a JSON event: at most 100 APIs (a log line stays a line), and how many there are beyond. */
const jsonListing = (apis: readonly ApiListing[]) => ({ apis: apis.slice(0, MAX_JSON_APIS), ...(apis.length > MAX_JSON_APIS ? { apiCount: apis.length } : {}) });

/** Runs the server until a signal stops it. */
export async function serve(argv: readonly string[]): Promise<void> {
  const started = performance.now();
  const config = loadConfig(argv, process.env);
  const stream = process.stderr;
  const { format, requestLog } = logChoices(config, stream.isTTY === true);
  const colour = format === 'pretty' && colourWanted(stream, process.env);
  const p = paint(colour);
  const logger = createLogger({ format, stream, colour });
  if (config.workers > 1 && cluster.isPrimary) return servePrimary(config, logger);
  // V8's heap settings for this process (heap-settings.ts); not with handlers in worker threads.
  const heap = holdHeap(config, process.execArgv, process.env.NODE_OPTIONS);
  for (const line of heap.notApplied) logger.warn(line);
  // Keeps process.nextTick's entry literal fast for the life of the process (tick-object-shape.ts).
  holdTickObjectShape();
  const place = workerPlace();
  const link = place ? new PrimaryLink() : undefined;
  const requests = requestLog ? createRequestLog(format, stream, p) : undefined;
  const server = await createServer({ config, logger, ...(requests ? { requestLog: requests } : {}), ...(place && link ? { worker: { ...place, link } } : {}) });
  link?.send({ t: 'gh:listening', port: server.port, ...(server.adminPort !== undefined ? { adminPort: server.adminPort } : {}), publicUrl: server.publicUrl });
  // In a --workers group the first worker speaks for all; the primary writes server.json.
  if (place && place.index > 0) return void stopOnSignal(server, logger, requests);
  const managementUrl = server.adminUrl ?? server.publicUrl;
  const list = () => listApis(server.store, config, server.publicUrl, server.port);
  const apis = await list();
  if (format === 'pretty') {
    const project = server.serverless?.project;
    const serverless = project ? { file: project.file, service: project.service, stage: project.stage, functions: Object.fromEntries(project.functions.map((f) => [f.functionName, f.handler])) } : undefined;
    const info = { version: version(), startupMs: Math.round(performance.now() - started), managementUrl, publicUrl: server.publicUrl, config, requestLog, cwd: process.cwd(), ...(serverless ? { serverless } : {}) };
    stream.write(`${formatBanner(p, info, apis)}\n`);
  } else {
    logger.info('gatehouse listening', {
      version: version(),
      url: server.url,
      ...(server.adminUrl ? { adminUrl: server.adminUrl } : {}),
      publicUrl: server.publicUrl,
      dataDir: config.dataDir,
      store: config.store ? 'postgres' : 'sqlite',
      ...(config.redis ? { redis: maskPassword(config.redis) } : {}),
      responseFormat: config.responseFormat,
      functions: config.functions,
      ...(server.serverless ? { serverless: { file: server.serverless.project.file, service: server.serverless.project.service, stage: server.serverless.project.stage } } : {}),
      sigv4: config.credentials ? `required (${config.credentials.length} access keys)` : 'not enforced (any credentials accepted)',
      ...(config.oidcIssuers.length > 0 ? { oidcIssuers: config.oidcIssuers.join(', ') } : {}),
      requestLog,
      heap: heap.applied,
      ...jsonListing(apis),
    });
  }
  const stopWatching = watchListing({
    subscribe: (listener) => server.onApisChanged(listener),
    list,
    initial: apis,
    print: (changed) => (format === 'pretty' ? stream.write(`${changedHeader(p, Date.now())}${formatApis(p, changed, config)}\n`) : logger.info('apis changed', jsonListing(changed))),
    onError: (err) => logger.warn('cannot list the APIs', { error: String(err) }),
  });
  const serverFile = {
    url: connectableUrl(config.host, server.port),
    publicUrl: server.publicUrl,
    ...(server.adminUrl && config.admin ? { adminUrl: connectableUrl(config.admin.host, server.adminPort as number) } : {}),
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  if (!place) {
    try {
      writeServerFile(config.dataDir, serverFile);
    } catch (err) {
      logger.warn(`cannot write ${config.dataDir}/server.json (gatehouse token will need --url)`, { error: String(err) });
    }
  }
  stopOnSignal(server, logger, requests, () => {
    stopWatching();
    if (!place) removeServerFile(config.dataDir, process.pid);
  });
}

/** Stops the server cleanly on SIGTERM / SIGINT, then exits. */
function stopOnSignal(server: Gatehouse, logger: Logger, requests: { flush(): void } | undefined, before: () => void = () => undefined): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      // Workers get the terminal's SIGINT and their primary's SIGTERM: only a second signal to a lone process skips the drain.
      if (cluster.isWorker) return;
      logger.warn('gatehouse stopped without draining', { signal });
      process.exit(1);
    }
    closing = true;
    // The listeners stop accepting before the line is written (a reader of the log may connect at once).
    const closed = server.close();
    logger.info('gatehouse shutting down: draining', { signal });
    before();
    closed.then(
      () => {
        requests?.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A worker whose primary is gone (killed) stops too, rather than serving on alone.
  if (cluster.isWorker) process.on('disconnect', () => shutdown('primary gone'));
}

/**
 * The primary of `--workers N`: prepares the store once (migrations) before the workers open it, forks
 * them (cluster/workers.ts), writes server.json when the first listens, and stops them all on a signal.
 */
async function servePrimary(config: Config, logger: Logger): Promise<void> {
  const store = config.store ? await (await import('../store/postgres/postgres-store.js')).openPostgresStore(config.store) : openSqliteStore(config.dataDir);
  await store.close();
  runPrimary({
    count: config.workers,
    logger,
    onListening(info) {
      const url = connectableUrl(config.host, info.port);
      try {
        writeServerFile(config.dataDir, {
          url,
          publicUrl: info.publicUrl,
          ...(info.adminPort !== undefined && config.admin ? { adminUrl: connectableUrl(config.admin.host, info.adminPort) } : {}),
          pid: process.pid,
          startedAt: new Date().toISOString(),
        });
      } catch (err) {
        logger.warn(`cannot write ${config.dataDir}/server.json (gatehouse token will need --url)`, { error: String(err) });
      }
      logger.info('gatehouse workers listening', { workers: config.workers, url, pid: process.pid });
    },
    onStopped() {
      removeServerFile(config.dataDir, process.pid);
      process.exit(0);
    },
  });
}
