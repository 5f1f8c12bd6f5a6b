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
import { FunctionNotFoundError } from './invoker.js';
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
  return {
    invoke(fn: LambdaFunctionRef, event, invokeOptions) {
      if (Object.hasOwn(options.functions, fn.functionName) || !remote) {
        if (!Object.hasOwn(options.functions, fn.functionName)) {
          const known = Object.keys(options.functions);
          return Promise.reject(
            new FunctionNotFoundError(
              `function ${fn.functionName} is not registered (known: ${known.length ? known.join(', ') : 'none'}); register it with --function ${fn.functionName}=./path.js#handler or set --lambda-endpoint`,
            ),
          );
        }
        return local.invoke(fn, event, invokeOptions);
      }
      return remote.invoke(fn, event, invokeOptions);
    },
    async close() {
      await Promise.all([local.close(), remote?.close()]);
    },
  };
}
