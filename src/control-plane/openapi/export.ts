/**
 * An HTTP API's configuration (live, or a deployment's snapshot) as an OpenAPI 3.0 definition in
 * the shape AWS's ExportApi writes: one path item per route path with generated path parameters,
 * `x-amazon-apigateway-integration` per operation, authorizers as security schemes, and the API's
 * CORS configuration. https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-export.html
 */
import { yaml } from '../../model/yaml.js';
import { parseHttpRouteKey } from '../../model/route-key.js';
import type { ApiRecord, AuthorizerRecord, IntegrationRecord, RouteRecord } from '../../model/resources.js';
import type { JsonObject } from './extensions.js';
import { DEFAULT_ROUTE_PATH, defined, IMPORT_EXPORT_VERSION, OPERATION_METHODS, SIGV4_AUTHTYPE, X } from './extensions.js';
import { setOwn } from '../../model/own.js';

/** What an export renders. */
export interface ApiConfiguration {
  readonly api: ApiRecord;
  readonly routes: readonly RouteRecord[];
  readonly integrations: readonly IntegrationRecord[];
  readonly authorizers: readonly AuthorizerRecord[];
}

/** ExportApi's options. */
export interface ExportOptions {
  /** The API's endpoint (`http://{apiId}.execute-api.localhost:4580`). */
  readonly endpoint: string;
  /** The stage exported, if any: it becomes the `basePath` server variable's default. */
  readonly stageName?: string;
  /** Whether to write the `x-amazon-apigateway-*` extensions (AWS's `includeExtensions`, default true). */
  readonly includeExtensions: boolean;
}

/** The document's output formats and their content types. */
export const OUTPUT_TYPES = { JSON: 'application/json', YAML: 'application/yaml' } as const;

/** Timeout AWS leaves out of exported integrations (the HTTP API default). */
const DEFAULT_TIMEOUT = 30000;

/** Builds the OpenAPI 3.0 document. */
export function exportDefinition(config: ApiConfiguration, options: ExportOptions): JsonObject {
  const ext = options.includeExtensions;
  const schemes = securitySchemes(config, ext);
  const items = pathItems(config.routes);
  const integrations = new Map(config.integrations.map((i) => [i.integrationId, i]));
  const shared = sharedIntegrations([...items.values()].flat().map((o) => o.route), integrations);
  const components: JsonObject = {};
  if (Object.keys(schemes.objects).length > 0) components.securitySchemes = schemes.objects;
  if (ext && shared.size > 0) {
    components[X.INTEGRATIONS] = Object.fromEntries([...shared].map(([id, name]) => [name, integrationExtension(integrations.get(id) as IntegrationRecord)]));
  }
  const { api } = config;
  const ctx: OperationContext = { ext, schemes: schemes.names, shared, integrations };
  return defined({
    openapi: '3.0.1',
    info: defined({ title: api.name, description: api.description, version: api.version ?? awsTimestamp(api.createdDate) }),
    servers: [servers(api, options)],
    paths: Object.fromEntries([...items].map(([path, operations]) => [path, pathItem(path, operations, ctx)])),
    components: Object.keys(components).length > 0 ? components : undefined,
    [X.CORS]: ext && api.corsConfiguration ? api.corsConfiguration : undefined,
    [X.IMPORTEXPORT_VERSION]: ext ? IMPORT_EXPORT_VERSION : undefined,
  });
}

/** Writes the document as JSON (indented) or YAML. */
export function serializeDefinition(doc: JsonObject, outputType: keyof typeof OUTPUT_TYPES): string {
  return outputType === 'JSON' ? `${JSON.stringify(doc, null, 2)}\n` : yaml().stringify(doc, { lineWidth: 0 });
}

/** `2024-05-12T22:50:17Z` as AWS writes an unset `info.version`: `2024-05-12 22:50:17UTC`. */
function awsTimestamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}UTC`;
}

function servers(api: ApiRecord, options: ExportOptions): JsonObject {
  const basePath = options.stageName === undefined || options.stageName === '$default' ? '' : options.stageName;
  const endpointConfiguration = defined({
    disableExecuteApiEndpoint: api.disableExecuteApiEndpoint ? true : undefined,
    ipAddressType: api.ipAddressType === 'dualstack' ? api.ipAddressType : undefined,
  });
  return defined({
    url: `${options.endpoint}/{basePath}`,
    variables: { basePath: { default: basePath } },
    [X.ENDPOINT_CONFIGURATION]: options.includeExtensions && Object.keys(endpointConfiguration).length > 0 ? endpointConfiguration : undefined,
  });
}

const METHOD_ORDER = Object.values(OPERATION_METHODS);
const OPERATION_KEY = Object.fromEntries(Object.entries(OPERATION_METHODS).map(([key, method]) => [method, key]));

/** The routes by path, paths sorted, each path's routes in method order. */
function pathItems(routes: readonly RouteRecord[]): Map<string, { method: string; route: RouteRecord }[]> {
  const byPath = new Map<string, { method: string; route: RouteRecord }[]>();
  for (const route of routes) {
    const key = parseHttpRouteKey(route.routeKey);
    const [path, method] = key.kind === '$default' ? [DEFAULT_ROUTE_PATH, 'ANY'] : [key.path, key.method];
    byPath.set(path, [...(byPath.get(path) ?? []), { method, route }]);
  }
  const order = (m: string) => METHOD_ORDER.indexOf(m);
  return new Map([...byPath.keys()].sort().map((path) => [path, (byPath.get(path) ?? []).sort((a, b) => order(a.method) - order(b.method))]));
}

/** A path item: its operations, then its generated path parameters. */
function pathItem(path: string, operations: readonly { method: string; route: RouteRecord }[], ctx: OperationContext): JsonObject {
  const item: JsonObject = {};
  for (const { method, route } of operations) item[OPERATION_KEY[method] as string] = operation(route, ctx);
  const parameters = pathParameters(path);
  if (parameters.length > 0) item.parameters = parameters;
  return item;
}

/** AWS declares each path variable, naming a greedy one with its `+` (`proxy+`). */
function pathParameters(path: string): JsonObject[] {
  if (path === DEFAULT_ROUTE_PATH) return [];
  return [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    description: `Generated path parameter for ${name}`,
    required: true,
    schema: { type: 'string' },
  }));
}

interface OperationContext {
  readonly ext: boolean;
  /** Security scheme name by authorizer id (and `AWS_IAM` for the SigV4 scheme). */
  readonly schemes: ReadonlyMap<string, string>;
  /** Integrations targeted by several routes, with their name under components (written once, referenced). */
  readonly shared: ReadonlyMap<string, string>;
  readonly integrations: ReadonlyMap<string, IntegrationRecord>;
}

function operation(route: RouteRecord, ctx: OperationContext): JsonObject {
  const op: JsonObject = {};
  if (route.routeKey === '$default') op.isDefaultRoute = true;
  if (route.operationName !== undefined) op.operationId = route.operationName;
  op.responses = { default: { description: `Default response for ${route.routeKey}` } };
  const scheme = route.authorizationType === 'AWS_IAM' ? ctx.schemes.get('AWS_IAM') : route.authorizerId && ctx.schemes.get(route.authorizerId);
  if (scheme) op.security = [{ [scheme]: route.authorizationType === 'JWT' ? (route.authorizationScopes ?? []) : [] }];
  const integrationId = route.target?.replace(/^integrations\//, '');
  const integration = integrationId === undefined ? undefined : ctx.integrations.get(integrationId);
  if (ctx.ext && integration) {
    const name = ctx.shared.get(integration.integrationId);
    op[X.INTEGRATION] = name ? { $ref: `#/components/${X.INTEGRATIONS}/${name}` } : integrationExtension(integration);
  }
  return op;
}

/**
 * Integrations targeted by more than one route, named `integration1`, `integration2`, ... in path
 * order, so that exporting a re-imported API gives the same document.
 */
function sharedIntegrations(routes: readonly RouteRecord[], integrations: ReadonlyMap<string, IntegrationRecord>): Map<string, string> {
  const uses = new Map<string, number>();
  for (const route of routes) {
    const id = route.target?.replace(/^integrations\//, '');
    if (id !== undefined && integrations.has(id)) uses.set(id, (uses.get(id) ?? 0) + 1);
  }
  const shared = [...uses].filter(([, n]) => n > 1).map(([id]) => id);
  return new Map(shared.map((id, i) => [id, `integration${i + 1}`]));
}

const nonEmpty = <T extends object>(v: T | undefined): T | undefined => (v && Object.keys(v).length > 0 ? v : undefined);

/** An integration as `x-amazon-apigateway-integration`, members in the order AWS writes them. */
export function integrationExtension(i: IntegrationRecord): JsonObject {
  return defined({
    requestParameters: nonEmpty(i.requestParameters),
    responseParameters: nonEmpty(i.responseParameters),
    payloadFormatVersion: i.payloadFormatVersion,
    type: i.integrationType.toLowerCase(),
    httpMethod: i.integrationMethod,
    uri: i.integrationUri,
    connectionType: i.connectionType,
    connectionId: i.connectionId,
    credentials: i.credentialsArn,
    integrationSubtype: i.integrationSubtype,
    description: i.description,
    timeoutInMillis: i.timeoutInMillis === DEFAULT_TIMEOUT ? undefined : i.timeoutInMillis,
    tlsConfig: nonEmpty(i.tlsConfig),
  });
}

/** Security schemes: one per authorizer (named after it), and `sigv4` when a route uses AWS_IAM. */
function securitySchemes(config: ApiConfiguration, ext: boolean): { objects: JsonObject; names: Map<string, string> } {
  const objects: JsonObject = {};
  const names = new Map<string, string>();
  // Own members, set as such: an authorizer named `toString` or `__proto__` keeps its name.
  const unique = (name: string, id: string) => (Object.hasOwn(objects, name) ? `${name}-${id}` : name);
  for (const a of config.authorizers) {
    const name = unique(a.name, a.authorizerId);
    names.set(a.authorizerId, name);
    setOwn<unknown>(objects, name, authorizerScheme(a, ext));
  }
  if (config.routes.some((r) => r.authorizationType === 'AWS_IAM')) {
    const name = unique('sigv4', 'iam');
    names.set('AWS_IAM', name);
    setOwn<unknown>(objects, name, defined({ type: 'apiKey', name: 'Authorization', in: 'header', [X.AUTHTYPE]: ext ? SIGV4_AUTHTYPE : undefined }));
  }
  return { objects, names };
}

function authorizerScheme(a: AuthorizerRecord, ext: boolean): JsonObject {
  const identitySource = a.identitySource.length > 0 ? a.identitySource.join(', ') : undefined;
  if (a.authorizerType === 'JWT') {
    const authorizer = { identitySource, jwtConfiguration: defined({ audience: a.jwtConfiguration?.audience, issuer: a.jwtConfiguration?.issuer }), type: 'jwt' };
    return defined({ type: 'oauth2', flows: {}, [X.AUTHORIZER]: ext ? defined(authorizer) : undefined });
  }
  const [only] = a.identitySource.length === 1 ? a.identitySource : [];
  const m = only === undefined ? null : /^\$request\.(header|querystring)\.(.+)$/.exec(only);
  const authorizer = defined({
    identitySource,
    authorizerUri: a.authorizerUri,
    authorizerCredentials: a.authorizerCredentialsArn,
    authorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
    authorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds,
    type: 'request',
    enableSimpleResponses: a.enableSimpleResponses,
    identityValidationExpression: a.identityValidationExpression,
  });
  return defined({
    type: 'apiKey',
    name: m ? m[2] : 'Unused',
    in: m?.[1] === 'querystring' ? 'query' : 'header',
    [X.AUTHORIZER]: ext ? authorizer : undefined,
  });
}
