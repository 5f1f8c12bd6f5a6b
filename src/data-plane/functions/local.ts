/**
 * The `local` function invoker (the default, DESIGN.md "Functions"): Node.js handler modules
 * registered by name (`--function pets=./handlers/pets.js#handler`), run with the Lambda calling
 * convention and the integration's timeout.
 *
 * Edits of a function's files are served by the next invocation (hot reload, `reload.ts`), and
 * TypeScript handlers are transpiled on load (`module-hooks.ts`), in both isolation modes.
 *
 * Isolation:
 * - `worker` (recommended): each function runs in worker threads, at most `concurrency` per
 *   function (default 4), each handling one invocation at a time like a Lambda execution
 *   environment; further calls queue (queue time counts toward the timeout). Workers are started
 *   on demand and stay warm. On timeout the worker is terminated (even a synchronous infinite
 *   loop), on a crash (uncaught exception, unhandled rejection, `process.exit`) it is discarded;
 *   the next call starts a fresh one, which also re-imports the module. `env` becomes the
 *   worker's whole `process.env` (plus `AWS_LAMBDA_FUNCTION_NAME`/`_VERSION`/`_MEMORY_SIZE`,
 *   `AWS_REGION`): nothing of the server's environment leaks in unless the caller passes it.
 * - `inprocess`: handlers run on the server's own event loop. Cheapest, but no isolation: a
 *   timed-out handler keeps running in the background (a synchronous infinite loop blocks the
 *   whole server and cannot be stopped), a rejection the handler leaves unhandled after
 *   returning reaches the process's `unhandledRejection` (fatal under Node's default unless the
 *   server installs a handler), `process.exit` ends the server, and every reload keeps the
 *   earlier generation of the function's modules in memory. `env` is refused in this mode:
 *   handlers share the server's process.env.
 */
import { randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { Worker } from 'node:worker_threads';
import { consoleLogger, type Logger } from '../../logger.js';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import {
  createContext,
  errorPayload,
  parseHandlerSpec,
  runHandler,
  type HandlerOutcome,
  type InvocationInfo,
  type LambdaHandler,
} from './handler-runtime.js';
import { FunctionInvokeError, FunctionNotFoundError, FunctionTimeoutError, type FunctionInvoker, type InvokeResult } from './invoker.js';
import type { InvokeMessage, LocalWorkerData, WorkerMessage } from './local-worker.js';
import { FileWatcher, InProcessModules, logReload, ReloadWatch } from './reload.js';

/** Options of the local invoker. */
export interface LocalInvokerOptions {
  /** Function name → `path/to/module.js#export` (export defaults to `handler`), relative to `baseDir`. */
  readonly functions: Readonly<Record<string, string>>;
  /** Directory module paths are resolved against (usually the config file's directory). */
  readonly baseDir: string;
  readonly isolation: 'inprocess' | 'worker';
  /** Environment of worker-mode functions. Not allowed with `inprocess`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Worker mode: concurrent executions per function (default 4). */
  readonly concurrency?: number;
  /** Where hot reloads are logged (`reload.ts`). */
  readonly logger?: Logger;
  /** Hot reload (`reload.ts`): watch the files functions load and serve edits (default true). */
  readonly reload?: boolean;
}

/** An InvokeResult that also carries the invocation's `awsRequestId` (`$context.integration.requestId`). */
export type LocalInvokeResult = InvokeResult & { readonly requestId: string };

interface Registration {
  readonly name: string;
  readonly file: string;
  readonly exportName: string;
}

/** Creates the local invoker; bad registrations fail here, at startup. */
export function createLocalInvoker(options: LocalInvokerOptions): FunctionInvoker {
  const registrations = new Map<string, Registration>();
  for (const [name, spec] of Object.entries(options.functions)) {
    const { file, exportName } = parseHandlerSpec(spec);
    registrations.set(name, { name, file: resolvePath(options.baseDir, file), exportName });
  }
  if (options.isolation === 'inprocess' && options.env && Object.keys(options.env).length > 0) {
    throw new Error('Function env requires isolation "worker": in-process handlers share the server\'s process.env');
  }
  const lookup = (fn: LambdaFunctionRef): Registration => {
    const found = registrations.get(fn.functionName);
    if (found) return found;
    const known = [...registrations.keys()].join(', ') || 'none';
    throw new FunctionNotFoundError(`Function not found: ${fn.functionName} (registered functions: ${known})`);
  };
  const logger = options.logger ?? consoleLogger;
  const reload = options.reload ?? true;
  return options.isolation === 'worker'
    ? new WorkerInvoker(lookup, options.env ?? {}, options.concurrency ?? 4, logger, reload)
    : new InProcessInvoker(lookup, logger, reload);
}

/** Rejects with FunctionTimeoutError after `ms`, calling `onTimeout` first. */
function withTimeout<T>(work: Promise<T>, ms: number, name: string, onTimeout: () => void = () => {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new FunctionTimeoutError(`Function ${name} timed out after ${ms} ms`));
    }, ms);
    work.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/** Handlers get the event as Lambda delivers it: parsed from JSON text (no undefined, no Buffers). */
function eventJson(event: unknown): string {
  return JSON.stringify(event) ?? 'null';
}

function info(reg: Registration, fn: LambdaFunctionRef, timeoutMs: number): InvocationInfo {
  return { functionName: reg.name, invokedFunctionArn: fn.functionArn, awsRequestId: randomUUID(), deadline: Date.now() + timeoutMs };
}

function result(outcome: HandlerOutcome, requestId: string): LocalInvokeResult {
  return { payload: Buffer.from(outcome.payload), ...(outcome.functionError ? { functionError: outcome.functionError } : {}), requestId };
}

/** Handlers on the server's event loop (see the module comment for what that cannot contain). */
class InProcessInvoker implements FunctionInvoker {
  readonly #lookup: (fn: LambdaFunctionRef) => Registration;
  readonly #handlers = new Map<string, Promise<LambdaHandler>>();
  readonly #modules: InProcessModules;

  constructor(lookup: (fn: LambdaFunctionRef) => Registration, logger: Logger, reload: boolean) {
    this.#lookup = lookup;
    this.#modules = new InProcessModules(logger, reload);
  }

  async invoke(fn: LambdaFunctionRef, event: unknown, options: { readonly timeoutMs: number; readonly requestId: string }): Promise<InvokeResult> {
    const reg = this.#lookup(fn);
    const call = info(reg, fn, options.timeoutMs);
    // The event is a tree of JSON values built for this call (the FunctionInvoker contract), so it
    // goes to the handler as is: a JSON copy cost ~10% of the Lambda path's CPU.
    const work = this.#handler(reg).then((handler) => runHandler(handler, event, createContext(call)));
    return result(await withTimeout(work, options.timeoutMs, reg.name), call.awsRequestId);
  }

  #handler(reg: Registration): Promise<LambdaHandler> {
    let loading = this.#handlers.get(reg.name);
    if (!loading) {
      // A change of a file it loaded drops it: the next invocation loads the new code (reload.ts).
      const stale = () => this.#handlers.get(reg.name) === loaded && this.#handlers.delete(reg.name);
      const loaded = this.#modules.load(reg.name, reg.file, reg.exportName, stale).catch((cause: unknown) => {
        this.#handlers.delete(reg.name);
        throw new FunctionInvokeError(`Cannot load function ${reg.name} from ${reg.file}: ${String(cause)}`, { cause });
      });
      loading = loaded;
      this.#handlers.set(reg.name, loading);
    }
    return loading;
  }

  async close(): Promise<void> {
    this.#handlers.clear();
    this.#modules.close();
  }
}

/** Worker-thread pools, one per function (see the module comment). */
class WorkerInvoker implements FunctionInvoker {
  readonly #lookup: (fn: LambdaFunctionRef) => Registration;
  readonly #env: Readonly<Record<string, string>>;
  readonly #concurrency: number;
  readonly #pools = new Map<string, WorkerPool>();
  readonly #logger: Logger;
  readonly #watcher: FileWatcher | undefined;
  #closed = false;

  constructor(lookup: (fn: LambdaFunctionRef) => Registration, env: Readonly<Record<string, string>>, concurrency: number, logger: Logger, reload: boolean) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`Invalid function concurrency ${concurrency}`);
    this.#lookup = lookup;
    this.#env = env;
    this.#concurrency = concurrency;
    this.#logger = logger;
    this.#watcher = reload ? new FileWatcher() : undefined;
  }

  async invoke(fn: LambdaFunctionRef, event: unknown, options: { readonly timeoutMs: number; readonly requestId: string }): Promise<InvokeResult> {
    if (this.#closed) throw new FunctionInvokeError('Function invoker is closed');
    const reg = this.#lookup(fn);
    let pool = this.#pools.get(reg.name);
    if (!pool) {
      const env = { ...this.#env, AWS_LAMBDA_FUNCTION_NAME: reg.name, AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128', AWS_REGION: fn.region };
      // Hot reload (reload.ts): a change of a file its workers loaded replaces them.
      const watch =
        this.#watcher &&
        new ReloadWatch(reg.name, this.#watcher, (file) => {
          const replaced = created.recycle();
          logReload(this.#logger, reg.name, file, { isolation: 'worker', replacedWorkers: replaced });
        });
      const created = new WorkerPool(reg, env, this.#concurrency, watch);
      pool = created;
      this.#pools.set(reg.name, pool);
    }
    const call = info(reg, fn, options.timeoutMs);
    return result(await pool.run(eventJson(event), call, options.timeoutMs), call.awsRequestId);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    this.#watcher?.close();
    await Promise.all(pools.map((p) => p.close()));
  }
}

/** A queued or running invocation. */
interface Job {
  readonly event: string;
  readonly info: InvocationInfo;
  readonly resolve: (outcome: HandlerOutcome) => void;
  readonly reject: (error: Error) => void;
  worker?: FunctionWorker;
  done: boolean;
}

/** Up to `size` warm workers for one function, one job each; the rest wait in order. */
class WorkerPool {
  readonly #reg: Registration;
  readonly #env: Record<string, string>;
  readonly #size: number;
  readonly #idle: FunctionWorker[] = [];
  readonly #all = new Set<FunctionWorker>();
  readonly #queue: Job[] = [];
  /** Workers running the code from before a change: discarded when their invocation ends. */
  readonly #stale = new Set<FunctionWorker>();
  readonly #watch: ReloadWatch | undefined;
  #closed = false;

  constructor(reg: Registration, env: Record<string, string>, size: number, watch: ReloadWatch | undefined) {
    this.#reg = reg;
    this.#env = env;
    this.#size = size;
    this.#watch = watch;
  }

  /**
   * After a change: idle workers go now, busy ones after their invocation; one fresh worker starts
   * loading the new code right away, so the next invocation need not wait for a cold start.
   * Returns how many workers are replaced.
   */
  recycle(): number {
    const count = this.#all.size;
    for (const w of this.#all) this.#stale.add(w);
    for (const w of [...this.#idle]) this.#discard(w);
    if (count > 0 && !this.#closed && this.#all.size < this.#size) this.#idle.push(this.#start());
    return count;
  }

  #start(): FunctionWorker {
    const worker = new FunctionWorker(this.#reg, this.#env, (w) => this.#discard(w), (files) => files.forEach((f) => this.#watch?.add(f)));
    this.#all.add(worker);
    return worker;
  }

  run(event: string, info: InvocationInfo, timeoutMs: number): Promise<HandlerOutcome> {
    if (this.#closed) return Promise.reject(new FunctionInvokeError('Function invoker is closed'));
    let job: Job | undefined;
    const work = new Promise<HandlerOutcome>((resolve, reject) => {
      job = { event, info, resolve, reject, done: false };
    });
    const queued = job as unknown as Job;
    this.#queue.push(queued);
    this.#pump();
    return withTimeout(work, timeoutMs, this.#reg.name, () => {
      queued.done = true;
      const i = this.#queue.indexOf(queued);
      if (i >= 0) this.#queue.splice(i, 1);
      // The only way to stop a running handler, synchronous loops included.
      if (queued.worker) this.#discard(queued.worker);
    });
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let worker = this.#idle.pop();
      if (!worker && this.#all.size < this.#size) worker = this.#start();
      if (!worker) return;
      const job = this.#queue.shift() as Job;
      job.worker = worker;
      const w = worker;
      w.run(job).then(
        (outcome) => {
          job.done = true;
          job.resolve(outcome);
          this.#release(w);
        },
        (error: Error) => {
          job.done = true;
          job.reject(error);
          this.#discard(w);
        },
      );
    }
  }

  #release(worker: FunctionWorker): void {
    if (!this.#all.has(worker)) return;
    if (this.#stale.has(worker)) return this.#discard(worker);
    this.#idle.push(worker);
    this.#pump();
  }

  #discard(worker: FunctionWorker): void {
    if (!this.#all.delete(worker)) return;
    this.#stale.delete(worker);
    const i = this.#idle.indexOf(worker);
    if (i >= 0) this.#idle.splice(i, 1);
    void worker.terminate();
    if (!this.#closed) this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watch?.close();
    for (const job of this.#queue.splice(0)) job.reject(new FunctionInvokeError('Function invoker is closed'));
    const workers = [...this.#all];
    this.#all.clear();
    this.#idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** One worker thread hosting one function; runs one job at a time. */
class FunctionWorker {
  readonly #worker: Worker;
  readonly #ready: Promise<void>;
  #current:
    | { readonly id: number; readonly info: InvocationInfo; readonly settle: (outcome: HandlerOutcome) => void; readonly fail: (error: Error) => void }
    | undefined;
  #nextId = 1;
  #exited = false;

  constructor(reg: Registration, env: Record<string, string>, onDead: (w: FunctionWorker) => void, onFiles: (files: readonly string[]) => void) {
    const data: LocalWorkerData = { file: reg.file, exportName: reg.exportName };
    this.#worker = new Worker(new URL('./local-worker.js', import.meta.url), { workerData: data, env });
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'files') onFiles(m.files);
        else if (m.type === 'load-error') {
          const cause = Object.assign(new Error(m.message), { name: m.name, stack: m.stack });
          reject(new FunctionInvokeError(`Cannot load function ${reg.name} from ${reg.file}: ${m.name}: ${m.message}`, { cause }));
        } else if (m.type === 'crash') {
          this.#crash(m.payload);
          onDead(this);
        } else if (this.#current?.id === m.id) {
          const { settle } = this.#current;
          this.#current = undefined;
          settle(m.functionError ? { payload: m.payload, functionError: m.functionError } : { payload: m.payload });
        }
      });
      // The worker reports its own crashes ('crash'); this is for failures of the thread itself.
      this.#worker.on('error', (error: unknown) => {
        reject(new FunctionInvokeError(`Function ${reg.name} crashed while loading: ${String(error)}`, { cause: error }));
        this.#crash(errorPayload(error));
        onDead(this);
      });
      this.#worker.on('exit', (code) => {
        this.#exited = true;
        reject(new FunctionInvokeError(`Function ${reg.name} exited while loading (code ${code})`));
        const id = this.#current?.info.awsRequestId ?? '';
        const reason = code === 0 ? 'Runtime exited without providing a reason' : `Runtime exited with error: exit status ${code}`;
        this.#crash(errorPayload(Object.assign(new Error(`RequestId: ${id} Error: ${reason}`), { name: 'Runtime.ExitError' })));
        onDead(this);
      });
    });
    // Load failures surface through run(); this only keeps them from being "unhandled".
    this.#ready.catch(() => {});
    // Idle warm workers must not keep the server (or a test run) alive. After the listeners:
    // adding a 'message' listener refs the worker again.
    this.#worker.unref();
  }

  async run(job: Job): Promise<HandlerOutcome> {
    await this.#ready;
    if (job.done) return { payload: 'null' };
    return new Promise<HandlerOutcome>((settle, fail) => {
      const id = this.#nextId++;
      this.#current = { id, info: job.info, settle, fail };
      const message: InvokeMessage = { type: 'invoke', id, event: job.event, info: job.info };
      this.#worker.postMessage(message);
    });
  }

  /** Fails the running invocation, if any, as Lambda reports a crashed runtime. */
  #crash(payload: string): void {
    const current = this.#current;
    this.#current = undefined;
    current?.settle({ payload, functionError: 'Unhandled' });
  }

  /** Stops the thread; a running invocation fails with FunctionInvokeError (on timeout it already failed). */
  async terminate(reason = 'Function invoker is closed'): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    current?.fail(new FunctionInvokeError(reason));
    if (!this.#exited) await this.#worker.terminate();
  }
}

