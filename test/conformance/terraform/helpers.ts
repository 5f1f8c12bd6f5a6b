/**
 * Shared helpers of the Terraform conformance suite: raw JSON calls to a real Gatehouse (the exact
 * members terraform-provider-aws sends), and assertions of AWS's outcomes as the provider reads them.
 * Evidence for every case is cited at the case; the digest is /work/research/terraform.md.
 */
import assert from 'node:assert/strict';
import type { TestServer } from '../../helpers/server.js';
import { rawRequest } from '../../helpers/server.js';

/** A control-plane answer: status, parsed body and `x-amzn-ErrorType`. */
export interface Wire {
  readonly status: number;
  readonly body: any;
  readonly type: string | undefined;
}

/** One raw JSON request to the management API (`body` is serialized as given, `""` and `{}` included). */
export async function call(s: TestServer, method: string, path: string, body?: unknown): Promise<Wire> {
  const res = await rawRequest(s.url, method, path, {
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: res.json, type: res.headers.get('x-amzn-errortype') ?? undefined };
}

/** Asserts a success status and returns the body. */
export function ok(res: Wire, status = 200): any {
  assert.equal(res.status, status, `expected ${status}, got ${res.status} ${res.type ?? ''}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Asserts AWS's refusal: status, error type and message (exact string, or a pattern where the text is not certain). */
export function refused(res: Wire, status: number, type: string, message: string | RegExp): void {
  assert.equal(res.status, status, `expected ${status} ${type}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.equal(res.type, type, `error type (message: ${JSON.stringify(res.body)})`);
  const text = (res.body as { message?: string } | undefined)?.message;
  if (typeof message === 'string') assert.equal(text, message);
  else assert.match(text ?? '', message);
}

/**
 * A string member the provider reads back as "" (`d.Set(k, output.X)` maps nil and "" alike):
 * AWS may omit it or send "", either reads as unset.
 */
export function assertUnset(value: unknown, what: string): void {
  assert.ok(value === undefined || value === '', `${what} should be unset, got ${JSON.stringify(value)}`);
}

/** A map or list member the provider reads back as empty (absent, `{}` or `[]`). */
export function assertEmpty(value: unknown, what: string): void {
  const empty = value === undefined || (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0);
  assert.ok(empty, `${what} should be empty, got ${JSON.stringify(value)}`);
}

/** Sorted copy, for set-typed attributes (the provider compares them as sets). */
export const sorted = (values: readonly string[] | undefined): string[] => [...(values ?? [])].sort();

/** Path label as the SDKs encode it (route keys, `$default`, ARNs). */
export const label = (value: string): string => encodeURIComponent(value);

/** Account, region and ARNs that the provider's configurations produce (the resources themselves live outside API Gateway). */
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const LAMBDA_INVOKE_ARN = `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:tf-acc-test/invocations`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/tf-acc-test`;
export const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:tf-acc-test`;
export const certificateArn = (n: number): string => `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5${n}`;
export const JWT_ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_AbCdEfGhI`;

/**
 * CreateApi as resourceAPICreate sends it: `apiKeySelectionExpression` and `routeSelectionExpression`
 * have schema defaults, so they are always sent (api.go, commit 00a35305).
 */
export async function createApi(s: TestServer, body: Record<string, unknown>): Promise<any> {
  const defaults = { apiKeySelectionExpression: '$request.header.x-api-key', routeSelectionExpression: '$request.method $request.path' };
  return ok(await call(s, 'POST', '/v2/apis', { ...defaults, ...body }), 201);
}

/** testAccAPIConfig_basicHTTP. */
export const httpApi = (s: TestServer, name = 'tf-acc-test-http'): Promise<any> => createApi(s, { name, protocolType: 'HTTP' });

/** testAccAPIConfig_basicWebSocket. */
export const wsApi = (s: TestServer, name = 'tf-acc-test-ws'): Promise<any> =>
  createApi(s, { name, protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.action' });

/**
 * CreateIntegration as resourceIntegrationCreate sends it: `connectionType`, `passthroughBehavior`
 * and `payloadFormatVersion` have schema defaults (INTERNET, WHEN_NO_MATCH, 1.0) and are always sent,
 * HTTP APIs included (integration.go, commit 3db496c3).
 */
export async function createIntegration(s: TestServer, apiId: string, body: Record<string, unknown>): Promise<any> {
  const defaults = { connectionType: 'INTERNET', passthroughBehavior: 'WHEN_NO_MATCH', payloadFormatVersion: '1.0' };
  return ok(await call(s, 'POST', `/v2/apis/${apiId}/integrations`, { ...defaults, ...body }), 201);
}

/** CreateRoute as resourceRouteCreate sends it: `apiKeyRequired` and `authorizationType` always (route.go, commit 0964ed39). */
export async function createRoute(s: TestServer, apiId: string, body: Record<string, unknown>): Promise<any> {
  return ok(await call(s, 'POST', `/v2/apis/${apiId}/routes`, { apiKeyRequired: false, authorizationType: 'NONE', ...body }), 201);
}

/** CreateStage as resourceStageCreate sends it: `autoDeploy` always (stage.go, commit 10afe5ab). */
export async function createStage(s: TestServer, apiId: string, body: Record<string, unknown>): Promise<any> {
  return ok(await call(s, 'POST', `/v2/apis/${apiId}/stages`, { autoDeploy: false, ...body }), 201);
}

/** testAccIntegrationConfig_basic: a WebSocket API with a MOCK integration. */
export async function wsApiWithMock(s: TestServer): Promise<{ apiId: string; integrationId: string }> {
  const api = await wsApi(s);
  const integration = await createIntegration(s, api.apiId, { integrationType: 'MOCK' });
  return { apiId: api.apiId as string, integrationId: integration.integrationId as string };
}

/** testAccDomainNameConfig_basic: a REGIONAL TLS_1_2 domain name on an imported ACM certificate. */
export async function createDomainName(s: TestServer, domainName: string, extra: Record<string, unknown> = {}): Promise<any> {
  return ok(
    await call(s, 'POST', '/v2/domainnames', {
      domainName,
      domainNameConfigurations: [{ certificateArn: certificateArn(0), endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' }],
      ...extra,
    }),
    201,
  );
}

/**
 * An HTTP_PROXY integration needed by another resource's test, created with only the members AWS needs:
 * the provider's exact CreateIntegration is covered by integration.test.ts, and a dependency should not
 * mask the behaviour under test.
 */
export async function dependencyHttpProxy(s: TestServer, apiId: string): Promise<string> {
  const body = { integrationType: 'HTTP_PROXY', integrationMethod: 'GET', integrationUri: 'https://example.com/', payloadFormatVersion: '1.0' };
  return ok(await call(s, 'POST', `/v2/apis/${apiId}/integrations`, body), 201).integrationId as string;
}
