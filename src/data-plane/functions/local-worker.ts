/**
 * Entry point of a worker thread that hosts one local function (see `local.ts`, isolation
 * `worker`). Loads the handler once, answers `ready` or `load-error`, then runs one invocation
 * per `invoke` message. An uncaught exception or unhandled rejection is reported as a `crash`
 * (on the same port, so after any result already sent) and ends this thread only; the parent
 * fails the running invocation, if any, and starts a fresh worker for the next.
 */
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { createContext, errorPayload, loadHandler, runHandler, type InvocationInfo } from './handler-runtime.js';
import { routeOwnEndpoints, type OwnEndpoints } from './own-endpoints.js';
import { moduleLoader } from './module-loader.js';

/** Parent → worker. `event` is JSON text, so the handler sees exactly what Lambda would deliver. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly event: string;
  readonly info: InvocationInfo;
}

/** Worker → parent. */
export type WorkerMessage =
  | { readonly type: 'ready' }
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

const port = parentPort;
if (port) {
  const { file, exportName, own } = workerData as LocalWorkerData;
  if (own) routeOwnEndpoints(() => own);
  const send = (message: WorkerMessage) => port.postMessage(message);
  const crash = (error: unknown) => {
    send({ type: 'crash', payload: errorPayload(error) });
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  // TypeScript and source maps in this thread too; reports the files the handler loads.
  const loader = moduleLoader();
  loader.useHooks();
  const graph = loader.track(pathToFileURL(file).href, (f) => send({ type: 'files', files: [f] }));
  try {
    const handler = await loadHandler(file, exportName);
    graph.addRequired();
    port.on('message', (message: InvokeMessage) => {
      void runHandler(handler, JSON.parse(message.event), createContext(message.info)).then((outcome) =>
        send({ type: 'result', id: message.id, ...outcome }),
      );
    });
    send({ type: 'ready' });
  } catch (error) {
    graph.addRequired();
    const e = error instanceof Error ? error : new Error(String(error));
    send({ type: 'load-error', name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
  }
}
