/**
 * An OpenAPI 3.0 (or Swagger 2.0) definition, JSON or YAML, as the parts of an HTTP API: the API's
 * own members, authorizers, integrations and routes, each as the members of its Create* request
 * (validated by the caller with the same rules as those operations), plus import warnings.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html
 */
import { jsonNestingExceeds, valueNestingExceeds } from '../../model/json-depth.js';
import { yaml } from '../../model/yaml.js';
import { MAX_BODY_NESTING } from '../input.js';
import { BadRequestException } from '../errors.js';
import type { JsonObject } from './extensions.js';
import {
  booleanValue, DEFAULT_ROUTE_PATH, defined, HTTP_API_INTEGRATION_TYPES, IMPORT_EXPORT_VERSION, integerValue, isObject,
  OPERATION_METHODS, REST_ONLY_EXTENSIONS, SIGV4_AUTHTYPE, versionString, X,
} from './extensions.js';

/** How the definition's base path shapes route paths (ImportApi `basepath`). */
export type BasePathMode = 'ignore' | 'prepend' | 'split';

/** The values of ImportApi's `basepath` query parameter. */
export const BASE_PATH_MODES: readonly BasePathMode[] = ['ignore', 'prepend', 'split'];

/** An authorizer from a security scheme, as CreateAuthorizer members. */
export interface ImportedAuthorizer {
  readonly name: string;
  readonly members: JsonObject;
}

/** An integration, as CreateIntegration members; `key` is what routes name it by. */
export interface ImportedIntegration {
  readonly key: string;
  /** Where it was defined, for messages (`GET /pets`, or a `$ref`). */
  readonly where: string;
  readonly members: JsonObject;
}

/** A route: CreateRoute members other than its target and authorizer, which it names by key. */
export interface ImportedRoute {
  readonly routeKey: string;
  readonly members: JsonObject;
  readonly integration?: string;
  readonly authorizer?: string;
}

/** Everything a definition defines. */
export interface ImportedDefinition {
  /** CreateApi members: name, version, description, corsConfiguration, disableExecuteApiEndpoint, ipAddressType. */
  readonly api: JsonObject;
  readonly authorizers: readonly ImportedAuthorizer[];
  readonly integrations: readonly ImportedIntegration[];
  readonly routes: readonly ImportedRoute[];
  readonly warnings: readonly string[];
}

const invalid = (message: string) => new BadRequestException(`Invalid OpenAPI definition: ${message}`);

/**
 * Parses a definition's text (JSON, or YAML when it does not start with `{`). A document nested deeper
 * than a request body may be is refused (the conversion recurses over it): JSON before it is parsed,
 * YAML after (or when the YAML parser itself runs out of stack).
 */
export function parseDefinition(text: string): JsonObject {
  const trimmed = text.trim();
  if (trimmed === '') throw invalid('the body is empty');
  const json = trimmed.startsWith('{');
  const tooDeep = () => invalid(`the document is nested more than ${MAX_BODY_NESTING} levels deep`);
  if (json && jsonNestingExceeds(trimmed, MAX_BODY_NESTING)) throw tooDeep();
  let doc: unknown;
  try {
    doc = json ? JSON.parse(trimmed) : yaml().parse(text, { maxAliasCount: 100 });
  } catch (err) {
    // The yaml package reports its own stack overflow as a YAMLParseError.
    if (err instanceof RangeError || /^Maximum call stack size exceeded/.test((err as Error).message)) throw tooDeep();
    const reason = (err as Error).message.split('\n')[0] ?? '';
    throw invalid(`${json ? 'not valid JSON' : 'not valid YAML'}: ${reason}`);
  }
  if (!isObject(doc)) throw invalid('the document must be a JSON or YAML object');
  if (!json && valueNestingExceeds(doc, MAX_BODY_NESTING)) throw tooDeep();
  return doc;
}

/** How a security scheme is used by routes. */
type Scheme =
  | { readonly kind: 'authorizer'; readonly type: 'JWT' | 'CUSTOM' }
  | { readonly kind: 'iam' }
  | { readonly kind: 'unsupported'; readonly reason: string };

/** The state of one conversion. */
class Conversion {
  readonly warnings: string[] = [];
  readonly authorizers: ImportedAuthorizer[] = [];
  readonly integrations = new Map<string, ImportedIntegration>();
  readonly routes: ImportedRoute[] = [];
  readonly schemes = new Map<string, Scheme>();
  /** Routes imported without authorization because their scheme is unsupported, by scheme name. */
  readonly unprotected = new Map<string, string[]>();

  constructor(
    readonly doc: JsonObject,
    readonly swagger: boolean,
  ) {}

  /**
   * Follows a local `$ref` (`#/components/...`); other values are returned as they are. A `$ref`
   * that does not resolve gives undefined: the caller skips what it names, and `danglingRefs`
   * has already reported it as a warning.
   */
  deref(value: unknown, where: string): unknown {
    if (!isObject(value) || typeof value.$ref !== 'string') return value;
    const ref = value.$ref;
    if (!ref.startsWith('#/')) throw invalid(`${where}: $ref ${ref} is not a local reference (#/...); external references are not supported`);
    return resolveRef(this.doc, ref);
  }
}

function resolveRef(doc: JsonObject, ref: string): unknown {
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    // Own members only: `#/__proto__` or `#/components/constructor` names nothing in the document.
    node = isObject(node) && Object.hasOwn(node, part) ? node[part] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * One warning per local `$ref` anywhere in the document that resolves to nothing (a response
 * schema naming a missing model, say): AWS imports such a definition with warnings, and refuses it
 * under failOnWarnings (terraform-provider-aws api_test.go OpenAPI_failOnWarnings).
 */
function danglingRefs(doc: JsonObject): string[] {
  const warnings: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}[${i}]`));
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/') && resolveRef(doc, value) === undefined) {
          warnings.push(`Parse issue: attribute ${at}.$ref is missing: ${value} does not resolve`);
        } else walk(value, at === '' ? key : `${at}.${key}`);
      }
    }
  };
  walk(doc, '');
  return warnings;
}

/** Converts a parsed definition. */
export function convertDefinition(doc: JsonObject, basepath: BasePathMode = 'ignore'): ImportedDefinition {
  const swagger = checkVersion(doc);
  const c = new Conversion(doc, swagger);
  c.warnings.push(...danglingRefs(doc));
  const api = apiMembers(c);
  readSchemes(c);
  const base = rebase(basePathOf(c), basepath);
  const defaultSecurity = doc.security;
  if (!isObject(doc.paths)) throw invalid('paths must be an object');
  for (const [path, item] of Object.entries(doc.paths)) {
    const resolved = c.deref(item, `paths.${path}`);
    if (resolved !== undefined) readPath(c, path, resolved, base, defaultSecurity);
  }
  for (const [name, routes] of c.unprotected) {
    const scheme = c.schemes.get(name) as Extract<Scheme, { kind: 'unsupported' }>;
    c.warnings.push(`Security scheme ${name} was ignored (${scheme.reason}); these routes were imported without authorization: ${routes.join(', ')}`);
  }
  for (const [name, scheme] of c.schemes) {
    if (scheme.kind === 'unsupported' && !c.unprotected.has(name)) c.warnings.push(`Security scheme ${name} was ignored (${scheme.reason})`);
  }
  return { api, authorizers: c.authorizers, integrations: [...c.integrations.values()], routes: c.routes, warnings: c.warnings };
}

/** Returns whether the definition is Swagger 2.0 (else OpenAPI 3). */
function checkVersion(doc: JsonObject): boolean {
  const openapi = doc.openapi;
  const swagger = versionString(doc.swagger);
  if (typeof openapi === 'string' && /^3\.\d+(\.\d+)?$/.test(openapi)) return false;
  if (swagger === '2.0') return true;
  if (openapi !== undefined || swagger !== undefined) {
    throw invalid(`unsupported version ${String(openapi ?? swagger)}: use OpenAPI 3.0 (openapi: 3.0.x) or Swagger 2.0 (swagger: "2.0")`);
  }
  throw invalid('the document declares neither openapi (3.0.x) nor swagger (2.0)');
}

function apiMembers(c: Conversion): JsonObject {
  const { doc } = c;
  const version = versionString(doc[X.IMPORTEXPORT_VERSION]);
  if (version !== undefined && version !== IMPORT_EXPORT_VERSION) {
    throw invalid(`unsupported ${X.IMPORTEXPORT_VERSION} ${String(version)}: the only version is ${IMPORT_EXPORT_VERSION}`);
  }
  const info = doc.info;
  if (!isObject(info)) throw invalid('info is required (its title becomes the API name)');
  if (typeof info.title !== 'string' || info.title.trim() === '') throw invalid('info.title is required: it becomes the API name');
  const rse = doc[X.ROUTE_SELECTION_EXPRESSION];
  if (rse !== undefined && rse !== '$request.method $request.path' && rse !== '${request.method} ${request.path}') {
    c.warnings.push(`${X.ROUTE_SELECTION_EXPRESSION} ${String(rse)} was ignored: only HTTP APIs can be imported, and they route by $request.method $request.path`);
  }
  for (const key of Object.keys(doc)) {
    if (REST_ONLY_EXTENSIONS.includes(key)) c.warnings.push(`${key} was ignored: it is supported only for REST APIs`);
    else if (key.startsWith('x-amazon-apigateway-') && !KNOWN_ROOT.has(key)) c.warnings.push(`${key} was ignored: it is not an API Gateway extension for HTTP APIs`);
  }
  return defined({
    name: info.title,
    version: versionString(info.version),
    description: info.description,
    corsConfiguration: cors(doc[X.CORS]),
    ...endpointConfiguration(c),
  });
}

const KNOWN_ROOT = new Set<string>([X.CORS, X.IMPORTEXPORT_VERSION, X.ENDPOINT_CONFIGURATION, X.ROUTE_SELECTION_EXPRESSION, X.INTEGRATIONS]);

function cors(value: unknown): JsonObject | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) throw invalid(`${X.CORS} must be an object`);
  return defined({
    allowOrigins: value.allowOrigins,
    allowCredentials: booleanValue(value.allowCredentials),
    exposeHeaders: value.exposeHeaders,
    maxAge: integerValue(value.maxAge),
    allowMethods: value.allowMethods,
    allowHeaders: value.allowHeaders,
  });
}

/** `x-amazon-apigateway-endpoint-configuration`: on a server object (OpenAPI 3) or at the top (Swagger 2). */
function endpointConfiguration(c: Conversion): JsonObject {
  const servers = Array.isArray(c.doc.servers) ? c.doc.servers.filter(isObject) : [];
  const config = [c.doc, ...servers].map((s) => s[X.ENDPOINT_CONFIGURATION]).find((v) => v !== undefined);
  if (config === undefined) return {};
  if (!isObject(config)) throw invalid(`${X.ENDPOINT_CONFIGURATION} must be an object`);
  return defined({ disableExecuteApiEndpoint: booleanValue(config.disableExecuteApiEndpoint), ipAddressType: config.ipAddressType });
}

function readSchemes(c: Conversion): void {
  const components = isObject(c.doc.components) ? c.doc.components : {};
  const schemes = c.swagger ? c.doc.securityDefinitions : components.securitySchemes;
  if (schemes === undefined) return;
  if (!isObject(schemes)) throw invalid(`${c.swagger ? 'securityDefinitions' : 'components.securitySchemes'} must be an object`);
  for (const [name, raw] of Object.entries(schemes)) {
    const scheme = c.deref(raw, `security scheme ${name}`);
    if (scheme === undefined) {
      c.schemes.set(name, { kind: 'unsupported', reason: 'its $ref does not resolve' });
      continue;
    }
    if (!isObject(scheme)) throw invalid(`security scheme ${name} must be an object`);
    c.schemes.set(name, readScheme(c, name, scheme));
  }
}

function readScheme(c: Conversion, name: string, scheme: JsonObject): Scheme {
  const ext = scheme[X.AUTHORIZER];
  if (ext === undefined) {
    const authtype = scheme[X.AUTHTYPE];
    if (typeof authtype === 'string' && authtype.toLowerCase() === SIGV4_AUTHTYPE.toLowerCase()) return { kind: 'iam' };
    return { kind: 'unsupported', reason: `a ${String(scheme.type)} scheme without ${X.AUTHORIZER} is not an API Gateway authorizer` };
  }
  if (!isObject(ext)) throw invalid(`security scheme ${name}: ${X.AUTHORIZER} must be an object`);
  const type = typeof ext.type === 'string' ? ext.type.toLowerCase() : String(ext.type);
  const identitySource = identitySources(ext.identitySource);
  if (type === 'jwt') {
    const jwt = isObject(ext.jwtConfiguration) ? ext.jwtConfiguration : {};
    let issuer = jwt.issuer;
    if (issuer === undefined && typeof scheme.openIdConnectUrl === 'string') issuer = scheme.openIdConnectUrl.replace(/\/\.well-known\/openid-configuration\/?$/, '');
    const jwtConfiguration = ext.jwtConfiguration === undefined && issuer === undefined ? undefined : defined({ issuer, audience: jwt.audience });
    c.authorizers.push({ name, members: defined({ name, authorizerType: 'JWT', identitySource, jwtConfiguration }) });
    return { kind: 'authorizer', type: 'JWT' };
  }
  if (type === 'request') {
    const members = defined({
      name,
      authorizerType: 'REQUEST',
      identitySource,
      authorizerUri: ext.authorizerUri,
      authorizerCredentialsArn: ext.authorizerCredentials,
      authorizerPayloadFormatVersion: versionString(ext.authorizerPayloadFormatVersion),
      authorizerResultTtlInSeconds: integerValue(ext.authorizerResultTtlInSeconds),
      enableSimpleResponses: booleanValue(ext.enableSimpleResponses),
      identityValidationExpression: ext.identityValidationExpression,
    });
    c.authorizers.push({ name, members });
    return { kind: 'authorizer', type: 'CUSTOM' };
  }
  return { kind: 'unsupported', reason: `authorizer type ${type} is not supported for HTTP APIs (use jwt or request)` };
}

/** A comma-separated string (as AWS writes it) or a list. */
function identitySources(value: unknown): unknown {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return value;
}

/** The definition's base path: a `basePath` server variable, else the first server URL's path (OpenAPI 3); `basePath` (Swagger 2). */
function basePathOf(c: Conversion): string {
  if (c.swagger) return normalizeBase(c.doc.basePath);
  const servers = Array.isArray(c.doc.servers) ? c.doc.servers.filter(isObject) : [];
  for (const server of servers) {
    const variables = isObject(server.variables) ? server.variables : {};
    const basePath = variables.basePath;
    if (isObject(basePath)) return normalizeBase(basePath.default);
  }
  const first = servers[0];
  if (!first || typeof first.url !== 'string') return '';
  const variables = isObject(first.variables) ? first.variables : {};
  const url = first.url.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const variable = Object.hasOwn(variables, name) ? variables[name] : undefined;
    return isObject(variable) && variable.default !== undefined ? String(variable.default) : '';
  });
  try {
    return normalizeBase(decodeURI(new URL(url, 'http://base.invalid').pathname));
  } catch {
    return '';
  }
}

function normalizeBase(value: unknown): string {
  if (typeof value !== 'string') return '';
  const trimmed = value.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `/${trimmed}`;
}

/** The prefix route paths get: nothing (ignore), the base path (prepend), or the base path without its first segment (split). */
function rebase(base: string, mode: BasePathMode): string {
  if (mode === 'ignore' || base === '') return '';
  if (mode === 'prepend') return base;
  const rest = base.split('/').slice(2).join('/');
  return rest === '' ? '' : `/${rest}`;
}

function readPath(c: Conversion, path: string, item: unknown, base: string, defaultSecurity: unknown): void {
  if (!isObject(item)) throw invalid(`paths.${path} must be an object`);
  for (const [key, raw] of Object.entries(item)) {
    // Own members only: a path item member named `constructor` or `__proto__` is no operation.
    const method = Object.hasOwn(OPERATION_METHODS, key.toLowerCase()) ? OPERATION_METHODS[key.toLowerCase()] : undefined;
    if (method === undefined) {
      if (key.toLowerCase() === 'trace') c.warnings.push(`TRACE ${path} was ignored: HTTP APIs have no TRACE routes`);
      else if (key.startsWith('x-amazon-apigateway-')) c.warnings.push(`${key} on path ${path} was ignored: it is not supported on path items`);
      continue;
    }
    const operation = c.deref(raw, `${key} ${path}`);
    if (operation === undefined) continue;
    if (!isObject(operation)) throw invalid(`the ${key} operation of ${path} must be an object`);
    const isDefault = method === 'ANY' && (path === DEFAULT_ROUTE_PATH || operation.isDefaultRoute === true);
    if (path === DEFAULT_ROUTE_PATH && !isDefault) {
      c.warnings.push(`${method} ${path} was ignored: the $default route is defined with ${X.ANY_METHOD} on ${DEFAULT_ROUTE_PATH}`);
      continue;
    }
    const routeKey = isDefault ? '$default' : `${method} ${base === '' ? path : path === '/' ? base : base + path}`;
    readOperation(c, routeKey, operation, operation.security ?? defaultSecurity);
  }
}

const KNOWN_OPERATION_EXTENSIONS = new Set<string>([X.INTEGRATION]);

function readOperation(c: Conversion, routeKey: string, operation: JsonObject, security: unknown): void {
  for (const key of Object.keys(operation)) {
    if (key.startsWith('x-amazon-apigateway-') && !KNOWN_OPERATION_EXTENSIONS.has(key)) c.warnings.push(`${key} on route ${routeKey} was ignored: it is not supported for HTTP APIs`);
  }
  const integration = readRouteIntegration(c, routeKey, operation[X.INTEGRATION]);
  const auth = authorization(c, routeKey, security);
  c.routes.push({
    routeKey,
    members: defined({ authorizationType: auth.type, authorizationScopes: auth.scopes, operationName: operation.operationId }),
    ...(integration ? { integration } : {}),
    ...(auth.authorizer ? { authorizer: auth.authorizer } : {}),
  });
}

/** Returns the key of the route's integration (a shared `$ref` keeps one integration). */
function readRouteIntegration(c: Conversion, routeKey: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const ref = isObject(value) && typeof value.$ref === 'string' ? value.$ref : undefined;
  const key = ref ?? routeKey;
  if (c.integrations.has(key)) return key;
  const where = ref ? `integration ${ref}` : `the integration of route ${routeKey}`;
  const x = c.deref(value, where);
  if (x === undefined) return undefined;
  if (!isObject(x)) throw invalid(`${where} must be an object`);
  const label = ref ? `Integration ${ref}` : `Integration of route ${routeKey}`;
  const members = integrationMembers(c, x, label);
  if (!members) return undefined;
  c.integrations.set(key, { key, where: label, members });
  return key;
}

/** CreateIntegration members of an `x-amazon-apigateway-integration` object, or undefined (with a warning) for unsupported types. */
function integrationMembers(c: { warnings: string[] }, x: JsonObject, where: string): JsonObject | undefined {
  const type = typeof x.type === 'string' ? x.type.toUpperCase() : undefined;
  if (type === undefined || !HTTP_API_INTEGRATION_TYPES.includes(type)) {
    c.warnings.push(`${where} was ignored: integration type ${type ?? '(missing)'} is not supported for HTTP APIs (use aws_proxy or http_proxy); the route has no integration`);
    return undefined;
  }
  const integrationSubtype = x.integrationSubtype ?? x.integrationSubType;
  const isLambda = type === 'AWS_PROXY' && integrationSubtype === undefined;
  const upper = (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : v);
  const tls = isObject(x.tlsConfig) && x.tlsConfig.serverNameToVerify !== undefined ? { serverNameToVerify: x.tlsConfig.serverNameToVerify } : undefined;
  return defined({
    integrationType: type,
    integrationUri: x.uri,
    integrationMethod: upper(x.httpMethod),
    integrationSubtype,
    // TODO(parity): AWS's default for a Lambda integration without payloadFormatVersion is undocumented; we take the latest, 2.0.
    payloadFormatVersion: versionString(x.payloadFormatVersion) ?? (isLambda ? '2.0' : '1.0'),
    connectionType: upper(x.connectionType),
    connectionId: x.connectionId,
    credentialsArn: x.credentials,
    description: x.description,
    timeoutInMillis: integerValue(x.timeoutInMillis),
    requestParameters: stringValues(x.requestParameters),
    responseParameters: isObject(x.responseParameters)
      ? Object.fromEntries(Object.entries(x.responseParameters).map(([status, m]) => [status, stringValues(m)]))
      : x.responseParameters,
    tlsConfig: tls,
  });
}

/** A mapping with YAML's unquoted numbers and booleans as the strings they stand for. */
function stringValues(value: unknown): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'number' || typeof v === 'boolean' ? String(v) : v]));
}

function authorization(c: Conversion, routeKey: string, security: unknown): { type: string; authorizer?: string; scopes?: unknown } {
  if (security === undefined) return { type: 'NONE' };
  if (!Array.isArray(security)) throw invalid(`the security of route ${routeKey} must be a list of security requirements`);
  const [first] = security as unknown[];
  if (first === undefined) return { type: 'NONE' };
  if (!isObject(first)) throw invalid(`the security requirements of route ${routeKey} must be objects`);
  const names = Object.keys(first);
  if (security.length > 1 || names.length > 1) {
    c.warnings.push(`Route ${routeKey} lists several security requirements; HTTP API routes have one authorizer, so only ${names[0] ?? 'the first'} was used`);
  }
  const [name] = names;
  if (name === undefined) return { type: 'NONE' };
  const scheme = c.schemes.get(name);
  if (!scheme) throw invalid(`route ${routeKey} requires security scheme ${name}, which is not defined`);
  if (scheme.kind === 'unsupported') {
    c.unprotected.set(name, [...(c.unprotected.get(name) ?? []), routeKey]);
    return { type: 'NONE' };
  }
  if (scheme.kind === 'iam') return { type: 'AWS_IAM' };
  const scopes = first[name];
  return { type: scheme.type, authorizer: name, ...(Array.isArray(scopes) && scopes.length > 0 ? { scopes } : {}) };
}
