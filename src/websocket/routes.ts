/**
 * WebSocket route tables (SPEC §F.1, §F.4): compiled once per CompiledStage (WeakMap), route
 * selection of each incoming message with the API's `routeSelectionExpression`, and request
 * validation against the route's `requestModels` (model validators compiled with the table).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-request-validation.html
 */
import type { DeploymentSnapshot, IntegrationRecord, RouteRecord } from '../model/resources.js';
import type { CompiledStage } from '../data-plane/invocation.js';
import { compileIdentitySource, type IdentitySourceAccessor } from '../data-plane/authorizers/identity-source.js';
import { bucketFor, type ThrottleSettings } from '../data-plane/throttle.js';
import { compileValidator, type Validator } from '../model/json-schema-validate.js';
import { parseSelectionExpression, type ExpressionPart } from '../model/selection-expression.js';

/** One route of a WebSocket stage. */
export interface WsRoute {
  readonly route: RouteRecord;
  readonly routeKey: string;
  /** Undefined when the route has no (existing) integration target. */
  readonly integration: IntegrationRecord | undefined;
  /** `routeResponseSelectionExpression: $default` and a `$default` route response (TRAPS 37). */
  readonly twoWay: boolean;
  /**
   * Request validation (SPEC §F.4): false when the message fails the model its route selects (the
   * client then gets "Bad request body" and the integration is not called). Undefined when the route
   * validates nothing (no `requestModels`, or the API has `disableSchemaValidation`).
   */
  readonly validateMessage: ((message: string) => boolean) | undefined;
  /** The route's token bucket (`routeSettings[routeKey]` over `defaultRouteSettings`); undefined = unthrottled. */
  readonly throttle: { take(): boolean } | undefined;
  /**
   * `requestParameters` marked `required` (enforced on `$connect` only, before the authorizer): each
   * with the name reported to the client and its compiled accessor.
   */
  readonly requiredParameters: readonly RequiredParameter[];
}

/** A required route request parameter (`route.request.header.X` / `route.request.querystring.Y`). */
export interface RequiredParameter {
  readonly name: string;
  readonly read: IdentitySourceAccessor;
}

/** A cached `$connect` Lambda authorizer result (SPEC §E.7 caching; keyed by authorizer id + identity-source values). */
export interface CachedAuthorization {
  readonly expiresAt: number;
  readonly value: unknown;
}

/** A WebSocket stage's routes and its selection expression. */
export interface WsStageTable {
  readonly routes: ReadonlyMap<string, WsRoute>;
  /** Undefined when the expression cannot be parsed (every message then goes to `$default`). */
  readonly selection: readonly ExpressionPart[] | undefined;
  /** What this stage configures that Gatehouse does not do (logged once per compiled stage). */
  readonly unsupported: readonly string[];
  /** The bucket of `$connect` handshakes (applies even when the API has no `$connect` route). */
  readonly connectThrottle: { take(): boolean } | undefined;
  /** `$connect` authorizer results of this compiled stage (a redeploy starts empty). */
  readonly authorizerCache: Map<string, CachedAuthorization>;
}

const tables = new WeakMap<CompiledStage, WsStageTable>();

/** The route table of a compiled stage (compiled on first use, then cached for the stage's life). */
export function routeTableOf(stage: CompiledStage): WsStageTable {
  let table = tables.get(stage);
  if (!table) tables.set(stage, (table = compileTable(stage)));
  return table;
}

function compileTable(stage: CompiledStage): WsStageTable {
  const { snapshot } = stage;
  const integrations = new Map(snapshot.integrations.map((i) => [i.integrationId, i]));
  const routes = new Map<string, WsRoute>();
  const unsupported: string[] = [];
  const models = modelValidators(snapshot, unsupported);
  for (const route of snapshot.routes) {
    const target = route.target?.startsWith('integrations/') ? route.target.slice('integrations/'.length) : undefined;
    const responses = snapshot.routeResponses[route.routeId] ?? [];
    routes.set(route.routeKey, {
      route,
      routeKey: route.routeKey,
      integration: target === undefined ? undefined : integrations.get(target),
      twoWay: route.routeResponseSelectionExpression === '$default' && responses.some((r) => r.routeResponseKey === '$default'),
      validateMessage: snapshot.api.disableSchemaValidation ? undefined : messageValidator(route, models, unsupported),
      throttle: routeThrottle(stage, route.routeKey),
      requiredParameters: requiredParameters(route, unsupported),
    });
  }
  const connectThrottle = routes.get('$connect')?.throttle ?? routeThrottle(stage, '$connect');
  let selection: ExpressionPart[] | undefined;
  try {
    selection = parseSelectionExpression(snapshot.api.routeSelectionExpression ?? '');
  } catch {
    selection = undefined;
    unsupported.push(`routeSelectionExpression ${snapshot.api.routeSelectionExpression} cannot be parsed; every message goes to $default`);
  }
  return { routes, selection, unsupported, connectThrottle, authorizerCache: new Map() };
}

function routeThrottle(stage: CompiledStage, routeKey: string): { take(): boolean } | undefined {
  // Stages built by hand (unit tests) may carry no stage record: nothing to throttle then.
  const record = stage.stageRecord as CompiledStage['stageRecord'] | undefined;
  if (!record) return undefined;
  return bucketFor({ ...(record.defaultRouteSettings as ThrottleSettings), ...((record.routeSettings[routeKey] ?? {}) as ThrottleSettings) });
}

const PARAMETER = /^route\.request\.(?:header|querystring)\.(.+)$/;

/** The route's required request parameters, compiled once; ones Gatehouse cannot check are reported. */
function requiredParameters(route: RouteRecord, unsupported: string[]): RequiredParameter[] {
  const out: RequiredParameter[] = [];
  for (const [key, settings] of Object.entries(route.requestParameters ?? {})) {
    if (!settings.required) continue;
    if (route.routeKey !== '$connect') {
      unsupported.push(`route ${route.routeKey}: required request parameter ${key} is only enforced on $connect`);
      continue;
    }
    const name = PARAMETER.exec(key)?.[1];
    const read = name === undefined ? undefined : compileIdentitySource(key);
    if (name === undefined || !read) {
      unsupported.push(`route ${route.routeKey}: required request parameter ${key} cannot be checked (only route.request.header.* and route.request.querystring.*)`);
      continue;
    }
    out.push({ name, read });
  }
  return out;
}

/** A selected value as text; a non-scalar is its JSON, or `''` when it is nested too deep to stringify (no key is that long). */
function scalar(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return typeof value === 'string' ? value : String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return '';
  }
}

/** Evaluates `request.body.a.b` against a parsed body: a missing path is `''`; non-scalars are stringified. */
function variableValue(variable: string, body: unknown): string {
  if (variable !== 'request.body' && !variable.startsWith('request.body.')) return '';
  let value: unknown = body;
  for (const key of variable === 'request.body' ? [] : variable.slice('request.body.'.length).split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return '';
    value = (value as Record<string, unknown>)[key];
  }
  return scalar(value);
}

/** The route key a message selects (before falling back to `$default`); non-JSON text selects `$default`. */
export function selectRouteKey(table: WsStageTable, message: string): string {
  if (!table.selection) return '$default';
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return '$default';
  }
  let key = '';
  for (const part of table.selection) key += 'literal' in part ? part.literal : variableValue(part.variable, body);
  return key;
}

/** A model's validator, or the reason it could not be compiled (its messages are then rejected). */
type CompiledModel = Validator | { readonly error: string };

/**
 * The validators of the snapshot's models by name, each compiled once (when the first route names it).
 * A `$ref` to another model (`…/models/{name}`) resolves to that model's schema.
 */
function modelValidators(snapshot: DeploymentSnapshot, unsupported: string[]): (name: string) => CompiledModel {
  const records = new Map(snapshot.models.map((m) => [m.name, m]));
  const parsed = new Map<string, object | undefined>();
  const parse = (name: string): object | undefined => {
    if (!parsed.has(name)) {
      let schema: unknown;
      try {
        schema = JSON.parse(records.get(name)?.schema ?? '');
      } catch {
        schema = undefined;
      }
      parsed.set(name, typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? schema : undefined);
    }
    return parsed.get(name);
  };
  const resolveRef = (ref: string): object | undefined => {
    const m = /\/models\/([^/#?]+)$/.exec(ref);
    if (!m) return undefined;
    try {
      return parse(decodeURIComponent(m[1] as string));
    } catch {
      return undefined;
    }
  };
  const compiled = new Map<string, CompiledModel>();
  return (name) => {
    let model = compiled.get(name);
    if (!model) {
      const schema = parse(name);
      if (!records.has(name)) model = { error: 'no model of that name in the deployment' };
      else if (!schema) model = { error: 'its schema is not a JSON object' };
      else {
        try {
          model = compileValidator(schema, resolveRef);
        } catch (error) {
          model = { error: error instanceof Error ? error.message : String(error) };
        }
      }
      if (typeof model !== 'function') unsupported.push(`model ${name} cannot be compiled (${model.error}); messages that select it are rejected`);
      compiled.set(name, model);
    }
    return model;
  };
}

/**
 * The request validation of a route: the model is chosen by evaluating `modelSelectionExpression` on
 * the message and looking the result up in `requestModels`, falling back to the `$default` key (the
 * only key used when the route has no expression); no model, no validation. Non-JSON messages fail.
 */
function messageValidator(route: RouteRecord, models: (name: string) => CompiledModel, unsupported: string[]): ((message: string) => boolean) | undefined {
  const requestModels = route.requestModels ?? {};
  const names = Object.keys(requestModels);
  if (names.length === 0) return undefined;
  const byKey = new Map<string, CompiledModel>(names.map((key) => [key, models(requestModels[key] as string)]));
  let selection: ExpressionPart[] | undefined;
  if (route.modelSelectionExpression) {
    try {
      selection = parseSelectionExpression(route.modelSelectionExpression);
    } catch {
      unsupported.push(`route ${route.routeKey}: modelSelectionExpression ${route.modelSelectionExpression} cannot be parsed; only its $default model applies`);
    }
  }
  return (message) => {
    let body: unknown;
    let json = true;
    try {
      body = JSON.parse(message);
    } catch {
      json = false;
    }
    let model: CompiledModel | undefined;
    if (selection && json) {
      let key = '';
      for (const part of selection) key += 'literal' in part ? part.literal : variableValue(part.variable, body);
      model = byKey.get(key);
    }
    model ??= byKey.get('$default');
    if (!model) return true;
    if (!json || typeof model !== 'function') return false;
    try {
      // Validation is bounded (depth, nesting, work) and fails rather than throws; this is the last guard.
      return model(body);
    } catch {
      return false;
    }
  };
}

/** The route that handles a message: exact key, else `$default`, else undefined (the client gets "Forbidden"). */
export function selectRoute(table: WsStageTable, message: string): WsRoute | undefined {
  const key = selectRouteKey(table, message);
  const exact = key.startsWith('$') && key !== '$default' ? undefined : table.routes.get(key);
  return exact ?? table.routes.get('$default');
}
