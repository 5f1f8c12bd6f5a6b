/**
 * Starts a real Gatehouse on port 0 with a fresh SQLite data directory, and an AWS SDK client for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiGatewayV2ClientConfig } from '@aws-sdk/client-apigatewayv2';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import type { Config } from '../../src/config.js';
import { loadConfig } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { quietLogger } from '../../src/logger.js';
import type { Gatehouse, ServerOptions } from '../../src/server.js';
import { createServer } from '../../src/server.js';

/** A started server, its SDK client and its data directory. */
export interface TestServer {
  readonly gatehouse: Gatehouse;
  readonly url: string;
  readonly client: ApiGatewayV2Client;
  readonly dataDir: string;
  readonly config: Config;
  /** Closes the server (keeps the data directory). */
  stop(): Promise<void>;
  /** Closes the server and removes its data directory. */
  close(): Promise<void>;
}

/** An SDK client for a server URL with dummy credentials and no retries (so errors surface as-is); `overrides` replace any of that. */
export function sdkClient(url: string, overrides: ApiGatewayV2ClientConfig = {}): ApiGatewayV2Client {
  return new ApiGatewayV2Client({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...overrides,
  });
}

/**
 * Starts a server; `dataDir` reuses a directory (restart tests), `args` are extra CLI flags, `env` its
 * environment variables, `logger` receives its log (default: errors only), `server` more createServer options.
 */
export async function startServer(
  options: { dataDir?: string; args?: string[]; env?: Record<string, string>; logger?: Logger; server?: Omit<ServerOptions, 'config' | 'logger'> } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const config = loadConfig(['--port', '0', '--data-dir', dataDir, ...(options.args ?? [])], options.env ?? {});
  const gatehouse = await createServer({ ...options.server, config, logger: options.logger ?? quietLogger });
  const client = sdkClient(gatehouse.url);
  const stop = async () => {
    client.destroy();
    await gatehouse.close();
  };
  return {
    gatehouse,
    url: gatehouse.url,
    client,
    dataDir,
    config,
    stop,
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A raw JSON request (for malformed input and the envelope format). */
export async function rawRequest(
  url: string,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const res = await fetch(url + path, { method, headers: options.headers ?? {}, ...(options.body === undefined ? {} : { body: options.body }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}
