/**
 * Building blocks for the examples' prerequisites: each creates, through the SDK, a resource an
 * example refers to, and records which placeholder id of the example names it.
 */
import type { ApiGatewayV2, CreateApiRequest, CreateIntegrationRequest, CreateRouteRequest, CreateStageRequest } from '@aws-sdk/client-apigatewayv2';
import type { IdMap } from './harness.js';
import type { ExampleCommand } from './rst.js';

/** What a prerequisite builder works with. */
export interface Setup {
  readonly gw: ApiGatewayV2;
  readonly ids: IdMap;
  /** The temp directory `aws` runs in (relative `file://` paths and output files land here). */
  readonly dir: string;
}

/** A correction of the recorded output, applied only if the recording still says `recorded`. */
export interface Erratum {
  readonly command: number;
  readonly path: string;
  readonly recorded: unknown;
  readonly corrected: unknown;
  readonly why: string;
}

/** How to make one example file meaningful here. */
export interface ExampleSpec {
  /** Creates what the command (`command.index` within the file) refers to. */
  readonly setup?: (s: Setup, command: ExampleCommand) => Promise<void>;
  /** Arguments the command needs and the example left out, by command index. */
  readonly addArgs?: { readonly command: number; readonly args: readonly string[]; readonly why: string };
  readonly errata?: readonly Erratum[];
  /** Checks after the command (for commands whose effect is not their output). */
  readonly verify?: (s: Setup) => void;
  /** Why the example cannot be made meaningful against Gatehouse. */
  readonly skip?: string;
}

/** The examples' ACM certificate. */
export const CERT = 'arn:aws:acm:us-west-2:123456789012:certificate/123456789012-1234-1234-1234-12345678';
/** A Lambda function ARN for integrations the example does not spell out. */
export const LAMBDA = 'arn:aws:lambda:us-west-2:123456789012:function:my-function';
export const COGNITO = 'https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc123';

const must = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Error(`Gatehouse returned no ${what}`);
  return v;
};

/** An HTTP API named by `placeholder`. */
export async function httpApi(s: Setup, placeholder: string, input: Partial<CreateApiRequest> = {}): Promise<string> {
  const api = await s.gw.createApi({ Name: 'example-http-api', ProtocolType: 'HTTP', ...input });
  return s.ids.set(placeholder, must(api.ApiId, 'ApiId'));
}

/** A WebSocket API named by `placeholder`. */
export async function webSocketApi(s: Setup, placeholder: string, input: Partial<CreateApiRequest> = {}): Promise<string> {
  const api = await s.gw.createApi({ Name: 'example-websocket-api', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action', ...input });
  return s.ids.set(placeholder, must(api.ApiId, 'ApiId'));
}

/** The ARN of an API as the examples write it (region us-west-2), standing for the ARN of the real API here. */
export function apiArn(s: Setup, placeholder: string, apiId: string): void {
  s.ids.set(`arn:aws:apigateway:us-west-2::/apis/${placeholder}`, `arn:aws:apigateway:us-east-1::/apis/${apiId}`);
}

/** An integration (Lambda proxy, payload 2.0 unless `input` says otherwise). */
export async function integration(s: Setup, apiId: string, placeholder?: string, input: Partial<CreateIntegrationRequest> = {}): Promise<string> {
  const i = await s.gw.createIntegration({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0', ...input });
  const id = must(i.IntegrationId, 'IntegrationId');
  return placeholder === undefined ? id : s.ids.set(placeholder, id);
}

/** A route. */
export async function route(s: Setup, apiId: string, routeKey: string, placeholder?: string, input: Partial<CreateRouteRequest> = {}): Promise<string> {
  const r = await s.gw.createRoute({ ApiId: apiId, RouteKey: routeKey, ...input });
  const id = must(r.RouteId, 'RouteId');
  return placeholder === undefined ? id : s.ids.set(placeholder, id);
}

/** A route made the way imported routes are: by ReimportApi of a one-route OpenAPI definition (which replaces the API's routes, integrations and authorizers). */
export async function importedRoute(s: Setup, apiId: string, routeKey: string, placeholder: string, operationName: string): Promise<string> {
  const [method, path] = routeKey.split(' ') as [string, string];
  const body = JSON.stringify({ openapi: '3.0.1', info: { title: 'example-http-api', version: '1' }, paths: { [path]: { [method.toLowerCase()]: { operationId: operationName } } } });
  await s.gw.reimportApi({ ApiId: apiId, Body: body });
  const imported = (await s.gw.getRoutes({ ApiId: apiId })).Items?.find((r) => r.RouteKey === routeKey);
  return s.ids.set(placeholder, must(imported?.RouteId, 'RouteId'));
}

/** A route `GET /pets` to a Lambda integration, so that the API can be deployed. */
export async function petsRoute(s: Setup, apiId: string): Promise<void> {
  await route(s, apiId, 'GET /pets', undefined, { Target: `integrations/${await integration(s, apiId)}` });
}

/** A manual deployment. */
export async function deployment(s: Setup, apiId: string, placeholder?: string): Promise<string> {
  const d = await s.gw.createDeployment({ ApiId: apiId });
  const id = must(d.DeploymentId, 'DeploymentId');
  return placeholder === undefined ? id : s.ids.set(placeholder, id);
}

/** A stage. */
export async function stage(s: Setup, apiId: string, stageName: string, input: Partial<CreateStageRequest> = {}): Promise<void> {
  await s.gw.createStage({ ApiId: apiId, StageName: stageName, ...input });
}

/** The deployment a stage points at now. */
export async function stageDeployment(s: Setup, apiId: string, stageName: string): Promise<string> {
  return must((await s.gw.getStage({ ApiId: apiId, StageName: stageName })).DeploymentId, `DeploymentId of stage ${stageName}`);
}

/** A JWT authorizer. */
export async function jwtAuthorizer(
  s: Setup,
  apiId: string,
  placeholder: string,
  name: string,
  jwt: { audience: string; issuer: string; identitySource?: string },
): Promise<string> {
  const a = await s.gw.createAuthorizer({
    ApiId: apiId,
    Name: name,
    AuthorizerType: 'JWT',
    IdentitySource: [jwt.identitySource ?? '$request.header.Authorization'],
    JwtConfiguration: { Audience: [jwt.audience], Issuer: jwt.issuer },
  });
  return s.ids.set(placeholder, must(a.AuthorizerId, 'AuthorizerId'));
}

/** A regional custom domain name with the examples' certificate. */
export async function domainName(s: Setup, name: string, certificateArn = CERT): Promise<void> {
  await s.gw.createDomainName({ DomainName: name, DomainNameConfigurations: [{ CertificateArn: certificateArn }] });
}

/** An API mapping. */
export async function apiMapping(s: Setup, domain: string, apiId: string, stageName: string, key: string, placeholder: string): Promise<void> {
  const m = await s.gw.createApiMapping({ DomainName: domain, ApiId: apiId, Stage: stageName, ApiMappingKey: key });
  s.ids.set(placeholder, must(m.ApiMappingId, 'ApiMappingId'));
}

/**
 * The examples' subnets and security groups (`subnet-aaaa`, `sg1234`) are shortened stand-ins that EC2
 * would refuse as malformed; they stand for well-formed ids (`subnet-0aaaa000000000000`).
 */
export function networkIds(s: Setup): { subnets: string[]; securityGroups: string[] } {
  const ec2 = (prefix: string, placeholder: string, short: string) => s.ids.set(placeholder, `${prefix}-0${short.padEnd(16, '0')}`);
  return {
    subnets: [ec2('subnet', 'subnet-aaaa', 'aaaa'), ec2('subnet', 'subnet-bbbb', 'bbbb')],
    securityGroups: [ec2('sg', 'sg1234', '1234'), ec2('sg', 'sg5678', '5678')],
  };
}

/** A VPC link with the examples' subnets and security groups. */
export async function vpcLink(s: Setup, placeholder: string, name: string): Promise<void> {
  const { subnets, securityGroups } = networkIds(s);
  const link = await s.gw.createVpcLink({ Name: name, SubnetIds: subnets, SecurityGroupIds: securityGroups });
  s.ids.set(placeholder, must(link.VpcLinkId, 'VpcLinkId'));
}

/** The example's routing-rule body: base path `PetStoreShopper` to stage `prod` of the API `apiId`. */
export async function routingRule(s: Setup, domain: string, apiId: string, priority: number, placeholder: string): Promise<void> {
  const rule = await s.gw.createRoutingRule({
    DomainName: domain,
    Priority: priority,
    Conditions: [{ MatchBasePaths: { AnyOf: ['PetStoreShopper'] } }],
    Actions: [{ InvokeApi: { ApiId: apiId, Stage: 'prod' } }],
  });
  s.ids.set(placeholder, must(rule.RoutingRuleId, 'RoutingRuleId'));
}
