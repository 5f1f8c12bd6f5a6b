// Gatehouse as the benchmark uses it: the CLI in a child process, configured through the management API (the
// real server path: AWS SDK calls and ImportApi), and `gatehouse token` for the JWT row.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateIntegrationCommand,
  CreateRouteCommand,
  CreateStageCommand,
  ImportApiCommand,
} from '@aws-sdk/client-apigatewayv2';
import { thousandRoutes } from './openapi.mjs';
import { firstSuccess, get, start } from './procs.mjs';

const run = promisify(execFile);

/** Repository root (the CLI resolves `--function` paths against its working directory). */
export const ROOT = new URL('../..', import.meta.url).pathname;
export const CLI = join(ROOT, 'dist/bundle/cli/main.js');
export const FUNCTION_NAME = 'bench';
export const FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION_NAME}`;
/** The built-in OIDC issuer and the audience of the JWT row. */
export const ISSUER_NAME = 'bench';
export const AUDIENCE = 'bench';

/** `node dist/bundle/cli/main.js serve` (package.json "bin") on `port` with the bench function; no access log. */
export function startGatehouse({ port, dataDir, cpu, nodeArgs = [], args: extra = [] }) {
  const args = [
    ...nodeArgs,
    CLI, 'serve',
    '--port', String(port),
    '--data-dir', dataDir,
    '--access-log', '/dev/null',
    '--function', `${FUNCTION_NAME}=bench/handler.mjs#handler`,
    ...extra,
  ];
  return start(process.execPath, args, { cpu, cwd: ROOT });
}

/** Waits for `GET /_gatehouse/health` to answer 200. */
export async function waitHealthy(port, timeoutMs = 15_000) {
  await firstSuccess(port, '/_gatehouse/health', {}, performance.now() + timeoutMs);
}

/** The data-plane Host header of an API. */
export const hostOf = (apiId, port) => `${apiId}.execute-api.localhost:${port}`;

/**
 * Creates the APIs of the benchmark through the management API:
 * - `bench`: `GET /proxy` (HTTP_PROXY to the upstream), `GET /items/{id}` (AWS_PROXY 2.0, local function) and
 *   `GET /secure/{id}` (the same integration behind a JWT authorizer of the built-in issuer);
 * - `bench-1000`: ImportApi of a 1,000-route OpenAPI document, `GET /items/{id}` among them;
 * each with an auto-deployed `$default` stage.
 */
export async function createBenchApis(port, upstreamOrigin) {
  const client = new ApiGatewayV2Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  try {
    const apiId = (await client.send(new CreateApiCommand({ Name: 'bench', ProtocolType: 'HTTP' }))).ApiId;
    const proxy = await client.send(
      new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${upstreamOrigin}/proxy` }),
    );
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /proxy', Target: `integrations/${proxy.IntegrationId}` }));
    const lambda = await client.send(
      new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: FUNCTION_ARN, PayloadFormatVersion: '2.0' }),
    );
    await client.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /items/{id}', Target: `integrations/${lambda.IntegrationId}` }));
    const jwt = await client.send(
      new CreateAuthorizerCommand({
        ApiId: apiId,
        Name: 'bench-jwt',
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: issuerUrl(port), Audience: [AUDIENCE] },
      }),
    );
    await client.send(
      new CreateRouteCommand({
        ApiId: apiId,
        RouteKey: 'GET /secure/{id}',
        Target: `integrations/${lambda.IntegrationId}`,
        AuthorizationType: 'JWT',
        AuthorizerId: jwt.AuthorizerId,
      }),
    );
    await client.send(new CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));

    const started = performance.now();
    const imported = await client.send(new ImportApiCommand({ Body: JSON.stringify(thousandRoutes(FUNCTION_ARN)), FailOnWarnings: true }));
    await client.send(new CreateStageCommand({ ApiId: imported.ApiId, StageName: '$default', AutoDeploy: true }));
    return { apiId, apiId1000: imported.ApiId, importMs: performance.now() - started };
  } finally {
    client.destroy();
  }
}

/** The issuer URL of the bench issuer as the server advertises it. */
export const issuerUrl = (port) => `http://localhost:${port}/_gatehouse/oidc/${ISSUER_NAME}`;

/** Mints a token with `gatehouse token` (the CLI), valid for the JWT row. */
export async function mintToken(port, dataDir) {
  const { stdout } = await run(process.execPath, [
    CLI, 'token',
    '--issuer', ISSUER_NAME,
    '--aud', AUDIENCE,
    '--data-dir', dataDir,
    '--url', `http://localhost:${port}`,
  ], { cwd: ROOT, timeout: 30_000 });
  return stdout.trim();
}

/** Asserts a benchmark target answers `status` (so a row never measures a 404 or a 500 by mistake). */
export async function expectStatus(port, path, headers, status, what, timeoutMs = 2_000) {
  const res = await get(port, path, headers, timeoutMs);
  if (res.status !== status) throw new Error(`${what}: GET ${path} answered ${res.status}, expected ${status}: ${res.body.slice(0, 300)}`);
  return res;
}
