/**
 * Function invokers: how a Lambda function named by an integration or authorizer URI is called
 * (DESIGN.md "Functions"). `local` runs registered Node.js handlers; `lambda` calls the Lambda
 * Invoke API.
 */
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import type { Told } from '../told.js';

/** The outcome of one invocation, as the Lambda Invoke API reports it. */
export interface InvokeResult {
  /** The function's response payload (JSON text for a normal return). */
  readonly payload: Buffer;
  /** Set when the function failed (`Unhandled`), as the `X-Amz-Function-Error` header says. */
  readonly functionError?: string;
  /**
   * The payload already as JSON values, when the invoker has them without parsing (in-process handlers'
   * results: json-value.ts); `payload` is then their JSON text. Read it with `payloadValue`.
   */
  readonly value?: unknown;
}

/** The payload as JSON values: `value` when the invoker has it, else the payload parsed (throws when it is not JSON). */
export function payloadValue(result: InvokeResult): unknown {
  return 'value' in result ? result.value : (JSON.parse(result.payload.toString('utf8')) as unknown);
}

/** What an invocation is given besides the function and its event. */
export interface InvokeOptions {
  readonly timeoutMs: number;
  readonly requestId: string;
}

/**
 * How an invocation ends, told once: `error` undefined and its result, or what the promise of `invoke`
 * would reject with. It may be told before `invokeThen` returns (an unknown function).
 */
export type InvokeDone = Told<InvokeResult>;

/** Calls functions. */
export interface FunctionInvoker {
  /**
   * Invokes `fn` with `event`; rejects with FunctionTimeoutError after `timeoutMs`, FunctionNotFoundError if unknown.
   * `event` must be a new tree of JSON values (no undefined, Buffers or shared objects): in-process
   * handlers receive it as is, other invokers serialise it.
   */
  invoke(fn: LambdaFunctionRef, event: unknown, options: InvokeOptions): Promise<InvokeResult>;
  /**
   * Optional: the same call, its outcome told to `done` instead of a promise of the invoker's own.
   * In-process handlers have it: a Lambda request then makes the handler's promise and one reaction
   * to it, as a bare server does, where the promise form made five. On Node 20 every promise also
   * runs the function scope's async hooks (function-scope.ts). Call it through `invokeThen` below.
   */
  invokeThen?(fn: LambdaFunctionRef, event: unknown, options: InvokeOptions, done: InvokeDone): void;
  close(): Promise<void>;
}

/**
 * Invokes through the invoker's `invokeThen` when it has one, else through its promise; `done` is told
 * once, what either throws included (a rejection with `undefined` is told as an Error).
 */
export function invokeThen(invoker: FunctionInvoker, fn: LambdaFunctionRef, event: unknown, options: InvokeOptions, done: InvokeDone): void {
  let told = false;
  const tell: InvokeDone = (error, result) => {
    if (told) return;
    told = true;
    done(error, result);
  };
  try {
    if (invoker.invokeThen) invoker.invokeThen(fn, event, options, tell);
    else invoker.invoke(fn, event, options).then((result) => tell(undefined, result), (error: unknown) => tell(failure(error)));
  } catch (error) {
    // Thrown by `done` itself once told: not the invocation's to swallow.
    if (told) throw error;
    tell(failure(error));
  }
}

/** A failure as told: `undefined` would read as success. */
const failure = (error: unknown): unknown => (error === undefined ? new Error('undefined') : error);

/** The function did not answer in time. */
export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}

/** No function of that name is registered / exists. */
export class FunctionNotFoundError extends Error {
  override name = 'FunctionNotFoundError';
}

/** The call itself failed (not the function's own error). */
export class FunctionInvokeError extends Error {
  override name = 'FunctionInvokeError';
}
