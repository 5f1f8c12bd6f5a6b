/**
 * The Lambda Node.js calling convention, shared by the in-process and worker modes of the local
 * invoker: loading a handler module, the context object, async and callback handlers, and the
 * payloads Lambda reports for results and errors.
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html, nodejs-context.html
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

/** A Lambda handler: `(event, context)` returning a promise, or `(event, context, callback)`. */
export type LambdaHandler = (event: unknown, context: LambdaContext, callback?: (error?: unknown, result?: unknown) => void) => unknown;

/** The context object a Node.js handler receives. */
export interface LambdaContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  getRemainingTimeInMillis(): number;
  callbackWaitsForEmptyEventLoop: boolean;
}

/** What one invocation needs to build its context (cloneable: it crosses into workers). */
export interface InvocationInfo {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly awsRequestId: string;
  /** Epoch ms after which the invocation has timed out. */
  readonly deadline: number;
  /** The function's `memorySize` as `context.memoryLimitInMB` says it (default "128"). */
  readonly memoryLimitInMB?: string;
}

/** The outcome in Invoke API terms: JSON text, and `Unhandled` when the function failed. */
export interface HandlerOutcome {
  readonly payload: string;
  readonly functionError?: 'Unhandled';
}

/** A module reference `./handlers/pets.js#handler` split into its file and export name. */
export function parseHandlerSpec(spec: string): { file: string; exportName: string } {
  const hash = spec.lastIndexOf('#');
  const file = hash < 0 ? spec : spec.slice(0, hash);
  const exportName = hash < 0 ? 'handler' : spec.slice(hash + 1);
  if (!file || !/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new Error(`Invalid function handler "${spec}": expected path/to/module.js#exportName`);
  return { file, exportName };
}

/**
 * Imports `file` (absolute path; ESM or CommonJS) and returns its export `exportName`. A CommonJS
 * module whose exports Node cannot detect statically is reached through its default export.
 * `url` is the URL to import `file` by (hot reload adds a generation, see `reload.ts`).
 */
export async function loadHandler(file: string, exportName: string, url = pathToFileURL(file).href): Promise<LambdaHandler> {
  const mod = (await import(url)) as Record<string, unknown>;
  const fallback = mod.default as Record<string, unknown> | undefined;
  const handler = mod[exportName] ?? (typeof fallback === 'object' || typeof fallback === 'function' ? fallback?.[exportName] : undefined);
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function named ${exportName}`);
  return handler as LambdaHandler;
}

/**
 * One log stream per function per process, as Lambda has one per execution environment (a warm
 * environment keeps its stream); drawing random bytes per invocation also cost ~8% of the CPU of
 * the Lambda path.
 */
const logStreams = new Map<string, string>();

function logStreamFor(functionName: string): string {
  let stream = logStreams.get(functionName);
  if (stream === undefined) {
    const now = new Date();
    const day = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
    stream = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
    logStreams.set(functionName, stream);
  }
  return stream;
}

/** The context for one invocation. */
export function createContext(info: InvocationInfo): LambdaContext {
  return {
    functionName: info.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: info.invokedFunctionArn,
    memoryLimitInMB: info.memoryLimitInMB ?? '128',
    awsRequestId: info.awsRequestId,
    logGroupName: `/aws/lambda/${info.functionName}`,
    logStreamName: logStreamFor(info.functionName),
    getRemainingTimeInMillis: () => Math.max(0, info.deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: true,
  };
}

/**
 * Calls `handler` with the Lambda convention and never rejects: a throw, a rejection or
 * `callback(error)` becomes an `Unhandled` outcome with Lambda's error payload. A handler of
 * arity ≥ 3 is callback-style; whichever of callback and returned promise settles first wins.
 * TODO(parity): `callbackWaitsForEmptyEventLoop` is not honoured: the response goes back as soon
 * as the callback is called, not when the event loop drains.
 */
export function runHandler(handler: LambdaHandler, event: unknown, context: LambdaContext): Promise<HandlerOutcome> {
  return callHandler(handler, event, context).then(serialized, failure);
}

/**
 * Calls `handler` with the Lambda convention: resolves with what it returned (or passed to the
 * callback), rejects with what it threw, rejected or passed as the callback's error.
 */
export function callHandler(handler: LambdaHandler, event: unknown, context: LambdaContext): Promise<unknown> {
  if (handler.length < 3) {
    // An async handler's own promise is the call (no promise wrapped around it).
    try {
      const returned = handler(event, context);
      return returned instanceof Promise ? returned : Promise.resolve(returned);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  return new Promise<unknown>((resolve, reject) => {
    const callback = (error?: unknown, value?: unknown) => (error !== undefined && error !== null ? reject(error) : resolve(value));
    const returned = handler(event, context, callback);
    if (isThenable(returned)) returned.then(resolve, reject);
  });
}

/** The handler's result as Lambda returns it: JSON text (`undefined` is `null`). */
function serialized(result: unknown): HandlerOutcome {
  try {
    return { payload: JSON.stringify(result) ?? 'null' };
  } catch (error) {
    // BigInt, circular structures, throwing toJSON: the function failed to produce a response.
    return failure(error);
  }
}

/** Lambda's error payload `{"errorType","errorMessage","trace"}` for a thrown value. */
export function errorPayload(error: unknown): string {
  if (error instanceof Error) {
    const trace = (error.stack ?? '').split('\n').filter((line) => line.length > 0);
    return JSON.stringify({ errorType: error.name || 'Error', errorMessage: error.message, trace });
  }
  return JSON.stringify({ errorType: typeof error, errorMessage: safeString(error), trace: [] });
}

export function failure(error: unknown): HandlerOutcome {
  return { payload: errorPayload(error), functionError: 'Unhandled' };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
