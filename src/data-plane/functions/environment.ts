/**
 * The Lambda environment of a local function (README "Local functions"): the variables Lambda sets
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * the function's own `environment`, `timeout` and `memorySize` from the configuration file, and the
 * variables every function gets (PATH, LANG, TZ, the server's AWS credentials: config.ts).
 *
 * Worker mode: this is the worker's whole `process.env`. In-process mode: `scopeProcessEnv`
 * replaces `process.env` with a proxy that answers each function's code (its module's top level,
 * its invocations and everything they start: `functionScope`) from that function's own variables,
 * and everything else (the gateway) from the real environment. Concurrent invocations of different
 * functions therefore never see each other's variables, which swapping `process.env` around each
 * call could not promise; a function's own writes to `process.env` stay in its environment, as in a
 * warm Lambda execution environment.
 */
import { basename, dirname, extname } from 'node:path';
import { functionScope } from './function-scope.js';

/** Per-function settings of the configuration file (`functions: {name: {handler, environment, timeout, memorySize}}`). */
export interface FunctionSettings {
  /** Variables of this function, as Lambda's `Environment.Variables`. */
  readonly environment?: Readonly<Record<string, string>>;
  /** Seconds the function may run (Lambda: 1-900); the integration's timeout still applies when shorter. */
  readonly timeout?: number;
  /** `context.memoryLimitInMB` and AWS_LAMBDA_FUNCTION_MEMORY_SIZE (Lambda: 128-10240, default 128). Not enforced. */
  readonly memorySize?: number;
}

/** Lambda's default memory size. */
export const DEFAULT_MEMORY_SIZE = 128;

/**
 * Variables Lambda reserves: a function's `environment` may not set them (Lambda refuses them in
 * CreateFunction / UpdateFunctionConfiguration).
 */
export const RESERVED_VARIABLES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** What the environment of one function is made of. */
export interface EnvironmentSource {
  readonly functionName: string;
  /** Absolute path of the handler module. */
  readonly file: string;
  readonly exportName: string;
  readonly region: string;
  readonly settings: FunctionSettings | undefined;
  /** Variables every function gets (PATH, LANG, TZ, credentials), under the function's own. */
  readonly base: Readonly<Record<string, string>>;
}

/** The function's environment: `base`, then its own `environment`, then the variables Lambda sets. */
export function lambdaEnvironment(source: EnvironmentSource): Record<string, string> {
  const memory = source.settings?.memorySize ?? DEFAULT_MEMORY_SIZE;
  const module = basename(source.file, extname(source.file));
  return {
    ...source.base,
    ...source.settings?.environment,
    AWS_REGION: source.region,
    AWS_DEFAULT_REGION: source.region,
    AWS_LAMBDA_FUNCTION_NAME: source.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${source.functionName}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    // Lambda: `index.handler` for index.mjs's export handler, relative to the task root (the module's directory here).
    _HANDLER: `${module}.${source.exportName}`,
    LAMBDA_TASK_ROOT: dirname(source.file),
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0] ?? ''}.x`,
  };
}

let proxied: { readonly real: NodeJS.ProcessEnv; users: number } | undefined;

/**
 * In-process mode: from now on `process.env` is each function's own environment inside its scope,
 * and the real one elsewhere. Reference-counted; the returned function restores the real object
 * when the last user releases it.
 */
export function scopeProcessEnv(): () => void {
  if (!proxied) {
    const real = process.env;
    const current = (): Record<string, string | undefined> => functionScope.getStore()?.env ?? real;
    const own = (env: object, key: string | symbol) => Object.prototype.hasOwnProperty.call(env, key);
    process.env = new Proxy(real, {
      get: (_target, key) => Reflect.get(current(), key),
      set: (_target, key, value: unknown) => {
        const env = current();
        if (typeof key === 'string') env[key] = String(value);
        return true;
      },
      deleteProperty: (_target, key) => Reflect.deleteProperty(current(), key),
      has: (_target, key) => Reflect.has(current(), key),
      ownKeys: () => Reflect.ownKeys(current()),
      getOwnPropertyDescriptor: (_target, key) => {
        const env = current();
        if (!own(env, key)) return undefined;
        return { value: Reflect.get(env, key) as unknown, writable: true, enumerable: true, configurable: true };
      },
      defineProperty: (_target, key, descriptor) => {
        const env = current();
        if (typeof key === 'string' && 'value' in descriptor) env[key] = String(descriptor.value);
        return true;
      },
    });
    proxied = { real, users: 0 };
  }
  const hold = proxied;
  hold.users++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--hold.users === 0 && proxied === hold) {
      process.env = hold.real;
      proxied = undefined;
    }
  };
}
