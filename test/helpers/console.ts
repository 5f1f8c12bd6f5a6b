/**
 * Helpers of the console tests: an HTTP API built through the SDK (routes that rank against each
 * other, a cached Lambda authorizer) and a reader of the console's server-sent events.
 */
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CreateApiCommand, CreateAuthorizerCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import type { LiveEntry } from '../../src/console/live.js';
import { fixture, lambdaArn } from './data-plane.js';

/** The `--function` flags the pets API needs. */
export const PETS_FUNCTIONS = ['--function', `echo=${fixture('echo.mjs')}`, '--function', `simple=${fixture('authorizers.mjs')}#simple`];

/** The routes of the pets API, in the order they are created. */
export const PETS_ROUTES = ['GET /pets/{id}', 'ANY /pets/dog', 'GET /pets/{proxy+}', 'POST /pets', 'GET /private'];

/** Creates the `pets` HTTP API (stage `prod`, auto-deployed); `GET /private` has a cached Lambda authorizer reading `x-token`. */
export async function createPetsApi(client: ApiGatewayV2Client, name = 'pets'): Promise<{ apiId: string; authorizerId: string }> {
  const apiId = (await client.send(new CreateApiCommand({ Name: name, ProtocolType: 'HTTP' }))).ApiId as string;
  const integrationId = (await client.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaArn('echo'), PayloadFormatVersion: '2.0' })))
    .IntegrationId as string;
  const authorizerId = (
    await client.send(
      new CreateAuthorizerCommand({
        ApiId: apiId,
        Name: 'token-check',
        AuthorizerType: 'REQUEST',
        AuthorizerUri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${lambdaArn('simple')}/invocations`,
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: ['$request.header.x-token'],
        AuthorizerResultTtlInSeconds: 300,
      }),
    )
  ).AuthorizerId as string;
  for (const key of PETS_ROUTES) {
    await client.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: key,
        Target: `integrations/${integrationId}`,
        ...(key === 'GET /private' ? { AuthorizationType: 'CUSTOM', AuthorizerId: authorizerId } : {}),
      }),
    );
  }
  await client.send(new CreateStageCommand({ ApiId: apiId, StageName: 'prod', AutoDeploy: true }));
  return { apiId, authorizerId };
}

/** An open `/_gatehouse/events` stream. */
export interface LiveStream {
  /** The first entry (from now on, or already received and not yet taken) that `accept` takes. */
  next(accept: (entry: LiveEntry) => boolean, ms?: number): Promise<LiveEntry>;
  /** Every entry received so far. */
  readonly received: readonly LiveEntry[];
  close(): void;
}

/** Opens the live request log of the server at `url`; resolves once the stream is open. */
export async function openLiveStream(url: string, headers: Record<string, string> = {}): Promise<LiveStream> {
  const abort = new AbortController();
  const res = await fetch(`${url}/_gatehouse/events`, { headers, signal: abort.signal });
  if (res.status !== 200 || !res.body) throw new Error(`events answered ${res.status}: ${await res.text()}`);
  const received: LiveEntry[] = [];
  const taken = new Set<LiveEntry>();
  const waiters = new Set<() => void>();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: request') && data) received.push(JSON.parse(data.slice(6)) as LiveEntry);
        }
        for (const w of waiters) w();
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    received,
    next(accept, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find((e) => !taken.has(e) && accept(e));
          if (!found) return false;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching live entry within ${ms} ms; received ${JSON.stringify(received.map((e) => `${e.method} ${e.path} ${e.status}`))}`));
        }, ms);
        if (!check()) waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
}
