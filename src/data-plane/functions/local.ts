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
 *   the next call starts a fresh one, which also re-imports the module. The function's Lambda
 *   environment (environment.ts: `env`, its own `environment`, the variables Lambda sets) is the
 *   worker's whole `process.env`: nothing of the server's environment leaks in unless passed.
 *   A crash is logged with the function's crash count (crash-guard.ts).
 * - `inprocess`: handlers run on the server's own event loop. Cheapest, but less isolation: a
 *   timed-out handler keeps running in the background (a synchronous infinite loop blocks the
 *   whole server and cannot be stopped), `process.exit` in function code is intercepted (crash-guard.ts)
 *   but `process.abort()` and `process.kill(process.pid)` are not, and modules are imported
 *   once per generation (hot reload, reload.ts, keeps every earlier generation in memory). Each function's code runs in its `functionScope`: it sees its own
 *   Lambda environment through the process.env proxy (environment.ts), and an error it throws or
 *   rejects outside any invocation's reach is logged and counted instead of ending the gateway
 *   (crash-guard.ts). Functions that share a module file share its top-level evaluation, under the
 *   environment of the first one invoked.
 *
 * Timeouts: the shorter of the integration's timeout (FunctionTimeoutError: the gateway answers 503)
 * and the function's own `timeout` (a function error `Sandbox.Timedout`, as Lambda reports it: 500).
 */
import { resolve as resolvePath } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../logger.js';
import { consoleLogger } from '../../logger.js';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import { createCrashReporter, exitReason, guardProcess, type CrashReporter } from './crash-guard.js';
import { lambdaEnvironment, scopeProcessEnv, type FunctionSettings } from './environment.js';
import { functionScope, type FunctionScope } from './function-scope.js';
import { routeOwnEndpoints, type OwnEndpoints } from './own-endpoints.js';
import { Deadlines } from '../deadlines.js';
import { promiseOf } from '../told.js';
import { jsonValue } from './json-value.js';
import { locateSyntaxError } from './syntax-location.js';
import {
  callHandler,
  createContext,
  errorPayload,
  failure,
  parseHandlerSpec,
  type HandlerOutcome,
  type InvocationInfo,
  type LambdaHandler,
} from './handler-runtime.js';
import { FunctionInvokeError, FunctionNotFoundError, FunctionTimeoutError, type FunctionInvoker, type InvokeDone, type InvokeOptions, type InvokeResult } from './invoker.js';
import type { InvokeMessage, LocalWorkerData, WorkerMessage } from './local-worker.js';
import { FileWatcher, InProcessModules, logReload, ReloadWatch } from './reload.js';
import { uuidPool } from '../request-id.js';

/** In-process invocations' `awsRequestId`s. */
const newInvocationId = uuidPool();

/** Options of the local invoker. */
export interface LocalInvokerOptions {
  /** Function name → `path/to/module.js#export` (export defaults to `handler`), relative to `baseDir`. */
  readonly functions: Readonly<Record<string, string>>;
  /** Directory module paths are resolved against (usually the config file's directory). */
  readonly baseDir: string;
  readonly isolation: 'inprocess' | 'worker';
  /** Variables every function gets, under its own `environment` and the Lambda variables (environment.ts). */
  readonly env?: Readonly<Record<string, string>>;
  /** Per-function `environment`, `timeout` and `memorySize`, by function name. */
  readonly settings?: Readonly<Record<string, FunctionSettings>>;
  /** Where crashes of function code (crash-guard.ts) and hot reloads (reload.ts) are logged; default: stderr as JSON lines. */
  readonly logger?: Logger;
  /** The gateway's own names and listener: function code's HTTPS calls to them reach it (own-endpoints.ts). */
  readonly ownEndpoints?: () => OwnEndpoints;
  /** Worker mode: concurrent executions per function (default 4). */
  readonly concurrency?: number;
  /** Hot reload (`reload.ts`): watch the files functions load and serve edits (default true). */
  readonly reload?: boolean;
}

/** An InvokeResult that also carries the invocation's `awsRequestId` (`$context.integration.requestId`). */
export type LocalInvokeResult = InvokeResult & { readonly requestId: string };

interface Registration {
  readonly name: string;
  readonly file: string;
  readonly exportName: string;
  readonly settings: FunctionSettings | undefined;
}

/** Creates the local invoker; bad registrations fail here, at startup. */
export function createLocalInvoker(options: LocalInvokerOptions): FunctionInvoker {
  const registrations = new Map<string, Registration>();
  for (const [name, spec] of Object.entries(options.functions)) {
    const { file, exportName } = parseHandlerSpec(spec);
    registrations.set(name, { name, file: resolvePath(options.baseDir, file), exportName, settings: options.settings?.[name] });
  }
  const lookup = (fn: LambdaFunctionRef): Registration => {
    const found = registrations.get(fn.functionName);
    if (found) return found;
    const known = [...registrations.keys()].join(', ') || 'none';
    throw new FunctionNotFoundError(`Function not found: ${fn.functionName} (registered functions: ${known})`);
  };
  const environment = new Environments(options.env ?? {});
  const logger = options.logger ?? consoleLogger;
  const reporter = createCrashReporter(logger);
  const reload = options.reload ?? true;
  return options.isolation === 'worker'
    ? new WorkerInvoker(lookup, environment, options.concurrency ?? 4, reporter, options.ownEndpoints, logger, reload)
    : new InProcessInvoker(lookup, environment, registrations.size > 0 ? reporter : undefined, options.ownEndpoints, logger, reload);
}

/** Each function's Lambda environment, built on its first invocation (the region comes from its ARN). */
class Environments {
  readonly #base: Readonly<Record<string, string>>;
  readonly #byName = new Map<string, Record<string, string>>();
  constructor(base: Readonly<Record<string, string>>) {
    this.#base = base;
  }
  of(reg: Registration, region: string): Record<string, string> {
    let env = this.#byName.get(reg.name);
    if (!env) {
      env = lambdaEnvironment({ functionName: reg.name, file: reg.file, exportName: reg.exportName, region, settings: reg.settings, base: this.#base });
      this.#byName.set(reg.name, env);
    }
    return env;
  }
}

/** How long an invocation may run: the integration's timeout, or the function's own when shorter. */
interface TimeLimit {
  readonly ms: number;
  readonly byFunction: boolean;
}

function timeLimit(reg: Registration, integrationMs: number): TimeLimit {
  const fnMs = reg.settings?.timeout === undefined ? undefined : reg.settings.timeout * 1000;
  return fnMs !== undefined && fnMs < integrationMs ? { ms: fnMs, byFunction: true } : { ms: integrationMs, byFunction: false };
}

/** Lambda's answer for a function that ran past its own timeout (a function error, so the gateway answers 500). */
function taskTimedOut(requestId: string, ms: number): HandlerOutcome {
  const message = `RequestId: ${requestId} Error: Task timed out after ${(ms / 1000).toFixed(2)} seconds`;
  return { payload: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: message }), functionError: 'Unhandled' };
}

/** `work` within `limit`: past the function's own timeout a Sandbox.Timedout error, past the integration's FunctionTimeoutError. */
async function limited(work: Promise<HandlerOutcome>, limit: TimeLimit, requestId: string): Promise<HandlerOutcome> {
  try {
    return await work;
  } catch (error) {
    if (limit.byFunction && error instanceof FunctionTimeoutError) return taskTimedOut(requestId, limit.ms);
    throw error;
  }
}

/** The Error a worker's crash payload (`{"errorType","errorMessage","trace"}`) describes. */
function errorOfPayload(payload: string): Error {
  try {
    const e = JSON.parse(payload) as { errorType?: string; errorMessage?: string; trace?: string[] };
    const error = new Error(e.errorMessage ?? payload);
    error.name = e.errorType ?? 'Error';
    error.stack = e.trace?.join('\n') ?? `${error.name}: ${error.message}`;
    return error;
  } catch {
    return new Error(payload);
  }
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
  const memory = reg.settings?.memorySize;
  const call: { -readonly [K in keyof InvocationInfo]: InvocationInfo[K] } = { functionName: reg.name, invokedFunctionArn: fn.functionArn, awsRequestId: newInvocationId(), deadline: Date.now() + timeoutMs };
  if (memory) call.memoryLimitInMB = String(memory);
  return call;
}

function result(outcome: HandlerOutcome, requestId: string): LocalInvokeResult {
  return { payload: Buffer.from(outcome.payload), ...(outcome.functionError ? { functionError: outcome.functionError } : {}), requestId };
}

/** An in-process handler's normal result: its JSON values, the text made only when something reads `payload`. */
class ValueResult implements LocalInvokeResult {
  #payload: Buffer | undefined;
  constructor(
    readonly value: unknown,
    readonly requestId: string,
  ) {}
  get payload(): Buffer {
    return (this.#payload ??= Buffer.from(JSON.stringify(this.value)));
  }
}

/** Handlers on the server's event loop (see the module comment for what that cannot contain). */
class InProcessInvoker implements FunctionInvoker {
  readonly #lookup: (fn: LambdaFunctionRef) => Registration;
  readonly #environments: Environments;
  readonly #handlers = new Map<string, Promise<LambdaHandler>>();
  /** The handlers loaded and current, called without a promise hop (dropped with their entry in #handlers). */
  readonly #ready = new Map<string, LambdaHandler>();
  /** Releases the crash guard and the process.env proxy (held while local functions are registered). */
  readonly #release: () => void;
  readonly #modules: InProcessModules;
  /** The calls' time limits: one timer per distinct limit, not one per call. */
  readonly #deadlines = new Deadlines();

  constructor(lookup: (fn: LambdaFunctionRef) => Registration, environments: Environments, reporter: CrashReporter | undefined, own: (() => OwnEndpoints) | undefined, logger: Logger, reload: boolean) {
    this.#lookup = lookup;
    this.#environments = environments;
    this.#modules = new InProcessModules(logger, reload);
    if (reporter) {
      const unguard = guardProcess(reporter);
      const unscope = scopeProcessEnv();
      const unroute = own ? routeOwnEndpoints(own) : () => undefined;
      this.#release = () => (unguard(), unscope(), unroute());
    } else this.#release = () => undefined;
  }

  invoke(fn: LambdaFunctionRef, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    return promiseOf((done) => this.invokeThen(fn, event, options, done));
  }

  /**
   * Told once: by the handler's result, its error, an error its code leaves uncaught while it runs
   * (crash-guard.ts), or the time limit. The only promises are the handler's own and one reaction to
   * it: on this path every promise also pays the function scope's async hooks.
   */
  invokeThen(fn: LambdaFunctionRef, event: unknown, options: InvokeOptions, done: InvokeDone): void {
    let reg: Registration, limit: TimeLimit, call: InvocationInfo, env: Record<string, string>;
    try {
      reg = this.#lookup(fn);
      limit = timeLimit(reg, options.timeoutMs);
      call = info(reg, fn, limit.ms);
      env = this.#environments.of(reg, fn.region);
    } catch (error) {
      return done(error);
    }
    let settled = false;
    const settle = (value: InvokeResult) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      done(undefined, value);
    };
    const deadline = this.#deadlines.add(limit.ms, () => {
      if (settled) return;
      settled = true;
      // Past the function's own timeout: Lambda's Sandbox.Timedout error; past the integration's: FunctionTimeoutError.
      if (limit.byFunction) done(undefined, result(taskTimedOut(call.awsRequestId, limit.ms), call.awsRequestId));
      else done(new FunctionTimeoutError(`Function ${reg.name} timed out after ${limit.ms} ms`));
    });
    const failed = (error: unknown) => settle(result(failure(error), call.awsRequestId));
    const returned = (value: unknown) => {
      if (settled) return;
      let copied: unknown;
      try {
        copied = jsonValue(value);
      } catch (error) {
        // BigInt, cycles, a throwing toJSON: the function failed to produce a response.
        return failed(error);
      }
      settle(new ValueResult(copied, call.awsRequestId));
    };
    // An error the function's code throws from a timer or leaves unhandled while this call runs fails it (crash-guard.ts).
    const scope: FunctionScope = { functionName: reg.name, env, requestId: call.awsRequestId, fail: failed };
    // The event is a tree of JSON values built for this call (the FunctionInvoker contract), so it
    // goes to the handler as is: a JSON copy cost ~10% of the Lambda path's CPU.
    const run = (handler: LambdaHandler) => functionScope.run(scope, () => callHandler(handler, event, createContext(call))).then(returned, failed);
    // A loaded handler is called at once; otherwise its loading counts against the time limit too.
    const ready = this.#ready.get(reg.name);
    if (ready) void run(ready);
    else
      this.#handler(reg, env).then(run, (e: unknown) => {
        if (settled) return;
        settled = true;
        deadline.cancel();
        done(e instanceof Error ? e : new Error(String(e)));
      });
  }

  #handler(reg: Registration, env: Record<string, string>): Promise<LambdaHandler> {
    let loading = this.#handlers.get(reg.name);
    if (!loading) {
      // A change of a file it loaded drops it: the next invocation loads the new code (reload.ts).
      const stale = () => {
        if (this.#handlers.get(reg.name) !== loaded) return;
        this.#handlers.delete(reg.name);
        this.#ready.delete(reg.name);
      };
      // The module's top level runs in the function's scope: its environment, its crashes.
      const loaded = functionScope.run({ functionName: reg.name, env }, () => this.#modules.load(reg.name, reg.file, reg.exportName, stale)).catch(async (error: unknown) => {
        const cause = await locateSyntaxError(error, reg.file);
        this.#handlers.delete(reg.name);
        throw new FunctionInvokeError(`Cannot load function ${reg.name} from ${reg.file}: ${String(cause)}`, { cause });
      });
      loading = loaded;
      this.#handlers.set(reg.name, loading);
      loaded.then(
        (handler) => {
          if (this.#handlers.get(reg.name) === loaded) this.#ready.set(reg.name, handler);
        },
        () => undefined,
      );
    }
    return loading;
  }

  async close(): Promise<void> {
    this.#deadlines.close();
    this.#handlers.clear();
    this.#ready.clear();
    this.#release();
    this.#modules.close();
  }
}

/** Worker-thread pools, one per function (see the module comment). */
class WorkerInvoker implements FunctionInvoker {
  readonly #lookup: (fn: LambdaFunctionRef) => Registration;
  readonly #environments: Environments;
  readonly #concurrency: number;
  readonly #reporter: CrashReporter;
  readonly #own: (() => OwnEndpoints) | undefined;
  readonly #pools = new Map<string, WorkerPool>();
  readonly #logger: Logger;
  readonly #watcher: FileWatcher | undefined;
  #closed = false;

  constructor(
    lookup: (fn: LambdaFunctionRef) => Registration,
    environments: Environments,
    concurrency: number,
    reporter: CrashReporter,
    own: (() => OwnEndpoints) | undefined,
    logger: Logger,
    reload: boolean,
  ) {
    this.#own = own;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`Invalid function concurrency ${concurrency}`);
    this.#lookup = lookup;
    this.#environments = environments;
    this.#concurrency = concurrency;
    this.#reporter = reporter;
    this.#logger = logger;
    this.#watcher = reload ? new FileWatcher() : undefined;
  }

  async invoke(fn: LambdaFunctionRef, event: unknown, options: { readonly timeoutMs: number; readonly requestId: string }): Promise<InvokeResult> {
    if (this.#closed) throw new FunctionInvokeError('Function invoker is closed');
    const reg = this.#lookup(fn);
    let pool = this.#pools.get(reg.name);
    if (!pool) {
      // Hot reload (reload.ts): a change of a file its workers loaded replaces them.
      const watch =
        this.#watcher &&
        new ReloadWatch(reg.name, this.#watcher, (file) => {
          const replaced = created.recycle();
          logReload(this.#logger, reg.name, file, { isolation: 'worker', replacedWorkers: replaced });
        });
      const created = new WorkerPool(reg, this.#environments.of(reg, fn.region), this.#concurrency, this.#reporter, this.#own, watch);
      pool = created;
      this.#pools.set(reg.name, pool);
    }
    const limit = timeLimit(reg, options.timeoutMs);
    const call = info(reg, fn, limit.ms);
    return result(await limited(pool.run(eventJson(event), call, limit.ms), limit, call.awsRequestId), call.awsRequestId);
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
  readonly #reporter: CrashReporter;
  readonly #own: (() => OwnEndpoints) | undefined;
  readonly #idle: FunctionWorker[] = [];
  readonly #all = new Set<FunctionWorker>();
  readonly #queue: Job[] = [];
  /** Workers running the code from before a change: discarded when their invocation ends. */
  readonly #stale = new Set<FunctionWorker>();
  readonly #watch: ReloadWatch | undefined;
  #closed = false;

  constructor(reg: Registration, env: Record<string, string>, size: number, reporter: CrashReporter, own: (() => OwnEndpoints) | undefined, watch: ReloadWatch | undefined) {
    this.#own = own;
    this.#reg = reg;
    this.#env = env;
    this.#size = size;
    this.#reporter = reporter;
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
    const worker = new FunctionWorker(this.#reg, this.#env, (w) => this.#discard(w), this.#reporter, this.#own?.(), (files) => files.forEach((f) => this.#watch?.add(f)));
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
  /** Set once the worker reported its crash or was told to stop: its exit is then not a crash of its own. */
  #ending = false;
  /** Set when the module failed to load: the load error, not the exit, fails the waiting calls. */
  #loadFailed = false;

  constructor(reg: Registration, env: Record<string, string>, onDead: (w: FunctionWorker) => void, reporter: CrashReporter, own: OwnEndpoints | undefined, onFiles: (files: readonly string[]) => void) {
    const data: LocalWorkerData = { file: reg.file, exportName: reg.exportName, ...(own ? { own } : {}) };
    this.#worker = new Worker(new URL('./local-worker.js', import.meta.url), { workerData: data, env });
    this.#ready = new Promise<void>((resolve, reject) => {
      this.#worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'files') onFiles(m.files);
        else if (m.type === 'load-error') {
          // The thread ends now; its exit must neither win the race nor count as a crash.
          this.#ending = true;
          this.#loadFailed = true;
          void locateSyntaxError(Object.assign(new Error(m.message), { name: m.name, stack: m.stack }), reg.file).then((located) => {
            const cause = located as Error;
            reject(new FunctionInvokeError(`Cannot load function ${reg.name} from ${reg.file}: ${cause.name}: ${cause.message}`, { cause }));
          });
        } else if (m.type === 'crash') {
          this.#ending = true;
          reporter.report(reg.name, 'worker crashed', errorOfPayload(m.payload), this.#current?.info.awsRequestId);
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
        if (!this.#loadFailed) reject(new FunctionInvokeError(`Function ${reg.name} exited while loading (code ${code})`));
        const id = this.#current?.info.awsRequestId ?? '';
        const reason = exitReason(code);
        if (!this.#ending) reporter.report(reg.name, 'worker exited', new Error(reason), this.#current?.info.awsRequestId || undefined);
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
    this.#ending = true;
    const current = this.#current;
    this.#current = undefined;
    current?.fail(new FunctionInvokeError(reason));
    if (!this.#exited) await this.#worker.terminate();
  }
}

