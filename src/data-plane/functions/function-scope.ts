/**
 * The scope of in-process function code: everything a handler runs (its module's top level, the
 * handler call, and every timer, promise and callback they start) carries the function it belongs
 * to. The crash guard attributes an uncaught error to a function with it, and the process.env proxy
 * serves each function its own environment. It is carried as AsyncLocalStorage carries a store, by a
 * hook of Gatehouse's own on Node 20 (src/async-scope.ts says why and how).
 */
import { asyncScope } from '../../async-scope.js';

/** What in-process function code runs under. */
export interface FunctionScope {
  readonly functionName: string;
  /** The function's environment (`process.env` as the function sees it; its writes stay in it). */
  readonly env: Record<string, string>;
  /** The running invocation's `awsRequestId`; absent while the module loads. */
  readonly requestId?: string;
  /** Fails the running invocation (an uncaught error while it runs, as Lambda reports it); absent when none runs. */
  readonly fail?: (error: unknown) => void;
}

/** The scope of the function code running now; `getStore()` is undefined outside function code. */
export const functionScope = asyncScope<FunctionScope>('gatehouse.functionScope');
