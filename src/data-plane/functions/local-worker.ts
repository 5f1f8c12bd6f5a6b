/**
 * Entry point of a worker thread that hosts one local function (see `local.ts`, isolation
 * `worker`). Loads the handler once, answers `ready` or `load-error`, then runs one invocation
 * per `invoke` message. An uncaught exception or unhandled rejection is reported as a `crash`
 * (on the same port, so after any result already sent) and ends this thread only; the parent
 * fails the running invocation, if any, and starts a fresh worker for the next.
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createContext, errorPayload, loadHandler, runHandler, type InvocationInfo } from './handler-runtime.js';
import { routeOwnEndpoints, type OwnEndpoints } from './own-endpoints.js';
import { moduleLoader } from './module-loader.js';
import { TYPESCRIPT } from './module-files.js';

/** Parent → worker. `event` is JSON text, so the handler sees exactly what Lambda would deliver. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly event: string;
  readonly info: InvocationInfo;
}

/** Worker → parent. */
export type WorkerMessage =
  /** `hooked`: whether loading the handler started the module hooks (TypeScript); a JavaScript handler's must not. */
  | { readonly type: 'ready'; readonly hooked: boolean }
  /** Project-local files the function loaded (watched for hot reload, see reload.ts). */
  | { readonly type: 'files'; readonly files: readonly string[] }
  | { readonly type: 'load-error'; readonly name: string; readonly message: string; readonly stack?: string }
  | { readonly type: 'result'; readonly id: number; readonly payload: string; readonly functionError?: 'Unhandled' }
  /** Lambda's error payload of what crashed the worker. */
  | { readonly type: 'crash'; readonly payload: string };

/** What the parent passes as `workerData`. */
export interface LocalWorkerData {
  readonly file: string;
  readonly exportName: string;
  /** The gateway's own names and listener (own-endpoints.ts). */
  readonly own?: OwnEndpoints;
}

/**
 * The worker's life, in an async function rather than at the module's top level: a module with a
 * top-level await is evaluated asynchronously by V8, and a worker terminated (or ended by
 * `process.exit`) while that evaluation starts can abort the whole process on Node 20 (V8's
 * `Check failed: (location_) != nullptr` in `SourceTextModule::ExecuteAsyncModule`, seen once in
 * this project's CI; nodejs/node#43182, #53238). Handlers' own modules may still await at their top level.
 */
async function serve(port: MessagePort): Promise<void> {
  const { file, exportName, own } = workerData as LocalWorkerData;
  if (own) routeOwnEndpoints(() => own);
  const send = (message: WorkerMessage) => port.postMessage(message);
  const crash = (error: unknown) => {
    send({ type: 'crash', payload: errorPayload(error) });
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  // Reports the files the handler loads. The module hooks (TypeScript) only when needed: starting
  // their thread costs every cold worker 50-90 ms (module-loader.ts).
  const loader = moduleLoader();
  if (TYPESCRIPT.test(file)) loader.useHooks();
  const url = pathToFileURL(file).href;
  const graph = loader.track(url, (f) => send({ type: 'files', files: [f] }));
  try {
    // Imports read from the sources (the hooks start when they show TypeScript or a computed import).
    await loader.readImports(url);
    const handler = await loadHandler(file, exportName, url);
    graph.addRequired();
    port.on('message', (message: InvokeMessage) => {
      void runHandler(handler, JSON.parse(message.event), createContext(message.info)).then((outcome) =>
        send({ type: 'result', id: message.id, ...outcome }),
      );
    });
    send({ type: 'ready', hooked: loader.hooked });
  } catch (error) {
    graph.addRequired();
    const e = error instanceof Error ? error : new Error(String(error));
    send({ type: 'load-error', name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
  }
}

if (parentPort) void serve(parentPort);
