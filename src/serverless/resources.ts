/**
 * What a loaded serverless.yml becomes in API Gateway terms: the HTTP API and the WebSocket API
 * with their authorizers, integrations, routes, route responses and stage, each with an id derived
 * from the service, the stage and the resource's key, so a restart (or a reload) finds the same
 * resources and clients keep their URLs.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_ACCOUNT_ID } from '../model/account-region.js';
import type { IdKind } from '../model/ids.js';
import { ID_LENGTHS } from '../model/ids.js';
import type { ServerlessFunction, ServerlessProject } from './project.js';

/** A child resource (authorizer, integration, route, route response): its id and its Create members. */
export interface DesiredChild {
  readonly id: string;
  /** What the messages call it: `route GET /pets`, `authorizer petsJwt`. */
  readonly label: string;
  readonly members: Readonly<Record<string, unknown>>;
}

/** A route and its route responses. */
export interface DesiredRoute extends DesiredChild {
  readonly routeResponses: readonly DesiredChild[];
}

/** An integration and its integration responses. */
export interface DesiredIntegration extends DesiredChild {
  readonly integrationResponses?: readonly DesiredChild[];
}

/** A stage of an API. */
export interface DesiredStage {
  readonly stageName: string;
  readonly autoDeploy: boolean;
  /** Other Create/Update members (`stageVariables`, `defaultRouteSettings`, `routeSettings`, `description`). */
  readonly members?: Readonly<Record<string, unknown>>;
  /** Whether a stage that is not auto-deployed gets a new deployment after the API changed. */
  readonly deploy: boolean;
}

/** An OpenAPI definition the API is imported from (ReimportApi), as CloudFormation's `Body`. */
export interface DesiredDefinition {
  /** The document as JSON text. */
  readonly body: string;
  readonly basePath?: string;
  readonly failOnWarnings?: boolean;
}

/** One API of the project and everything under it. */
export interface DesiredApi {
  readonly apiId: string;
  readonly protocolType: 'HTTP' | 'WEBSOCKET';
  readonly members: Readonly<Record<string, unknown>>;
  readonly authorizers: readonly DesiredChild[];
  readonly integrations: readonly DesiredIntegration[];
  readonly routes: readonly DesiredRoute[];
  readonly models?: readonly DesiredChild[];
  /** HTTP: `$default`, deployed automatically; WebSocket: the stage's name, deployed after each change; a template's: its Stage resources. */
  readonly stages: readonly DesiredStage[];
  /** Stages the project does not define are deleted (a template's APIs). */
  readonly ownsStages?: boolean;
  /** Routes, integrations and authorizers come from this OpenAPI document instead of the lists above. */
  readonly definition?: DesiredDefinition;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** An id of `kind`'s length and alphabet derived from `parts` (the same parts give the same id). */
export function stableId(kind: IdKind, ...parts: readonly string[]): string {
  const digest = createHash('sha256').update(`gatehouse-serverless\0${kind}\0${parts.join('\0')}`).digest();
  let id = '';
  for (let i = 0; id.length < ID_LENGTHS[kind]; i++) id += ALPHABET[(digest[i] as number) % 36];
  return id;
}

/** The ids both APIs of a service and stage have (whether the project defines them or not). */
export function apiIds(service: string, stage: string): { http: string; webSocket: string } {
  return { http: stableId('api', service, stage, 'HTTP'), webSocket: stableId('api', service, stage, 'WEBSOCKET') };
}

/** Integration timeout from the function's (seconds), within the API type's limit. */
const timeoutMs = (fn: ServerlessFunction, max: number) => Math.min(fn.timeout * 1000, max);

/** The resources of `project`, with Lambda ARNs in `region`. */
export function desiredResources(project: ServerlessProject, region: string): DesiredApi[] {
  const byKey = new Map(project.functions.map((f) => [f.key, f]));
  const fn = (key: string) => byKey.get(key) as ServerlessFunction;
  const arn = (f: ServerlessFunction) => `arn:aws:lambda:${region}:${DEFAULT_ACCOUNT_ID}:function:${f.functionName}`;
  const invocation = (f: ServerlessFunction) => `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn(f)}/invocations`;
  const ids = apiIds(project.service, project.stage);
  const out: DesiredApi[] = [];

  if (project.httpApi) {
    const def = project.httpApi;
    const apiId = ids.http;
    const authorizers = def.authorizers.map((a): DesiredChild => {
      const id = stableId('authorizer', apiId, a.type, a.key);
      if (a.type === 'jwt') {
        return { id, label: `authorizer ${a.key}`, members: { name: a.name, authorizerType: 'JWT', identitySource: a.identitySource, jwtConfiguration: { issuer: a.issuerUrl, audience: a.audience } } };
      }
      return {
        id,
        label: `authorizer ${a.key}`,
        members: {
          name: a.name,
          authorizerType: 'REQUEST',
          authorizerUri: invocation(fn(a.functionKey)),
          identitySource: a.identitySource,
          authorizerPayloadFormatVersion: a.payloadVersion,
          enableSimpleResponses: a.enableSimpleResponses,
          authorizerResultTtlInSeconds: a.resultTtlInSeconds,
        },
      };
    });
    const authorizerOf = new Map(def.authorizers.map((a, i) => [a.key, { type: a.type, id: (authorizers[i] as DesiredChild).id }]));
    const used = [...new Set(def.routes.map((r) => r.functionKey))];
    const integrationId = (key: string) => stableId('integration', apiId, key);
    const integrations = used.map((key): DesiredChild => ({
      id: integrationId(key),
      label: `integration of function ${key}`,
      members: { integrationType: 'AWS_PROXY', integrationMethod: 'POST', integrationUri: arn(fn(key)), payloadFormatVersion: def.payload, timeoutInMillis: timeoutMs(fn(key), 30000) },
    }));
    const routes = def.routes.map((r): DesiredRoute => {
      const auth = r.authorization;
      const authorizer = auth?.type === 'authorizer' ? authorizerOf.get(auth.key) : undefined;
      const authorizationType = auth?.type === 'aws_iam' ? 'AWS_IAM' : authorizer ? (authorizer.type === 'jwt' ? 'JWT' : 'CUSTOM') : 'NONE';
      return {
        id: stableId('route', apiId, r.routeKey),
        label: `route ${r.routeKey}`,
        members: {
          routeKey: r.routeKey,
          target: `integrations/${integrationId(r.functionKey)}`,
          authorizationType,
          authorizerId: authorizer?.id ?? '',
          authorizationScopes: auth?.type === 'authorizer' ? auth.scopes : [],
        },
        routeResponses: [],
      };
    });
    const cors = def.cors
      ? {
          corsConfiguration: {
            allowOrigins: def.cors.allowOrigins,
            allowHeaders: def.cors.allowHeaders,
            allowMethods: def.cors.allowMethods,
            ...(def.cors.allowCredentials !== undefined ? { allowCredentials: def.cors.allowCredentials } : {}),
            ...(def.cors.exposeHeaders ? { exposeHeaders: def.cors.exposeHeaders } : {}),
            ...(def.cors.maxAge !== undefined ? { maxAge: def.cors.maxAge } : {}),
          },
        }
      : {};
    out.push({
      apiId,
      protocolType: 'HTTP',
      members: { name: def.name, protocolType: 'HTTP', ...cors },
      authorizers,
      integrations,
      routes,
      stages: [{ stageName: def.stageName ?? '$default', autoDeploy: true, deploy: false }],
    });
  }

  if (project.webSocketApi) {
    const def = project.webSocketApi;
    const apiId = ids.webSocket;
    const integrationId = (key: string) => stableId('integration', apiId, key);
    const used = [...new Set(def.routes.map((r) => r.functionKey))];
    const integrations = used.map((key): DesiredChild => ({
      id: integrationId(key),
      label: `integration of function ${key}`,
      members: { integrationType: 'AWS_PROXY', integrationMethod: 'POST', integrationUri: invocation(fn(key)), timeoutInMillis: timeoutMs(fn(key), 29000) },
    }));
    const authorizers: DesiredChild[] = [];
    const routes = def.routes.map((r): DesiredRoute => {
      const id = stableId('route', apiId, r.routeKey);
      let authorizerId = '';
      if (r.authorizer) {
        authorizerId = stableId('authorizer', apiId, 'request', r.authorizer.functionKey);
        authorizers.push({
          id: authorizerId,
          label: `authorizer ${r.authorizer.functionKey}`,
          members: { name: r.authorizer.functionKey, authorizerType: 'REQUEST', authorizerUri: invocation(fn(r.authorizer.functionKey)), identitySource: r.authorizer.identitySource },
        });
      }
      return {
        id,
        label: `route ${r.routeKey}`,
        members: {
          routeKey: r.routeKey,
          target: `integrations/${integrationId(r.functionKey)}`,
          authorizationType: r.authorizer ? 'CUSTOM' : 'NONE',
          authorizerId,
          routeResponseSelectionExpression: r.routeResponseSelectionExpression ?? '',
        },
        routeResponses: r.routeResponseSelectionExpression ? [{ id: stableId('routeResponse', apiId, r.routeKey, '$default'), label: `route response $default of ${r.routeKey}`, members: { routeResponseKey: '$default' } }] : [],
      };
    });
    out.push({
      apiId,
      protocolType: 'WEBSOCKET',
      members: { name: def.name, protocolType: 'WEBSOCKET', routeSelectionExpression: def.routeSelectionExpression, ...(def.description ? { description: def.description } : {}) },
      authorizers,
      integrations,
      routes,
      stages: [{ stageName: project.stage, autoDeploy: false, deploy: true }],
    });
  }
  return [...out, ...(project.apis ?? [])];
}
