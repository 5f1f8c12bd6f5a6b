/**
 * The function invoker the server uses: registered local handlers first; other functions go to
 * the Lambda Invoke API when an endpoint is configured; otherwise FunctionNotFoundError says how
 * to register the function.
 */
import type { Logger } from '../../logger.js';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import type { FunctionSettings } from './environment.js';
import type { OwnEndpoints } from './own-endpoints.js';
import type { FunctionInvoker } from './invoker.js';
import { FunctionNotFoundError, invokeThen } from './invoker.js';
import { createLambdaApiInvoker } from './lambda-api.js';
import { createLocalInvoker } from './local.js';

/** Options of the combined invoker (from Config). */
export interface FunctionInvokerOptions {
  readonly functions: Readonly<Record<string, string>>;
  readonly isolation: 'inprocess' | 'worker';
  readonly baseDir: string;
  /** Variables every local function gets (environment.ts). */
  readonly env?: Readonly<Record<string, string>>;
  /** Per-function `environment`, `timeout`, `memorySize`. */
  readonly settings?: Readonly<Record<string, FunctionSettings>>;
  /** Where crashes of function code and hot reloads are logged. */
  readonly logger?: Logger;
  /** The gateway's own names and listener, for function code's calls to `@connections` (own-endpoints.ts). */
  readonly ownEndpoints?: () => OwnEndpoints;
  readonly lambdaEndpoint: string | undefined;
  readonly lambdaCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string } | undefined;
  /** Hot reload of local functions (default true). */
  readonly reload?: boolean;
}

/** Creates the server's function invoker. */
export function createFunctionInvoker(options: FunctionInvokerOptions): FunctionInvoker {
  const local = createLocalInvoker({
    functions: options.functions,
    baseDir: options.baseDir,
    isolation: options.isolation,
    ...(options.env ? { env: options.env } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.ownEndpoints ? { ownEndpoints: options.ownEndpoints } : {}),
    ...(options.reload === false ? { reload: false } : {}),
  });
  const remote =
    options.lambdaEndpoint === undefined
      ? undefined
      : createLambdaApiInvoker({
          endpoint: options.lambdaEndpoint,
          credentials: options.lambdaCredentials ?? { accessKeyId: 'gatehouse', secretAccessKey: 'gatehouse' },
        });
  /** The invoker of `fn`, or why there is none. */
  const invokerOf = (fn: LambdaFunctionRef): FunctionInvoker | FunctionNotFoundError => {
    if (Object.hasOwn(options.functions, fn.functionName)) return local;
    if (remote) return remote;
    const known = Object.keys(options.functions);
    return new FunctionNotFoundError(
      `function ${fn.functionName} is not registered (known: ${known.length ? known.join(', ') : 'none'}); register it with --function ${fn.functionName}=./path.js#handler or set --lambda-endpoint`,
    );
  };
  return {
    invoke(fn: LambdaFunctionRef, event, invokeOptions) {
      const invoker = invokerOf(fn);
      return invoker instanceof Error ? Promise.reject(invoker) : invoker.invoke(fn, event, invokeOptions);
    },
    invokeThen(fn, event, invokeOptions, done) {
      const invoker = invokerOf(fn);
      if (invoker instanceof Error) return done(invoker);
      invokeThen(invoker, fn, event, invokeOptions, done);
    },
    async close() {
      await Promise.all([local.close(), remote?.close()]);
    },
  };
}
