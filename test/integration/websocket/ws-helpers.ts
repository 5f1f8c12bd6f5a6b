/**
 * Helpers of the WebSocket data-plane tests: a server with small timeouts, WebSocket APIs built
 * through the SDK, and promise wrappers around the `ws` client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CreateApiCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateRouteResponseCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import WebSocket from 'ws';
import { loadConfig } from '../../../src/config.js';
import { quietLogger } from '../../../src/logger.js';
import type { Gatehouse } from '../../../src/server.js';
import { createServer } from '../../../src/server.js';
import { sdkClient } from '../../helpers/server.js';

/** The WebSocket fixture module (test/fixtures/websocket/handlers.mjs). */
export const HANDLERS = fileURLToPath(new URL('../../../../test/fixtures/websocket/handlers.mjs', import.meta.url));

export const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** Events recorded by the fixture handlers (same process). */
export const recorded = (): Record<string, unknown>[] => ((globalThis as { __gatehouseWsEvents?: Record<string, unknown>[] }).__gatehouseWsEvents ??= []);
export const contextOf = (event: Record<string, unknown>) => event.requestContext as Record<string, unknown>;

/** Waits until `predicate` holds (polling), failing after `ms`. */
export async function waitFor<T>(what: string, probe: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The recorded event of `connectionId` with `eventType`. */
export const eventOf = (connectionId: string, eventType: string, routeKey?: string) =>
  waitFor(`${eventType} event of ${connectionId}`, () =>
    recorded().find((e) => contextOf(e).connectionId === connectionId && contextOf(e).eventType === eventType && (routeKey === undefined || contextOf(e).routeKey === routeKey)),
  );

export interface WsTestServer {
  readonly gatehouse: Gatehouse;
  readonly port: number;
  readonly client: ApiGatewayV2Client;
  close(): Promise<void>;
}

/** Starts a server with the fixture functions `ws` and `auth`. */
export async function startWsServer(
  options: { env?: Record<string, string>; idleTimeoutMs?: number; maxDurationMs?: number; clientCredentials?: { accessKeyId: string; secretAccessKey: string }; args?: readonly string[] } = {},
): Promise<WsTestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-ws-'));
  const args = ['--port', '0', '--data-dir', dataDir, '--access-log', 'stderr', '--function', `ws=${HANDLERS}#handler`, '--function', `auth=${HANDLERS}#authorizer`, '--function', `raw=${HANDLERS}#raw`];
  const config = loadConfig([...args, ...(options.args ?? [])], options.env ?? {});
  const websocket = { ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}), ...(options.maxDurationMs ? { maxDurationMs: options.maxDurationMs } : {}) };
  const gatehouse = await createServer({ config, logger: quietLogger, accessLog: () => undefined, websocket });
  const client = sdkClient(gatehouse.url, options.clientCredentials ? { credentials: options.clientCredentials } : {});
  return {
    gatehouse,
    port: gatehouse.port,
    client,
    async close() {
      client.destroy();
      await gatehouse.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A route of a test API: key, two-way or not, authorization. */
export interface RouteSpec {
  readonly key: string;
  readonly twoWay?: boolean;
  /** `routeResponseSelectionExpression: $default` without a route response (stays one-way). */
  readonly expressionOnly?: boolean;
  readonly integration?: 'ws' | 'mock' | 'none';
  readonly authorizationType?: 'CUSTOM' | 'AWS_IAM';
  readonly authorizerId?: string;
  readonly apiKeyRequired?: boolean;
}

/** Creates a WebSocket API with `routes`, deploys it to stage `prod`; resolves to its id. */
export async function createWsApi(client: ApiGatewayV2Client, routes: readonly RouteSpec[], setup?: (apiId: string) => Promise<Partial<Record<string, string>>>): Promise<string> {
  const apiId = (await client.send(new CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId as string;
  const ids = (await setup?.(apiId)) ?? {};
  const lambda = (await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('ws') }))).IntegrationId as string;
  const mock = (await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'MOCK' }))).IntegrationId as string;
  for (const spec of routes) {
    const target = spec.integration === 'none' ? undefined : `integrations/${spec.integration === 'mock' ? mock : lambda}`;
    const route = await client.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: spec.key,
        ...(target ? { Target: target } : {}),
        ...(spec.twoWay || spec.expressionOnly ? { RouteResponseSelectionExpression: '$default' } : {}),
        ...(spec.authorizationType ? { AuthorizationType: spec.authorizationType } : {}),
        ...(spec.authorizerId ? { AuthorizerId: ids[spec.authorizerId] ?? spec.authorizerId } : {}),
        ...(spec.apiKeyRequired ? { ApiKeyRequired: true } : {}),
      }),
    );
    if (spec.twoWay) await client.send(new CreateRouteResponseCommand({ ApiId: apiId, RouteId: route.RouteId, RouteResponseKey: '$default' }));
  }
  const { DeploymentId } = await client.send(new CreateDeploymentCommand({ ApiId: apiId }));
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', DeploymentId, StageVariables: { color: 'blue' } }));
  return apiId;
}

/** `ws://{apiId}.execute-api.localhost:{port}/{stage}` reached through 127.0.0.1 (Host header set). */
export function wsUrl(port: number, apiId: string, path = '/prod'): { url: string; headers: Record<string, string> } {
  return { url: `ws://127.0.0.1:${port}${path}`, headers: { host: `${apiId}.execute-api.localhost:${port}` } };
}

/** An open client socket that queues the text frames it receives. */
export interface TestSocket {
  readonly ws: WebSocket;
  next(ms?: number): Promise<string>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** Connects; rejects with `{status}` when the handshake is refused. */
export function connect(port: number, apiId: string, options: { path?: string; headers?: Record<string, string>; protocols?: string[]; url?: string } = {}): Promise<TestSocket> {
  const target = wsUrl(port, apiId, options.path);
  const ws = new WebSocket(options.url ?? target.url, options.protocols ?? [], { headers: options.url ? (options.headers ?? {}) : { ...target.headers, ...(options.headers ?? {}) } });
  const frames: string[] = [];
  const waiting: ((frame: string) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const frame = data.toString('utf8');
    const w = waiting.shift();
    if (w) w(frame);
    else frames.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    let refused = false;
    ws.once('unexpected-response', (_req, res) => {
      refused = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        ws.terminate();
      });
    });
    ws.on('error', (error) => {
      if (!refused) reject(error);
    });
    ws.once('open', () =>
      resolve({
        ws,
        closed,
        next(ms = 3000) {
          const frame = frames.shift();
          if (frame !== undefined) return Promise.resolve(frame);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error('no frame received')), ms);
            waiting.push((f) => {
              clearTimeout(timer);
              res(f);
            });
          });
        },
        async close() {
          if (ws.readyState === WebSocket.CLOSED) return;
          ws.close(1000);
          await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
          ws.terminate();
        },
      }),
    );
  });
}

/** The status of a refused handshake. */
export async function refusedStatus(p: Promise<TestSocket>): Promise<number> {
  try {
    const s = await p;
    await s.close();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

/**
 * A client of the `@connections` API of `apiId`'s `stage` on a server at 127.0.0.1:`port`, through the
 * path-style endpoint (`{apiId}.execute-api.localhost` does not resolve in Node). `fresh`: every call on
 * a new connection (so a `--workers` primary deals the calls to the workers in turn).
 */
export function managementClient(port: number, apiId: string, stage = 'prod', options: { fresh?: boolean } = {}): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint: `http://127.0.0.1:${port}/_aws/execute-api/${apiId}/${stage}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    ...(options.fresh ? { requestHandler: { httpAgent: { keepAlive: false } } } : {}),
  });
}
