/**
 * Loads a Serverless Framework (v3/v4) serverless.yml into a plain description of what Gatehouse
 * serves: functions (handler file and export, environment, timeout, memory size), the HTTP API
 * (`httpApi` events, JWT and Lambda request authorizers, CORS, payload version) and the WebSocket
 * API (`websocket` events, `$connect` authorizer, route selection expression). Anything Gatehouse
 * cannot serve as written is a ServerlessError naming the file position, the key path and the fix.
 * https://www.serverless.com/framework/docs/providers/aws/events/http-api
 * https://www.serverless.com/framework/docs/providers/aws/events/websocket
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import type { DesiredApi } from './resources.js';
import type { KeyPath, SourceDocument, VariableSources } from './variables.js';
import { parseSource, resolveVariables, ServerlessError, showPath } from './variables.js';

/** A function of the project, as the local runtime needs it. */
export interface ServerlessFunction {
  /** The key under `functions`. */
  readonly key: string;
  /** The deployed Lambda name: `name:`, else `{service}-{stage}-{key}` as the Framework names it. */
  readonly functionName: string;
  /** `absolute/path/file.js#export` (the local runtime's handler spec). */
  readonly handler: string;
  /** Provider environment overlaid by the function's. */
  readonly environment: Readonly<Record<string, string>>;
  /** Seconds (Framework default 6). */
  readonly timeout: number;
  /** MB (Framework default 1024). */
  readonly memorySize: number;
}

/** An authorizer under `provider.httpApi.authorizers`. */
export type HttpApiAuthorizer =
  | { readonly key: string; readonly name: string; readonly type: 'jwt'; readonly identitySource: readonly string[]; readonly issuerUrl: string; readonly audience: readonly string[] }
  | {
      readonly key: string;
      readonly name: string;
      readonly type: 'request';
      /** Function key in this project. */
      readonly functionKey: string;
      readonly identitySource: readonly string[];
      readonly resultTtlInSeconds: number;
      readonly enableSimpleResponses: boolean;
      readonly payloadVersion: '1.0' | '2.0';
    };

/** How an `httpApi` route is authorized. */
export type RouteAuthorization = { readonly type: 'authorizer'; readonly key: string; readonly scopes: readonly string[] } | { readonly type: 'aws_iam' };

/** One `httpApi` event. */
export interface HttpApiRoute {
  /** `GET /pets/{id}`, `ANY /any/{proxy+}` or `$default`. */
  readonly routeKey: string;
  readonly functionKey: string;
  readonly authorization?: RouteAuthorization;
}

/** CORS of the HTTP API, in the management API's terms. */
export interface HttpApiCors {
  readonly allowOrigins: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowCredentials?: boolean;
  readonly exposeHeaders?: readonly string[];
  readonly maxAge?: number;
}

/** The HTTP API the `httpApi` events make. */
export interface HttpApiDefinition {
  readonly name: string;
  readonly payload: '1.0' | '2.0';
  readonly cors?: HttpApiCors;
  readonly authorizers: readonly HttpApiAuthorizer[];
  readonly routes: readonly HttpApiRoute[];
  /** The stage (auto-deployed); `$default` unless a SAM template names one. */
  readonly stageName?: string;
}

/** One `websocket` event. */
export interface WebSocketRoute {
  readonly routeKey: string;
  readonly functionKey: string;
  readonly routeResponseSelectionExpression?: string;
  /** `$connect` only: a Lambda request authorizer (a function of this project). */
  readonly authorizer?: { readonly functionKey: string; readonly identitySource: readonly string[] };
}

/** The WebSocket API the `websocket` events make. */
export interface WebSocketApiDefinition {
  readonly name: string;
  readonly description?: string;
  readonly routeSelectionExpression: string;
  readonly routes: readonly WebSocketRoute[];
}

/** A loaded serverless.yml. */
export interface ServerlessProject {
  readonly file: string;
  readonly service: string;
  readonly stage: string;
  readonly functions: readonly ServerlessFunction[];
  readonly httpApi?: HttpApiDefinition;
  readonly webSocketApi?: WebSocketApiDefinition;
  /** Plugins the file lists (ignored: Gatehouse does not run Framework plugins). */
  readonly plugins: readonly string[];
  /** APIs a template defines with AWS::ApiGatewayV2 resources, already in the management API's terms. */
  readonly apis?: readonly DesiredApi[];
  /** What the loader accepted without serving it (a SAM template's other resources), one log line each. */
  readonly notes?: readonly string[];
}

/** Options of a load. */
export interface LoadOptions extends VariableSources {
  /** `--stage`; else `provider.stage`, else `dev`. */
  readonly stage?: string;
  /** Whether this Node.js runs `.ts` handler files (type stripping). */
  readonly typescript?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'DELETE'];
const DEFAULT_CORS_HEADERS = ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Amz-Security-Token', 'X-Amz-User-Agent'];

/** provider keys that configure the deployment only (IAM, packaging, logs, ...): accepted and not acted on locally. */
const DEPLOYMENT_ONLY_PROVIDER_KEYS = new Set([
  'name', 'runtime', 'region', 'profile', 'stackName', 'stackTags', 'stackPolicy', 'stackParameters', 'tags', 'deploymentBucket',
  'deploymentPrefix', 'deploymentMethod', 'iam', 'iamRoleStatements', 'iamManagedPolicies', 'role', 'rolePermissionsBoundary', 'logRetentionInDays',
  'logs', 'tracing', 'architecture', 'versionFunctions', 'layers', 'vpc', 'kmsKeyArn', 'notificationArns', 'cfnRole', 'disableRollback',
  'rollbackConfiguration', 'lambdaHashingVersion', 'logDataProtectionPolicy', 'ecr', 'alb', 'eventBridge', 'cloudFront', 'apiName', 'endpointType',
  'apiGateway', 'usagePlan', 'resourcePolicy', 'websocketsApiName', 'websocketsApiRouteSelectionExpression', 'websocketsDescription',
  'environment', 'timeout', 'memorySize', 'stage', 'httpApi', 'deploymentBucketObject', 'runtimeManagement', 's3', 'ephemeralStorageSize',
]);
const DEPLOYMENT_ONLY_FUNCTION_KEYS = new Set([
  'description', 'role', 'runtime', 'layers', 'vpc', 'tags', 'package', 'reservedConcurrency', 'provisionedConcurrency', 'tracing', 'architecture',
  'onError', 'kmsKeyArn', 'disableLogs', 'logRetentionInDays', 'destinations', 'fileSystemConfig', 'maximumEventAge', 'maximumRetryAttempts',
  'ephemeralStorageSize', 'runtimeManagement', 'snapStart', 'condition', 'dependsOn', 'logs', 'versionFunction',
  'handler', 'name', 'environment', 'timeout', 'memorySize', 'events',
]);
const TOP_LEVEL_KEYS = new Set(['service', 'frameworkVersion', 'provider', 'functions', 'plugins', 'custom', 'package', 'resources', 'params', 'useDotenv', 'variablesResolutionMode', 'configValidationMode', 'org', 'app', 'console', 'dashboard', 'deprecationNotificationMode', 'disabledDeprecations', 'outputs', 'stages', 'build', 'license']);

/** Loads and checks a serverless.yml. */
export function loadServerlessProject(file: string, options: LoadOptions): ServerlessProject {
  const path = resolvePath(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ServerlessError(`${file}: cannot read the serverless.yml: ${(err as Error).message}`);
  }
  return parseServerlessProject(path, text, options);
}

/** Checks and converts the text of a serverless.yml at `path` (handler files are resolved next to it). */
export function parseServerlessProject(path: string, text: string, options: LoadOptions): ServerlessProject {
  if (/\.(js|cjs|mjs|ts)$/.test(path)) throw new ServerlessError(`${path}: serverless.${path.split('.').pop()} files are programs; Gatehouse reads serverless.yml, serverless.yaml or serverless.json`);
  const doc = parseSource(path, text);
  if (!isObject(doc.value)) throw new ServerlessError(`${path}: the file must hold a serverless.yml object (service, provider, functions)`);
  const opts = { ...options.options, ...(options.stage ? { stage: options.stage } : {}) };
  const value = resolveVariables(doc, { env: options.env, options: opts }) as Record<string, unknown>;
  return new ProjectLoader(doc, value, options).load();
}

/** The checks and conversions of a project file (shared with the SAM template loader). */
export class ProjectLoader {
  readonly #dir: string;
  constructor(
    readonly doc: SourceDocument,
    readonly root: Record<string, unknown>,
    readonly options: LoadOptions,
  ) {
    this.#dir = dirname(doc.file);
  }

  fail(path: KeyPath, message: string): never {
    throw new ServerlessError(`${this.doc.where(path)}: ${showPath(path)}: ${message}`);
  }

  string(value: unknown, path: KeyPath, what = 'a string'): string {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string' || value === '') this.fail(path, `must be ${what}, got ${JSON.stringify(value) ?? 'nothing'}`);
    return value;
  }

  object(value: unknown, path: KeyPath, what: string): Record<string, unknown> {
    if (!isObject(value)) this.fail(path, `must be ${what}`);
    return value;
  }

  strings(value: unknown, path: KeyPath): string[] {
    const list = Array.isArray(value) ? value : [value];
    return list.map((v, i) => this.string(v, Array.isArray(value) ? [...path, i] : path));
  }

  /** Refuses keys outside `known`, naming the key and the supported ones. */
  keys(value: Record<string, unknown>, path: KeyPath, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.fail([...path, key], `is not supported by Gatehouse (supported here: ${known.join(', ')}); remove it`);
    }
  }

  load(): ServerlessProject {
    const root = this.root;
    for (const key of Object.keys(root)) {
      if (!TOP_LEVEL_KEYS.has(key)) this.fail([key], `is not a serverless.yml section Gatehouse knows (sections: ${[...TOP_LEVEL_KEYS].join(', ')}); remove it`);
    }
    const serviceValue = isObject(root.service) ? root.service.name : root.service;
    const service = this.string(serviceValue, ['service'], 'the service name');
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(service)) this.fail(['service'], `"${service}" must start with a letter and hold only letters, digits and hyphens (as the Framework requires)`);
    const provider = this.object(root.provider ?? {}, ['provider'], 'an object (name: aws, ...)');
    if (provider.name !== 'aws') this.fail(['provider', 'name'], `must be aws: Gatehouse serves AWS API Gateway projects, got ${JSON.stringify(provider.name) ?? 'nothing'}`);
    for (const key of Object.keys(provider)) {
      if (!DEPLOYMENT_ONLY_PROVIDER_KEYS.has(key)) {
        const near = [...DEPLOYMENT_ONLY_PROVIDER_KEYS].find((k) => k.toLowerCase() === key.toLowerCase());
        this.fail(['provider', key], near ? `is not a provider setting; did you mean ${near}? Rename it` : 'is not a provider setting Gatehouse knows; remove it');
      }
    }
    if (provider.apiGateway !== undefined || provider.apiName !== undefined || provider.endpointType !== undefined) {
      const key = provider.apiGateway !== undefined ? 'apiGateway' : provider.apiName !== undefined ? 'apiName' : 'endpointType';
      this.fail(['provider', key], 'configures a REST API; Gatehouse serves HTTP APIs (httpApi events) and WebSocket APIs only: remove it');
    }
    const stage = this.string(this.options.stage ?? provider.stage ?? 'dev', this.options.stage ? [] : ['provider', 'stage'], 'a stage name');
    if (!/^[A-Za-z0-9-_]+$/.test(stage)) this.fail(this.options.stage ? [] : ['provider', 'stage'], `stage "${stage}" must hold only letters, digits, - and _`);
    this.runtime(provider.runtime, ['provider', 'runtime']);
    const providerEnv = this.environment(provider.environment, ['provider', 'environment']);
    const providerTimeout = provider.timeout === undefined ? 6 : this.number(provider.timeout, ['provider', 'timeout'], 1, 900);
    const providerMemory = provider.memorySize === undefined ? 1024 : this.number(provider.memorySize, ['provider', 'memorySize'], 128, 10240);

    const functions: ServerlessFunction[] = [];
    const httpEvents: { event: unknown; fn: string; path: KeyPath }[] = [];
    const wsEvents: { event: unknown; fn: string; path: KeyPath }[] = [];
    const fnRoot = root.functions === undefined ? {} : this.object(root.functions, ['functions'], 'an object of functions by name');
    const keys = new Set(Object.keys(fnRoot));
    for (const [key, raw] of Object.entries(fnRoot)) {
      const path = ['functions', key];
      const fn = this.object(raw, path, 'an object (handler, events, ...)');
      for (const k of Object.keys(fn)) {
        if (k === 'image') this.fail([...path, k], 'container image functions cannot run locally; use handler: path/file.export with a Node.js runtime');
        if (k === 'url') this.fail([...path, k], 'Lambda function URLs are not served by Gatehouse; use an httpApi event');
        if (!DEPLOYMENT_ONLY_FUNCTION_KEYS.has(k)) this.fail([...path, k], 'is not a function setting Gatehouse knows; remove it');
      }
      this.runtime(fn.runtime, [...path, 'runtime']);
      const functionName = fn.name === undefined ? `${service}-${stage}-${key}` : this.string(fn.name, [...path, 'name']);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(functionName)) this.fail(fn.name === undefined ? path : [...path, 'name'], `the Lambda name "${functionName}" must be 1-64 letters, digits, - or _; shorten the service, stage or function name, or set name:`);
      functions.push({
        key,
        functionName,
        handler: this.handler(fn.handler, [...path, 'handler']),
        environment: { ...providerEnv, ...this.environment(fn.environment, [...path, 'environment']) },
        timeout: fn.timeout === undefined ? providerTimeout : this.number(fn.timeout, [...path, 'timeout'], 1, 900),
        memorySize: fn.memorySize === undefined ? providerMemory : this.number(fn.memorySize, [...path, 'memorySize'], 128, 10240),
      });
      const events = fn.events === undefined ? [] : fn.events;
      if (!Array.isArray(events)) this.fail([...path, 'events'], 'must be a list of events (- httpApi: ..., - websocket: ...)');
      events.forEach((event, i) => {
        const epath = [...path, 'events', i];
        const e = this.object(event, epath, 'an event object such as httpApi: GET /path');
        const kinds = Object.keys(e);
        if (kinds.length !== 1) this.fail(epath, `must hold exactly one event type, got ${kinds.join(', ') || 'none'}`);
        const kind = kinds[0] as string;
        if (kind === 'httpApi') httpEvents.push({ event: e.httpApi, fn: key, path: [...epath, kind] });
        else if (kind === 'websocket') wsEvents.push({ event: e.websocket, fn: key, path: [...epath, kind] });
        else if (kind === 'http') this.fail([...epath, kind], 'REST API events (http) are not supported: Gatehouse serves HTTP APIs only; change the event to httpApi (same method and path)');
        else this.fail([...epath, kind], `event type "${kind}" is not served by Gatehouse (supported: httpApi, websocket); remove the event`);
      });
    }
    this.resources(root.resources);
    const plugins = this.plugins(root.plugins);
    const httpApi = this.httpApi(provider, httpEvents, keys, service, stage);
    const webSocketApi = this.webSocketApi(provider, wsEvents, keys, service, stage);
    return {
      file: this.doc.file,
      service,
      stage,
      functions,
      ...(httpApi ? { httpApi } : {}),
      ...(webSocketApi ? { webSocketApi } : {}),
      plugins,
    };
  }

  number(value: unknown, path: KeyPath, min: number, max: number): number {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) this.fail(path, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return n;
  }

  runtime(value: unknown, path: KeyPath): void {
    if (value === undefined) return;
    const runtime = this.string(value, path, 'a runtime');
    if (!runtime.startsWith('nodejs')) this.fail(path, `runtime ${runtime} cannot run locally: Gatehouse runs Node.js handlers (nodejs18.x, nodejs20.x, ...); use a nodejs runtime`);
  }

  environment(value: unknown, path: KeyPath): Record<string, string> {
    if (value === undefined || value === null) return {};
    const env = this.object(value, path, 'an object of variable names and values');
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.fail([...path, name], 'is not a valid environment variable name (letters, digits and _, not starting with a digit)');
      if (isObject(v) || Array.isArray(v)) this.fail([...path, name], 'must be a string, a number or a boolean; CloudFormation functions (Ref, Fn::GetAtt) cannot be resolved locally: use ${env:NAME} or a literal');
      out[name] = v === null || v === undefined ? '' : String(v as string | number | boolean);
    }
    return out;
  }

  /** `path/file.export` → `absolute/path/file.ext#export`, trying .js, .mjs, .cjs (and .ts when supported). */
  handler(value: unknown, path: KeyPath): string {
    const spec = this.string(value, path, 'a handler such as src/handlers/pets.list (file path, a dot, the export)');
    const dot = spec.lastIndexOf('.');
    const slash = spec.lastIndexOf('/');
    if (dot <= slash + 0 || dot === spec.length - 1) this.fail(path, `"${spec}" must be path/file.export (e.g. handler.hello for export hello of handler.js)`);
    const base = spec.slice(0, dot);
    const exportName = spec.slice(dot + 1);
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(exportName)) this.fail(path, `"${exportName}" of "${spec}" is not an export name`);
    const extensions = ['.js', '.mjs', '.cjs', ...(this.options.typescript ? ['.ts', '.mts', '.cts'] : [])];
    const absolute = isAbsolute(base) ? base : resolvePath(this.#dir, base);
    for (const ext of extensions) {
      const candidate = `${absolute}${ext}`;
      if (existsSync(candidate) && statSync(candidate).isFile()) return `${candidate}#${exportName}`;
    }
    const ts = this.options.typescript ? undefined : ['.ts', '.mts', '.cts'].find((ext) => existsSync(`${absolute}${ext}`));
    this.fail(
      path,
      ts
        ? `${base}${ts} cannot run on this Node.js (${process.version}), which does not strip TypeScript types; compile it to ${base}.js or run Gatehouse on Node.js 22.18+ / 23.6+`
        : `no handler file for "${spec}": tried ${extensions.map((e) => `${base}${e}`).join(', ')} relative to ${this.#dir}; fix the path`,
    );
  }

  /** CloudFormation `resources` are accepted (tables, queues, ...) except API Gateway ones, which would go unserved. */
  resources(value: unknown): void {
    const list = isObject(value) && isObject(value.Resources) ? value.Resources : {};
    for (const [id, resource] of Object.entries(list)) {
      const type = isObject(resource) ? resource.Type : undefined;
      if (typeof type === 'string' && /^AWS::(ApiGateway|ApiGatewayV2|Serverless)::/.test(type)) {
        this.fail(['resources', 'Resources', id, 'Type'], `${type} in resources: is not served from a serverless.yml; define the API with httpApi or websocket events`);
      }
    }
  }

  plugins(value: unknown): string[] {
    if (value === undefined) return [];
    const list = isObject(value) ? value.modules : value;
    if (!Array.isArray(list)) this.fail(['plugins'], 'must be a list of plugin names (or localPath and modules)');
    return list.map((p, i) => this.string(p, isObject(value) ? ['plugins', 'modules', i] : ['plugins', i], 'a plugin name'));
  }

  httpApi(provider: Record<string, unknown>, events: readonly { event: unknown; fn: string; path: KeyPath }[], functions: ReadonlySet<string>, service: string, stage: string): HttpApiDefinition | undefined {
    const base = ['provider', 'httpApi'];
    const settings = provider.httpApi === undefined ? {} : this.object(provider.httpApi, base, 'an object (cors, authorizers, payload, name)');
    this.keys(settings, base, ['name', 'payload', 'cors', 'authorizers', 'metrics', 'disableDefaultEndpoint', 'useProviderTags', 'shouldStartNameWithService', 'id']);
    if (settings.id !== undefined) this.fail([...base, 'id'], 'names an HTTP API created outside this project, which Gatehouse cannot serve; remove it so the project defines its own API');
    if (settings.disableDefaultEndpoint === true) this.fail([...base, 'disableDefaultEndpoint'], 'Gatehouse serves the API at its default endpoint only (custom domains come from the management API); remove it');
    if (events.length === 0) return undefined;
    const payload = settings.payload === undefined ? '2.0' : this.string(settings.payload, [...base, 'payload']);
    if (payload !== '1.0' && payload !== '2.0') this.fail([...base, 'payload'], `must be '1.0' or '2.0', got ${payload}`);
    const name =
      settings.name !== undefined ? this.string(settings.name, [...base, 'name']) : settings.shouldStartNameWithService === true ? `${service}-${stage}` : `${stage}-${service}`;
    const authorizers = this.httpAuthorizers(settings.authorizers, functions);
    const routes: HttpApiRoute[] = [];
    const seen = new Map<string, KeyPath>();
    for (const { event, fn, path } of events) {
      const route = this.httpRoute(event, fn, path, authorizers);
      const before = seen.get(route.routeKey);
      if (before) this.fail(path, `route ${route.routeKey} is defined twice (also at ${this.doc.where(before)} ${showPath(before)}); keep one`);
      seen.set(route.routeKey, path);
      routes.push(route);
    }
    const methods = new Set(routes.map((r) => (r.routeKey === '$default' ? '*' : (r.routeKey.split(' ')[0] as string))));
    const cors = this.cors(settings.cors, methods);
    return { name, payload, ...(cors ? { cors } : {}), authorizers, routes };
  }

  httpAuthorizers(value: unknown, functions: ReadonlySet<string>): HttpApiAuthorizer[] {
    if (value === undefined) return [];
    const base = ['provider', 'httpApi', 'authorizers'];
    const all = this.object(value, base, 'an object of authorizers by name');
    return Object.entries(all).map(([key, raw]): HttpApiAuthorizer => {
      const path = [...base, key];
      const a = this.object(raw, path, 'an authorizer object (type, identitySource, issuerUrl, audience / functionName)');
      const type = a.type === undefined ? 'jwt' : this.string(a.type, [...path, 'type']).toLowerCase();
      const name = a.name === undefined ? key : this.string(a.name, [...path, 'name']);
      if (a.managedExternally === true) this.fail([...path, 'managedExternally'], 'an authorizer managed outside this project cannot be served; define it here');
      if (type === 'jwt') {
        this.keys(a, path, ['type', 'name', 'identitySource', 'issuerUrl', 'audience']);
        if (a.identitySource === undefined) this.fail(path, 'a JWT authorizer needs identitySource (e.g. $request.header.Authorization)');
        if (a.issuerUrl === undefined) this.fail(path, 'a JWT authorizer needs issuerUrl');
        if (a.audience === undefined) this.fail(path, 'a JWT authorizer needs audience');
        return { key, name, type: 'jwt', identitySource: this.strings(a.identitySource, [...path, 'identitySource']), issuerUrl: this.string(a.issuerUrl, [...path, 'issuerUrl']), audience: this.strings(a.audience, [...path, 'audience']) };
      }
      if (type !== 'request') this.fail([...path, 'type'], `must be jwt or request, got ${type}`);
      this.keys(a, path, ['type', 'name', 'functionName', 'functionArn', 'identitySource', 'resultTtlInSeconds', 'enableSimpleResponses', 'payloadVersion', 'managedExternally']);
      if (a.functionArn !== undefined) this.fail([...path, 'functionArn'], 'a function outside this project cannot run locally; use functionName: with a function of this serverless.yml (or register it with --function and use functionName)');
      const functionKey = this.string(a.functionName, [...path, 'functionName'], 'the name of a function of this project');
      if (!functions.has(functionKey)) this.fail([...path, 'functionName'], `no function "${functionKey}" under functions (functions: ${[...functions].join(', ') || 'none'})`);
      const resultTtlInSeconds = a.resultTtlInSeconds === undefined ? 300 : this.number(a.resultTtlInSeconds, [...path, 'resultTtlInSeconds'], 0, 3600);
      const identitySource = a.identitySource === undefined ? [] : this.strings(a.identitySource, [...path, 'identitySource']);
      if (resultTtlInSeconds > 0 && identitySource.length === 0) this.fail(path, `caching results (resultTtlInSeconds ${resultTtlInSeconds}${a.resultTtlInSeconds === undefined ? ', the default' : ''}) needs identitySource (e.g. $request.header.Authorization); add it or set resultTtlInSeconds: 0`);
      const payloadVersion = a.payloadVersion === undefined ? '2.0' : this.string(a.payloadVersion, [...path, 'payloadVersion']);
      if (payloadVersion !== '1.0' && payloadVersion !== '2.0') this.fail([...path, 'payloadVersion'], `must be '1.0' or '2.0', got ${payloadVersion}`);
      const enableSimpleResponses = a.enableSimpleResponses === undefined ? false : a.enableSimpleResponses;
      if (typeof enableSimpleResponses !== 'boolean') this.fail([...path, 'enableSimpleResponses'], 'must be true or false');
      if (enableSimpleResponses && payloadVersion !== '2.0') this.fail([...path, 'enableSimpleResponses'], "simple responses need payloadVersion '2.0'");
      return { key, name, type: 'request', functionKey, identitySource, resultTtlInSeconds, enableSimpleResponses, payloadVersion };
    });
  }

  httpRoute(event: unknown, fn: string, path: KeyPath, authorizers: readonly HttpApiAuthorizer[]): HttpApiRoute {
    let method: string;
    let routePath: string | undefined;
    let authorization: RouteAuthorization | undefined;
    if (typeof event === 'string') {
      const text = event.trim();
      if (text === '*') return { routeKey: '$default', functionKey: fn };
      const m = /^(\S+)\s+(\/\S*)$/.exec(text);
      if (!m) this.fail(path, `"${text}" must be '*' or METHOD /path (e.g. GET /pets/{id})`);
      method = m[1] as string;
      routePath = m[2] as string;
    } else {
      const e = this.object(event, path, "'*', METHOD /path, or an object (method, path, authorizer)");
      this.keys(e, path, ['method', 'path', 'authorizer']);
      method = this.string(e.method, [...path, 'method'], 'an HTTP method or *');
      routePath = e.path === undefined ? undefined : this.string(e.path, [...path, 'path'], 'a path starting with /');
      if (e.authorizer !== undefined) authorization = this.routeAuthorization(e.authorizer, [...path, 'authorizer'], authorizers);
    }
    const upper = method.toUpperCase();
    if (upper !== '*' && !HTTP_METHODS.includes(upper)) this.fail(path, `method ${method} must be * or one of ${HTTP_METHODS.join(', ')}`);
    if (routePath === undefined) {
      if (upper !== '*') this.fail(path, 'needs path: (only the catch-all * has none)');
      return { routeKey: '$default', functionKey: fn, ...(authorization ? { authorization } : {}) };
    }
    if (!routePath.startsWith('/')) this.fail(path, `path ${routePath} must start with /`);
    for (const segment of routePath.split('/').slice(1)) {
      if (segment.includes('{') || segment.includes('}')) {
        const greedy = /^\{[A-Za-z0-9._-]+\+\}$/.test(segment);
        if (!greedy && !/^\{[A-Za-z0-9._-]+\}$/.test(segment)) this.fail(path, `path segment ${segment} must be a whole {param} or {proxy+}`);
        if (greedy && !routePath.endsWith(segment)) this.fail(path, `the greedy parameter ${segment} must be the last segment of ${routePath}`);
      }
    }
    const routeKey = `${upper === '*' ? 'ANY' : upper} ${routePath}`;
    return { routeKey, functionKey: fn, ...(authorization ? { authorization } : {}) };
  }

  routeAuthorization(value: unknown, path: KeyPath, authorizers: readonly HttpApiAuthorizer[]): RouteAuthorization {
    const a = typeof value === 'string' ? { name: value } : this.object(value, path, 'an object (name, scopes) or (type: aws_iam)');
    this.keys(a, path, ['name', 'scopes', 'id', 'type']);
    if (a.id !== undefined) this.fail([...path, 'id'], 'an authorizer created outside this project cannot be served; define it under provider.httpApi.authorizers and refer to it by name');
    if (a.type !== undefined) {
      const type = this.string(a.type, [...path, 'type']).toLowerCase();
      if (type !== 'aws_iam') this.fail([...path, 'type'], `must be aws_iam (other authorizers are referred to by name), got ${type}`);
      return { type: 'aws_iam' };
    }
    const key = this.string(a.name, [...path, 'name'], 'the name of an authorizer under provider.httpApi.authorizers');
    const authorizer = authorizers.find((x) => x.key === key);
    if (!authorizer) this.fail([...path, 'name'], `no authorizer "${key}" under provider.httpApi.authorizers (authorizers: ${authorizers.map((x) => x.key).join(', ') || 'none'})`);
    const scopes = a.scopes === undefined ? [] : this.strings(a.scopes, [...path, 'scopes']);
    if (scopes.length > 0 && authorizer.type !== 'jwt') this.fail([...path, 'scopes'], 'scopes apply to JWT authorizers only');
    return { type: 'authorizer', key, scopes };
  }

  cors(value: unknown, methods: ReadonlySet<string>): HttpApiCors | undefined {
    const path = ['provider', 'httpApi', 'cors'];
    if (value === undefined || value === false) return undefined;
    const allMethods = methods.has('*') ? ['*'] : ['OPTIONS', ...[...methods].filter((m) => m !== 'OPTIONS')];
    if (value === true) return { allowOrigins: ['*'], allowHeaders: DEFAULT_CORS_HEADERS, allowMethods: allMethods };
    const c = this.object(value, path, 'true or an object (allowedOrigins, allowedHeaders, allowedMethods, allowCredentials, exposedResponseHeaders, maxAge)');
    this.keys(c, path, ['allowedOrigins', 'allowedHeaders', 'allowedMethods', 'allowCredentials', 'exposedResponseHeaders', 'maxAge']);
    if (c.allowCredentials !== undefined && typeof c.allowCredentials !== 'boolean') this.fail([...path, 'allowCredentials'], 'must be true or false');
    return {
      allowOrigins: c.allowedOrigins === undefined ? ['*'] : this.strings(c.allowedOrigins, [...path, 'allowedOrigins']),
      allowHeaders: c.allowedHeaders === undefined ? DEFAULT_CORS_HEADERS : this.strings(c.allowedHeaders, [...path, 'allowedHeaders']),
      allowMethods: c.allowedMethods === undefined ? allMethods : this.strings(c.allowedMethods, [...path, 'allowedMethods']),
      ...(c.allowCredentials !== undefined ? { allowCredentials: c.allowCredentials } : {}),
      ...(c.exposedResponseHeaders !== undefined ? { exposeHeaders: this.strings(c.exposedResponseHeaders, [...path, 'exposedResponseHeaders']) } : {}),
      ...(c.maxAge !== undefined ? { maxAge: this.number(c.maxAge, [...path, 'maxAge'], 0, 86400) } : {}),
    };
  }

  webSocketApi(provider: Record<string, unknown>, events: readonly { event: unknown; fn: string; path: KeyPath }[], functions: ReadonlySet<string>, service: string, stage: string): WebSocketApiDefinition | undefined {
    if (events.length === 0) return undefined;
    const routeSelectionExpression =
      provider.websocketsApiRouteSelectionExpression === undefined ? '$request.body.action' : this.string(provider.websocketsApiRouteSelectionExpression, ['provider', 'websocketsApiRouteSelectionExpression']);
    const name = provider.websocketsApiName === undefined ? `${stage}-${service}-websockets` : this.string(provider.websocketsApiName, ['provider', 'websocketsApiName']);
    const description = provider.websocketsDescription === undefined ? 'Serverless Websockets' : this.string(provider.websocketsDescription, ['provider', 'websocketsDescription']);
    const routes: WebSocketRoute[] = [];
    const seen = new Map<string, KeyPath>();
    for (const { event, fn, path } of events) {
      const e = typeof event === 'string' ? { route: event } : this.object(event, path, 'a route key ($connect, $disconnect, $default, or your own) or an object (route, routeResponseSelectionExpression, authorizer)');
      this.keys(e, path, ['route', 'routeResponseSelectionExpression', 'authorizer']);
      const routeKey = this.string(e.route, [...path, 'route'], 'a route key');
      const before = seen.get(routeKey);
      if (before) this.fail(path, `route ${routeKey} is defined twice (also at ${this.doc.where(before)} ${showPath(before)}); keep one`);
      seen.set(routeKey, path);
      let rrse: string | undefined;
      if (e.routeResponseSelectionExpression !== undefined) {
        rrse = this.string(e.routeResponseSelectionExpression, [...path, 'routeResponseSelectionExpression']);
        if (rrse !== '$default') this.fail([...path, 'routeResponseSelectionExpression'], `must be $default (the only value the Framework and AWS take for WebSocket routes), got ${rrse}`);
      }
      let authorizer: WebSocketRoute['authorizer'];
      if (e.authorizer !== undefined) {
        const apath = [...path, 'authorizer'];
        if (routeKey !== '$connect') this.fail(apath, 'an authorizer can be set on the $connect route only');
        const a = typeof e.authorizer === 'string' ? { name: e.authorizer } : this.object(e.authorizer, apath, 'a function name or an object (name, identitySource)');
        this.keys(a, apath, ['name', 'identitySource', 'arn']);
        if (a.arn !== undefined) this.fail([...apath, 'arn'], 'a function outside this project cannot run locally; use name: with a function of this serverless.yml');
        const functionKey = this.string(a.name, [...apath, 'name'], 'the name of a function of this project');
        if (!functions.has(functionKey)) this.fail([...apath, 'name'], `no function "${functionKey}" under functions (functions: ${[...functions].join(', ')})`);
        const identitySource = a.identitySource === undefined ? ['route.request.header.Auth'] : this.strings(a.identitySource, [...apath, 'identitySource']);
        authorizer = { functionKey, identitySource };
      }
      routes.push({ routeKey, functionKey: fn, ...(rrse ? { routeResponseSelectionExpression: rrse } : {}), ...(authorizer ? { authorizer } : {}) });
    }
    return { name, description, routeSelectionExpression, routes };
  }
}
