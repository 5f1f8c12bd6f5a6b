/**
 * The `lambda` function invoker (DESIGN.md "Functions"): the AWS Lambda Invoke API, signed with
 * SigV4, against real AWS or any Lambda-compatible endpoint (the runtime interface emulator,
 * LocalStack). One keep-alive undici Pool per endpoint origin.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import type { Pool } from 'undici';
import { undici } from '../../undici.js';
import { signRequest } from '../../auth/sigv4.js';
import type { LambdaFunctionRef } from '../../model/lambda-arn.js';
import { FunctionInvokeError, FunctionNotFoundError, FunctionTimeoutError, type FunctionInvoker, type InvokeResult } from './invoker.js';

/** Options of the Lambda API invoker. */
export interface LambdaApiInvokerOptions {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Base URL, e.g. `http://localhost:9001`; defaults to `https://lambda.{region}.amazonaws.com`. */
  readonly endpoint?: string;
  /** Signing region and default-endpoint region; defaults to the function ARN's region. */
  readonly region?: string;
  /** Connections per endpoint (default 32). */
  readonly connections?: number;
}

/** An InvokeResult that also carries Lambda's `x-amzn-RequestId` (`$context.integration.requestId`). */
export type LambdaApiInvokeResult = InvokeResult & { readonly requestId?: string };

/** Creates the invoker. Nothing connects until the first invocation. */
export function createLambdaApiInvoker(options: LambdaApiInvokerOptions): FunctionInvoker {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new (undici().Pool)(origin, { connections: options.connections ?? 32 });
      pools.set(origin, pool);
    }
    return pool;
  };

  return {
    async invoke(fn: LambdaFunctionRef, event: unknown, { timeoutMs }: { readonly timeoutMs: number; readonly requestId: string }): Promise<LambdaApiInvokeResult> {
      const region = options.region ?? fn.region;
      const url = invokeUrl(options.endpoint ?? `https://lambda.${region}.amazonaws.com`, fn);
      const body = JSON.stringify(event) ?? 'null';
      const headers: Record<string, string> = {
        host: url.host,
        'content-type': 'application/json',
        'x-amz-invocation-type': 'RequestResponse',
      };
      Object.assign(headers, signRequest({ method: 'POST', url, headers: { ...headers }, body }, options.credentials, { region, service: 'lambda' }));
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        const res = await poolFor(url.origin).request({ method: 'POST', path: `${url.pathname}${url.search}`, headers, body, signal: abort.signal });
        const payload = Buffer.from(await res.body.arrayBuffer());
        const requestId = header(res.headers['x-amzn-requestid']);
        if (res.statusCode === 200) {
          const functionError = header(res.headers['x-amz-function-error']);
          return { payload, ...(functionError ? { functionError } : {}), ...(requestId ? { requestId } : {}) };
        }
        throw invokeError(res.statusCode, header(res.headers['x-amzn-errortype']), payload, fn);
      } catch (error) {
        if (abort.signal.aborted) throw new FunctionTimeoutError(`Function ${fn.functionName} timed out after ${timeoutMs} ms`, { cause: error });
        if (error instanceof FunctionNotFoundError || error instanceof FunctionInvokeError) throw error;
        throw new FunctionInvokeError(`Lambda Invoke of ${fn.functionName} failed: ${String(error)}`, { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },

    async close(): Promise<void> {
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.close()));
    },
  };
}

/**
 * `{endpoint}/2015-03-31/functions/{name}/invocations[?Qualifier=]`. The bare name is used (not
 * the ARN) so Lambda-compatible endpoints with another account id still find the function.
 */
export function invokeUrl(endpoint: string, fn: LambdaFunctionRef): URL {
  const base = endpoint.replace(/\/+$/, '');
  const url = new URL(`${base}/2015-03-31/functions/${encodeURIComponent(fn.functionName)}/invocations`);
  if (fn.qualifier) url.searchParams.set('Qualifier', fn.qualifier);
  return url;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Maps a non-200 Invoke answer: 404 ResourceNotFoundException is "no such function", the rest a failed call. */
function invokeError(status: number, errorType: string | undefined, payload: Buffer, fn: LambdaFunctionRef): Error {
  let message = '';
  let type = errorType?.split(':')[0];
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as { message?: unknown; Message?: unknown; Type?: unknown; __type?: unknown };
    const m = parsed.message ?? parsed.Message;
    if (typeof m === 'string') message = m;
    if (!type && typeof parsed.__type === 'string') type = parsed.__type.split('#').pop();
  } catch {
    message = payload.toString('utf8').slice(0, 200);
  }
  const text = `Lambda Invoke of ${fn.functionName} answered ${status}${type ? ` ${type}` : ''}${message ? `: ${message}` : ''}`;
  if (status === 404 && (type === undefined || type === 'ResourceNotFoundException')) return new FunctionNotFoundError(text);
  return new FunctionInvokeError(text);
}
