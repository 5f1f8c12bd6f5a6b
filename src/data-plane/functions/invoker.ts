/**
 * Function invokers: how a Lambda function named by an integration or authorizer URI is called
 * (DESIGN.md "Functions"). `local` runs registered Node.js handlers; `lambda` calls the Lambda
 * Invoke API.
 */
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';

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

/** Calls functions. */
export interface FunctionInvoker {
  /**
   * Invokes `fn` with `event`; rejects with FunctionTimeoutError after `timeoutMs`, FunctionNotFoundError if unknown.
   * `event` must be a new tree of JSON values (no undefined, Buffers or shared objects): in-process
   * handlers receive it as is, other invokers serialise it.
   */
  invoke(fn: LambdaFunctionRef, event: unknown, options: { readonly timeoutMs: number; readonly requestId: string }): Promise<InvokeResult>;
  close(): Promise<void>;
}

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
