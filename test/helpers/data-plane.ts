/**
 * Helpers for data-plane tests: build APIs through the SDK and call them through real sockets.
 */
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

/** Absolute path of an e2e fixture handler module. */
export const fixture = (name: string) => fileURLToPath(new URL(`../../../test/fixtures/e2e/${name}`, import.meta.url));

/** A Lambda function ARN for a local function name. */
export const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** A data-plane response. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** Calls the data plane with `Host: {apiId}.execute-api.localhost` (node:http, so Host can be set). */
export function call(
  port: number,
  apiId: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string | string[]>; body?: string | Buffer; host?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { host: options.host ?? `${apiId}.execute-api.localhost:${port}`, ...(options.headers ?? {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
