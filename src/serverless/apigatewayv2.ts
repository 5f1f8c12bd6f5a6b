/**
 * The `AWS::ApiGatewayV2::*` resources of a CloudFormation template (Api, Route, Integration,
 * Authorizer, Stage, Deployment, RouteResponse, IntegrationResponse, Model) in the management API's
 * terms: each becomes the resource its CloudFormation type creates, with an id derived from the stack
 * name and its logical id (so `Ref` gives, at load, the id the resource will have, and a restart finds
 * it again). Property names are CloudFormation's; one the type does not have is an error naming the
 * logical id and the property. Properties that configure only AWS (tags, IAM roles, access-log
 * destinations, client certificates) are accepted and named in a start-up note.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_ApiGatewayV2.html
 */
import type { IdKind } from '../model/ids.js';
import type { DesiredApi, DesiredChild, DesiredDefinition, DesiredIntegration, DesiredRoute, DesiredStage } from './resources.js';
import { stableId } from './resources.js';
import type { KeyPath } from './variables.js';

/**
 * Per resource, the optional members an Update clears with `""` (control-plane/input.ts
 * CLEARED_BY_EMPTY) and the management API does not default: what a template that drops one
 * turns back to unset on reload. Members the API defaults (integrationMethod, payload versions,
 * templateSelectionExpression, ...) are left out: `""` would fight the default on every restart.
 */
const CLEARABLE = {
  api: ['description', 'version'],
  authorizer: ['authorizerCredentialsArn', 'identityValidationExpression'],
  integration: ['connectionId', 'credentialsArn', 'description'],
  integrationResponse: [],
  route: ['authorizerId', 'modelSelectionExpression', 'operationName', 'routeResponseSelectionExpression', 'target'],
  routeResponse: ['modelSelectionExpression'],
  model: ['description'],
  stage: ['description'],
} as const satisfies Record<string, readonly string[]>;

/** What the resource mapping needs of the template loader. */
export interface TemplateScope {
  readonly stack: string;
  fail(path: KeyPath, message: string): never;
  /** The value with its intrinsic functions evaluated. */
  evaluate(value: unknown, path: KeyPath): unknown;
  /** A start-up log line. */
  note(text: string): void;
  /** An OpenAPI document given by `BodyS3Location` (a local path, or an S3 object of `assetPaths`) as JSON text. */
  definitionFile(value: unknown, path: KeyPath): string;
}

type Resource = Readonly<Record<string, unknown>>;
type Props = Record<string, unknown>;

export const API_TYPES = {
  Api: 'AWS::ApiGatewayV2::Api',
  Route: 'AWS::ApiGatewayV2::Route',
  Integration: 'AWS::ApiGatewayV2::Integration',
  Authorizer: 'AWS::ApiGatewayV2::Authorizer',
  Stage: 'AWS::ApiGatewayV2::Stage',
  Deployment: 'AWS::ApiGatewayV2::Deployment',
  RouteResponse: 'AWS::ApiGatewayV2::RouteResponse',
  IntegrationResponse: 'AWS::ApiGatewayV2::IntegrationResponse',
  Model: 'AWS::ApiGatewayV2::Model',
} as const;

/** Per type: the properties applied, those accepted and only noted, and those required. */
const PROPERTIES: Readonly<Record<string, { applied: readonly string[]; noted: readonly string[]; required: readonly string[] }>> = {
  [API_TYPES.Api]: {
    applied: [
      'Name', 'ProtocolType', 'RouteSelectionExpression', 'ApiKeySelectionExpression', 'CorsConfiguration', 'Description', 'DisableExecuteApiEndpoint',
      'DisableSchemaValidation', 'Version', 'IpAddressType', 'Body', 'BodyS3Location', 'BasePath', 'FailOnWarnings', 'Target', 'RouteKey',
    ],
    noted: ['Tags', 'CredentialsArn'],
    required: [],
  },
  [API_TYPES.Route]: {
    applied: ['ApiId', 'RouteKey', 'Target', 'AuthorizationType', 'AuthorizerId', 'AuthorizationScopes', 'ApiKeyRequired', 'ModelSelectionExpression', 'OperationName', 'RequestModels', 'RequestParameters', 'RouteResponseSelectionExpression'],
    noted: [],
    required: ['ApiId', 'RouteKey'],
  },
  [API_TYPES.Integration]: {
    applied: [
      'ApiId', 'IntegrationType', 'IntegrationUri', 'IntegrationMethod', 'IntegrationSubtype', 'ConnectionType', 'ConnectionId', 'ContentHandlingStrategy', 'CredentialsArn',
      'Description', 'PassthroughBehavior', 'PayloadFormatVersion', 'RequestParameters', 'RequestTemplates', 'ResponseParameters', 'TemplateSelectionExpression', 'TimeoutInMillis', 'TlsConfig',
    ],
    noted: [],
    required: ['ApiId', 'IntegrationType'],
  },
  [API_TYPES.Authorizer]: {
    applied: ['ApiId', 'Name', 'AuthorizerType', 'AuthorizerUri', 'IdentitySource', 'IdentityValidationExpression', 'AuthorizerPayloadFormatVersion', 'AuthorizerResultTtlInSeconds', 'EnableSimpleResponses', 'JwtConfiguration'],
    noted: ['AuthorizerCredentialsArn'],
    required: ['ApiId', 'Name', 'AuthorizerType'],
  },
  [API_TYPES.Stage]: {
    applied: ['ApiId', 'StageName', 'AutoDeploy', 'DeploymentId', 'Description', 'StageVariables', 'DefaultRouteSettings', 'RouteSettings'],
    noted: ['AccessLogSettings', 'AccessPolicyId', 'ClientCertificateId', 'Tags'],
    required: ['ApiId', 'StageName'],
  },
  [API_TYPES.Deployment]: { applied: ['ApiId', 'Description', 'StageName'], noted: [], required: ['ApiId'] },
  [API_TYPES.RouteResponse]: { applied: ['ApiId', 'RouteId', 'RouteResponseKey', 'ModelSelectionExpression', 'ResponseModels', 'ResponseParameters'], noted: [], required: ['ApiId', 'RouteId', 'RouteResponseKey'] },
  [API_TYPES.IntegrationResponse]: {
    applied: ['ApiId', 'IntegrationId', 'IntegrationResponseKey', 'ContentHandlingStrategy', 'ResponseParameters', 'ResponseTemplates', 'TemplateSelectionExpression'],
    noted: [],
    required: ['ApiId', 'IntegrationId', 'IntegrationResponseKey'],
  },
  [API_TYPES.Model]: { applied: ['ApiId', 'Name', 'Schema', 'ContentType', 'Description'], noted: [], required: ['ApiId', 'Name', 'Schema'] },
};

/** The attributes `Fn::GetAtt` gives per type (besides ApiEndpoint, computed by the loader). */
const ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  [API_TYPES.Api]: ['ApiId', 'ApiEndpoint'],
  [API_TYPES.Route]: ['RouteId'],
  [API_TYPES.Integration]: ['IntegrationId'],
  [API_TYPES.Authorizer]: ['AuthorizerId'],
  [API_TYPES.Deployment]: ['DeploymentId'],
  [API_TYPES.RouteResponse]: ['RouteResponseId'],
  [API_TYPES.IntegrationResponse]: ['IntegrationResponseId'],
  [API_TYPES.Model]: ['ModelId'],
  [API_TYPES.Stage]: [],
};

const ID_KIND: Readonly<Record<string, IdKind>> = {
  [API_TYPES.Api]: 'api',
  [API_TYPES.Route]: 'route',
  [API_TYPES.Integration]: 'integration',
  [API_TYPES.Authorizer]: 'authorizer',
  [API_TYPES.Deployment]: 'deployment',
  [API_TYPES.RouteResponse]: 'routeResponse',
  [API_TYPES.IntegrationResponse]: 'integrationResponse',
  [API_TYPES.Model]: 'model',
};

export const isApiGatewayV2Type = (type: string): boolean => Object.values(API_TYPES).includes(type as (typeof API_TYPES)[keyof typeof API_TYPES]);

/** The id a resource of `type` with `logicalId` has (Ref's value; a Stage's is its StageName, read by the loader). */
export function physicalId(stack: string, type: string, logicalId: string): string {
  const kind = ID_KIND[type];
  if (!kind) throw new Error(`no id for ${type}`);
  return stableId(kind, 'cloudformation', stack, logicalId);
}

/** The attributes `Fn::GetAtt` reads of a resource of `type`. */
export function attributesOf(type: string): readonly string[] {
  return ATTRIBUTES[type] ?? [];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** `{DataTraceEnabled: true}` → `{dataTraceEnabled: true}`, one level (CloudFormation's nested property names). */
const camelKeys = (value: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(value).map(([k, v]) => [lowerFirst(k), v]));

interface Loaded {
  readonly id: string;
  readonly type: string;
  readonly path: KeyPath;
  readonly props: Props;
  /** The id of the Api it belongs to (the Api's own for an Api). */
  readonly apiId: string;
}

/** Maps the template's AWS::ApiGatewayV2 resources (`resources`: logical id → resource) to the APIs they define. */
export function templateApis(scope: TemplateScope, resources: Readonly<Record<string, Resource>>): DesiredApi[] {
  const { stack } = scope;
  const ids = new Map<string, { type: string; logicalId: string }>();
  for (const [logicalId, r] of Object.entries(resources)) {
    if (r.Type !== API_TYPES.Stage && ID_KIND[r.Type as string]) ids.set(physicalId(stack, r.Type as string, logicalId), { type: r.Type as string, logicalId });
  }
  const refOf = (value: unknown, path: KeyPath, type: string, apiId?: string): string => {
    const found = typeof value === 'string' ? ids.get(value) : undefined;
    const short = type.split('::')[2] as string;
    const candidates = [...ids.entries()].filter(([id, v]) => v.type === type && (apiId === undefined || loadedOf(id)?.apiId === apiId)).map(([, v]) => v.logicalId);
    if (!found || found.type !== type || (apiId !== undefined && loadedOf(value as string)?.apiId !== apiId)) {
      scope.fail(path, `must be the Ref of an ${type} of this template${apiId !== undefined ? ' on the same API' : ''} (${short}s: ${candidates.join(', ') || 'none'}), got ${JSON.stringify(value)}`);
    }
    return value as string;
  };
  const loaded = new Map<string, Loaded>();
  const loadedOf = (physical: string): Loaded | undefined => {
    const entry = ids.get(physical);
    return entry ? loaded.get(entry.logicalId) : undefined;
  };

  // Properties: checked, evaluated (the ones only noted are not, so a Ref of an IAM role does not matter).
  const ordered = Object.entries(resources).filter(([, r]) => isApiGatewayV2Type(r.Type as string));
  ordered.sort(([, a], [, b]) => Number(b.Type === API_TYPES.Api) - Number(a.Type === API_TYPES.Api));
  for (const [logicalId, r] of ordered) {
    const type = r.Type as string;
    const base = ['Resources', logicalId, 'Properties'];
    const spec = PROPERTIES[type] as (typeof PROPERTIES)[string];
    if (r.Properties !== undefined && !isObject(r.Properties)) scope.fail(base, 'must be an object of properties');
    const raw = (r.Properties ?? {}) as Props;
    for (const key of Object.keys(raw)) {
      if (!spec.applied.includes(key) && !spec.noted.includes(key)) scope.fail([...base, key], `is not a property of ${type} (properties: ${[...spec.applied, ...spec.noted].sort().join(', ')})`);
      if (spec.noted.includes(key)) scope.note(`${logicalId}: ${key} is accepted and not applied by Gatehouse (it configures AWS only)`);
    }
    for (const key of spec.required) if (raw[key] === undefined) scope.fail(base, `${type} needs ${key}`);
    const props: Props = {};
    for (const key of spec.applied) {
      if (raw[key] === undefined) continue;
      const value = scope.evaluate(raw[key], [...base, key]);
      if (value !== undefined) props[key] = value;
    }
    const apiId = type === API_TYPES.Api ? physicalId(stack, type, logicalId) : refOf(props.ApiId, [...base, 'ApiId'], API_TYPES.Api);
    loaded.set(logicalId, { id: logicalId, type, path: base, props, apiId });
  }

  const str = (l: Loaded, key: string): string | undefined => {
    const v = l.props[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') scope.fail([...l.path, key], `must be a string, got ${JSON.stringify(v)}`);
    return v;
  };
  const bool = (l: Loaded, key: string): boolean | undefined => {
    const v = l.props[key];
    if (v === undefined) return undefined;
    if (v === 'true' || v === 'false') return v === 'true';
    if (typeof v !== 'boolean') scope.fail([...l.path, key], `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  const int = (l: Loaded, key: string): number | undefined => {
    const v = l.props[key];
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) scope.fail([...l.path, key], `must be a whole number, got ${JSON.stringify(v)}`);
    return n;
  };
  const list = (l: Loaded, key: string): string[] | undefined => {
    const v = l.props[key];
    if (v === undefined) return undefined;
    const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : undefined;
    if (!items || items.some((s) => typeof s !== 'string')) scope.fail([...l.path, key], `must be a list of strings, got ${JSON.stringify(v)}`);
    return items as string[];
  };
  const json = (l: Loaded, key: string): Record<string, unknown> | undefined => {
    const v = l.props[key];
    if (v === undefined) return undefined;
    const parsed = typeof v === 'string' ? parseJson(v) : v;
    if (!isObject(parsed)) scope.fail([...l.path, key], `must be an object, got ${JSON.stringify(v)}`);
    return parsed;
  };
  const object = (l: Loaded, key: string, known: readonly string[]): Record<string, unknown> | undefined => {
    const v = json(l, key);
    if (v === undefined) return undefined;
    for (const k of Object.keys(v)) if (!known.includes(k)) scope.fail([...l.path, key, k], `is not a property of ${key} (properties: ${known.join(', ')})`);
    return camelKeys(v);
  };
  /**
   * Members without the undefined ones; with `update` (CLEARABLE), the members listed there are `""`
   * when absent, so that a reload clears what the file dropped (the applier leaves `""` out of
   * creates, and out of updates where the resource has no value either).
   */
  const members = (m: Record<string, unknown>, update?: readonly string[]) =>
    Object.fromEntries(Object.entries(m).flatMap(([k, v]) => (v !== undefined ? [[k, v]] : update?.includes(k) ? [[k, '']] : [])));
  const of = (apiId: string, type: string) => [...loaded.values()].filter((l) => l.apiId === apiId && l.type === type);
  const idOf = (l: Loaded) => physicalId(stack, l.type, l.id);

  const out: DesiredApi[] = [];
  for (const api of [...loaded.values()].filter((l) => l.type === API_TYPES.Api)) {
    const apiId = api.apiId;
    const body = api.props.Body;
    const bodyLocation = api.props.BodyS3Location;
    if (body !== undefined && bodyLocation !== undefined) scope.fail([...api.path, 'BodyS3Location'], 'give the OpenAPI definition in Body or in BodyS3Location, not both');
    let definition: DesiredDefinition | undefined;
    if (body !== undefined || bodyLocation !== undefined) {
      const text = body !== undefined ? (typeof body === 'string' ? body : JSON.stringify(body)) : scope.definitionFile(bodyLocation, [...api.path, 'BodyS3Location']);
      const children = [...loaded.values()].find((l) => l.apiId === apiId && [API_TYPES.Route, API_TYPES.Integration, API_TYPES.Authorizer].includes(l.type as 'AWS::ApiGatewayV2::Route'));
      if (children) scope.fail(['Resources', children.id, 'Properties', 'ApiId'], `the API ${api.id} is imported from an OpenAPI definition (${body !== undefined ? 'Body' : 'BodyS3Location'}); API Gateway does not combine a definition with ${children.type} resources: define the route in the definition`);
      const basePath = str(api, 'BasePath');
      const failOnWarnings = bool(api, 'FailOnWarnings');
      definition = { body: text, ...(basePath ? { basePath } : {}), ...(failOnWarnings ? { failOnWarnings } : {}) };
    } else if (api.props.BasePath !== undefined) {
      scope.fail([...api.path, 'BasePath'], 'applies to an OpenAPI import; add Body or BodyS3Location, or remove it');
    }
    const protocolType = str(api, 'ProtocolType') ?? (definition ? 'HTTP' : undefined);
    if (protocolType === undefined) scope.fail(api.path, `${API_TYPES.Api} needs ProtocolType (HTTP or WEBSOCKET) unless it is imported from Body or BodyS3Location`);
    if (protocolType !== 'HTTP' && protocolType !== 'WEBSOCKET') scope.fail([...api.path, 'ProtocolType'], `must be HTTP or WEBSOCKET, got ${protocolType}`);
    if (definition && protocolType !== 'HTTP') scope.fail([...api.path, 'ProtocolType'], 'an OpenAPI definition (Body, BodyS3Location) defines an HTTP API; WebSocket APIs are defined with Route and Integration resources');
    const title = definition ? definitionTitle(definition.body) : undefined;
    const name = str(api, 'Name') ?? title;
    if (name === undefined) scope.fail(api.path, `${API_TYPES.Api} needs Name unless it is imported from Body or BodyS3Location`);
    if (protocolType === 'WEBSOCKET' && api.props.RouteSelectionExpression === undefined) scope.fail(api.path, 'a WEBSOCKET API needs RouteSelectionExpression (such as $request.body.action)');
    for (const key of ['Target', 'RouteKey', 'CorsConfiguration'] as const) {
      if (protocolType === 'WEBSOCKET' && api.props[key] !== undefined) scope.fail([...api.path, key], 'is supported only for HTTP APIs');
    }
    const cors = object(api, 'CorsConfiguration', ['AllowCredentials', 'AllowHeaders', 'AllowMethods', 'AllowOrigins', 'ExposeHeaders', 'MaxAge']);
    const apiMembers = members({
      name,
      protocolType,
      routeSelectionExpression: str(api, 'RouteSelectionExpression'),
      apiKeySelectionExpression: str(api, 'ApiKeySelectionExpression'),
      description: str(api, 'Description'),
      disableExecuteApiEndpoint: bool(api, 'DisableExecuteApiEndpoint'),
      disableSchemaValidation: bool(api, 'DisableSchemaValidation'),
      version: str(api, 'Version'),
      ipAddressType: str(api, 'IpAddressType'),
      corsConfiguration: cors,
    }, CLEARABLE.api);

    // Every response names a route or integration of the same API (checked here also when the API has none).
    for (const rr of of(apiId, API_TYPES.RouteResponse)) refOf(rr.props.RouteId, [...rr.path, 'RouteId'], API_TYPES.Route, apiId);
    for (const ir of of(apiId, API_TYPES.IntegrationResponse)) refOf(ir.props.IntegrationId, [...ir.path, 'IntegrationId'], API_TYPES.Integration, apiId);
    const authorizers: DesiredChild[] = of(apiId, API_TYPES.Authorizer).map((a) => {
      const jwt = object(a, 'JwtConfiguration', ['Audience', 'Issuer']);
      return {
        id: idOf(a),
        label: `authorizer ${a.id}`,
        members: members({
          name: str(a, 'Name'),
          authorizerType: str(a, 'AuthorizerType'),
          authorizerUri: str(a, 'AuthorizerUri'),
          identitySource: list(a, 'IdentitySource'),
          identityValidationExpression: str(a, 'IdentityValidationExpression'),
          authorizerPayloadFormatVersion: str(a, 'AuthorizerPayloadFormatVersion'),
          authorizerResultTtlInSeconds: int(a, 'AuthorizerResultTtlInSeconds'),
          enableSimpleResponses: bool(a, 'EnableSimpleResponses'),
          jwtConfiguration: jwt,
        }, CLEARABLE.authorizer),
      };
    });
    const integrationIds = new Set(of(apiId, API_TYPES.Integration).map(idOf));
    const integrations: DesiredIntegration[] = of(apiId, API_TYPES.Integration).map((i) => {
      const tls = object(i, 'TlsConfig', ['ServerNameToVerify']);
      const responses = of(apiId, API_TYPES.IntegrationResponse).filter((r) => refOf(r.props.IntegrationId, [...r.path, 'IntegrationId'], API_TYPES.Integration, apiId) === idOf(i));
      return {
        id: idOf(i),
        label: `integration ${i.id}`,
        members: members({
          integrationType: str(i, 'IntegrationType'),
          integrationUri: str(i, 'IntegrationUri'),
          integrationMethod: str(i, 'IntegrationMethod'),
          integrationSubtype: str(i, 'IntegrationSubtype'),
          connectionType: str(i, 'ConnectionType'),
          connectionId: str(i, 'ConnectionId'),
          contentHandlingStrategy: str(i, 'ContentHandlingStrategy'),
          credentialsArn: str(i, 'CredentialsArn'),
          description: str(i, 'Description'),
          passthroughBehavior: str(i, 'PassthroughBehavior'),
          payloadFormatVersion: str(i, 'PayloadFormatVersion'),
          requestParameters: json(i, 'RequestParameters'),
          requestTemplates: json(i, 'RequestTemplates'),
          responseParameters: json(i, 'ResponseParameters'),
          templateSelectionExpression: str(i, 'TemplateSelectionExpression'),
          timeoutInMillis: int(i, 'TimeoutInMillis'),
          tlsConfig: tls,
        }, CLEARABLE.integration),
        integrationResponses: responses.map((r) => ({
          id: idOf(r),
          label: `integration response ${r.id}`,
          members: members({
            integrationResponseKey: str(r, 'IntegrationResponseKey'),
            contentHandlingStrategy: str(r, 'ContentHandlingStrategy'),
            responseParameters: json(r, 'ResponseParameters'),
            responseTemplates: json(r, 'ResponseTemplates'),
            templateSelectionExpression: str(r, 'TemplateSelectionExpression'),
          }, CLEARABLE.integrationResponse),
        })),
      };
    });
    const authorizerIds = new Set(authorizers.map((a) => a.id));
    const routes: DesiredRoute[] = of(apiId, API_TYPES.Route).map((r) => {
      const target = str(r, 'Target');
      if (target !== undefined) {
        const m = /^integrations\/(.+)$/.exec(target);
        if (!m || !integrationIds.has(m[1] as string)) {
          scope.fail([...r.path, 'Target'], `must be integrations/ followed by the Ref of an ${API_TYPES.Integration} of the same API (such as !Sub integrations/\${MyIntegration}), got ${JSON.stringify(target)}`);
        }
      }
      const authorizerId = str(r, 'AuthorizerId');
      if (authorizerId !== undefined && !authorizerIds.has(authorizerId)) refOf(authorizerId, [...r.path, 'AuthorizerId'], API_TYPES.Authorizer, apiId);
      const responses = of(apiId, API_TYPES.RouteResponse).filter((rr) => refOf(rr.props.RouteId, [...rr.path, 'RouteId'], API_TYPES.Route, apiId) === idOf(r));
      return {
        id: idOf(r),
        label: `route ${String(r.props.RouteKey)}`,
        members: members({
          routeKey: str(r, 'RouteKey'),
          target,
          // CloudFormation's defaults when absent, so that removing an authorizer from the file removes it
          // from the route on reload ("" and [] mean unset to the applier, as for serverless.yml routes).
          authorizationType: str(r, 'AuthorizationType') ?? 'NONE',
          authorizerId: authorizerId ?? '',
          authorizationScopes: list(r, 'AuthorizationScopes') ?? [],
          apiKeyRequired: bool(r, 'ApiKeyRequired') ?? false,
          modelSelectionExpression: str(r, 'ModelSelectionExpression'),
          operationName: str(r, 'OperationName'),
          requestModels: json(r, 'RequestModels'),
          requestParameters: parameterConstraints(json(r, 'RequestParameters')),
          routeResponseSelectionExpression: str(r, 'RouteResponseSelectionExpression'),
        }, CLEARABLE.route),
        routeResponses: responses.map((rr) => ({
          id: idOf(rr),
          label: `route response ${rr.id}`,
          members: members({
            routeResponseKey: str(rr, 'RouteResponseKey'),
            modelSelectionExpression: str(rr, 'ModelSelectionExpression'),
            responseModels: json(rr, 'ResponseModels'),
            responseParameters: parameterConstraints(json(rr, 'ResponseParameters')),
          }, CLEARABLE.routeResponse),
        })),
      };
    });
    const models: DesiredChild[] = of(apiId, API_TYPES.Model).map((m) => {
      const schema = m.props.Schema;
      return {
        id: idOf(m),
        label: `model ${m.id}`,
        members: members({ name: str(m, 'Name'), schema: typeof schema === 'string' ? schema : JSON.stringify(schema), contentType: str(m, 'ContentType'), description: str(m, 'Description') }, CLEARABLE.model),
      };
    });

    // Quick create (Target, RouteKey): the integration, route and auto-deployed $default stage API Gateway makes.
    const stages: DesiredStage[] = [];
    const quickTarget = str(api, 'Target');
    if (api.props.RouteKey !== undefined && quickTarget === undefined) scope.fail([...api.path, 'RouteKey'], 'applies to quick create; add Target (a Lambda function ARN or an HTTP URL), or remove it');
    if (quickTarget !== undefined) {
      if (definition) scope.fail([...api.path, 'Target'], 'quick create (Target) and an OpenAPI definition cannot be combined');
      const integrationId = stableId('integration', 'cloudformation', stack, api.id, 'quick-create');
      const lambda = /^arn:aws[a-z-]*:(lambda|apigateway):/.test(quickTarget);
      integrations.push({
        id: integrationId,
        label: `integration of ${api.id} (quick create)`,
        members: lambda
          ? { integrationType: 'AWS_PROXY', integrationMethod: 'POST', integrationUri: quickTarget, payloadFormatVersion: '2.0' }
          : { integrationType: 'HTTP_PROXY', integrationMethod: 'ANY', integrationUri: quickTarget, payloadFormatVersion: '1.0' },
      });
      const routeKey = str(api, 'RouteKey') ?? '$default';
      routes.push({ id: stableId('route', 'cloudformation', stack, api.id, 'quick-create'), label: `route ${routeKey}`, members: { routeKey, target: `integrations/${integrationId}` }, routeResponses: [] });
      stages.push({ stageName: '$default', autoDeploy: true, deploy: false });
    }

    const deployments = of(apiId, API_TYPES.Deployment);
    const stageResources = of(apiId, API_TYPES.Stage);
    for (const s of stageResources) {
      const stageName = str(s, 'StageName') as string;
      if (stageName !== '$default' && !/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) scope.fail([...s.path, 'StageName'], `"${stageName}" must be $default or 1-128 letters, digits, - and _`);
      const before = stages.find((x) => x.stageName === stageName);
      if (before) scope.fail([...s.path, 'StageName'], `the API ${api.id} already has a stage ${stageName}${quickTarget !== undefined ? ' (quick create makes $default)' : ''}`);
      const autoDeploy = bool(s, 'AutoDeploy') ?? false;
      const deploymentId = str(s, 'DeploymentId');
      if (deploymentId !== undefined) {
        if (autoDeploy) scope.fail([...s.path, 'DeploymentId'], 'cannot be set on a stage with AutoDeploy: true');
        refOf(deploymentId, [...s.path, 'DeploymentId'], API_TYPES.Deployment, apiId);
      }
      const named = deployments.some((d) => d.props.StageName === stageName);
      const deploy = !autoDeploy && (deploymentId !== undefined || named);
      if (!autoDeploy && !deploy) scope.note(`${s.id}: stage ${stageName} has neither AutoDeploy nor a Deployment, so it serves nothing until it is deployed (as on AWS)`);
      const defaults = object(s, 'DefaultRouteSettings', ['DataTraceEnabled', 'DetailedMetricsEnabled', 'LoggingLevel', 'ThrottlingBurstLimit', 'ThrottlingRateLimit']);
      const routeSettings = json(s, 'RouteSettings');
      stages.push({
        stageName,
        autoDeploy,
        deploy,
        members: members({
          description: str(s, 'Description'),
          stageVariables: json(s, 'StageVariables'),
          // The management API stores detailedMetricsEnabled: false when it is not given; the same here, so a restart compares equal.
          defaultRouteSettings: defaults ? { detailedMetricsEnabled: false, ...defaults } : undefined,
          routeSettings: routeSettings ? Object.fromEntries(Object.entries(routeSettings).map(([k, v]) => [k, isObject(v) ? camelKeys(v) : v])) : undefined,
        }, CLEARABLE.stage),
      });
    }
    for (const d of deployments) {
      const stageName = str(d, 'StageName');
      if (stageName !== undefined && !stages.some((s) => s.stageName === stageName)) {
        scope.fail([...d.path, 'StageName'], `no ${API_TYPES.Stage} named ${stageName} on the API ${api.id} (stages: ${stages.map((s) => s.stageName).join(', ') || 'none'})`);
      }
      if (stageName === undefined && !stageResources.some((s) => s.props.DeploymentId === idOf(d))) scope.note(`${d.id}: no stage refers to this deployment (DeploymentId) and it names no StageName; it deploys nothing`);
    }
    out.push({
      apiId,
      protocolType,
      members: apiMembers,
      authorizers,
      integrations,
      routes,
      models,
      stages,
      ownsStages: true,
      ...(definition ? { definition } : {}),
    });
  }
  return out;
}

/** Route and route-response parameters: `{"route.request.header.x": {"Required": true}}` → `{..., {required: true}}`. */
function parameterConstraints(value: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isObject(v) ? camelKeys(v) : v]));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `info.title` of an OpenAPI document in JSON or YAML (JSON text is what the loader keeps). */
function definitionTitle(text: string): string | undefined {
  const doc = parseJson(text);
  const info = isObject(doc) ? doc.info : undefined;
  return isObject(info) && typeof info.title === 'string' ? info.title : undefined;
}
