/**
 * WebSocket routing of a compiled stage (SPEC §F.1, §F.4): the routes by key, route selection of
 * each message with the API's `routeSelectionExpression`, request validation against the route's
 * `requestModels` (validators compiled with the stage), required `$connect` parameters and the API key
 * a `$connect` presents (`apiKeySelectionExpression`). Compiled by the stage compiler (snapshot.ts).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-request-validation.html
 */
import type { Throttle } from '../throttle.js';
import type { DeploymentSnapshot, RouteRecord } from '../../model/resources.js';
import { compileValidator, type Validator } from '../../model/json-schema-validate.js';
import { evaluateSelectionExpression, jsonPathValue, parseSelectionExpression, type ExpressionPart } from '../../model/selection-expression.js';
import { compileIdentitySource } from '../authorizers/identity-source.js';
import type { CompiledRoute, CompiledWebSocketRouting, Invocation, WebSocketRouteParts } from '../invocation.js';
import { own } from '../../model/own.js';

/** Compiles the WebSocket-only parts of routes; the models are compiled once, when a route first names them. */
export function webSocketRouteParts(snapshot: DeploymentSnapshot, unsupported: string[]): (route: RouteRecord) => WebSocketRouteParts {
  const models = modelValidators(snapshot, unsupported);
  return (route) => {
    const responses = snapshot.routeResponses[route.routeId] ?? [];
    return {
      twoWay: route.routeResponseSelectionExpression === '$default' && responses.some((r) => r.routeResponseKey === '$default'),
      validateMessage: snapshot.api.disableSchemaValidation ? undefined : messageValidator(route, models, unsupported),
      requiredParameters: requiredParameters(route, unsupported),
    };
  };
}

/** The message routing of a WebSocket stage over its compiled routes. */
export function compileWebSocketRouting(
  snapshot: DeploymentSnapshot,
  routes: readonly CompiledRoute[],
  connectThrottle: Throttle | undefined,
  unsupported: string[],
): CompiledWebSocketRouting {
  const byKey = new Map(routes.map((r) => [r.routeKey, r]));
  let selection: ExpressionPart[] | undefined;
  try {
    selection = parseSelectionExpression(snapshot.api.routeSelectionExpression ?? '');
  } catch {
    unsupported.push(`routeSelectionExpression ${snapshot.api.routeSelectionExpression} cannot be parsed; every message goes to $default`);
  }
  const selectRouteKey = (message: string): string => {
    if (!selection) return '$default';
    let body: unknown;
    try {
      body = JSON.parse(message);
    } catch {
      return '$default';
    }
    return evaluateSelectionExpression(selection, (variable) => jsonPathValue(variable, 'request.body', body));
  };
  return {
    routes: byKey,
    selectRouteKey,
    selectRoute(message) {
      const key = selectRouteKey(message);
      const exact = key.startsWith('$') && key !== '$default' ? undefined : byKey.get(key);
      return exact ?? byKey.get('$default');
    },
    connectThrottle: byKey.get('$connect')?.throttle ?? connectThrottle,
    apiKeyOf: apiKeyReader(snapshot.api.apiKeySelectionExpression, unsupported),
    unsupported,
  };
}

/**
 * `apiKeySelectionExpression`: `$request.header.x-api-key` (the default) or
 * `$context.authorizer.usageIdentifierKey` (the key the `$connect` Lambda authorizer returned).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-selection-expressions.html#apigateway-websocket-api-apikey-selection-expressions
 */
function apiKeyReader(expression: string | undefined, unsupported: string[]): (inv: Invocation) => string | undefined {
  const source = expression || '$request.header.x-api-key';
  const header = /^\$request\.header\.(.+)$/.exec(source);
  if (header) {
    const name = (header[1] as string).toLowerCase();
    return (inv) => {
      const value = own(inv.request.headers, name);
      const text = Array.isArray(value) ? value.join(',') : value;
      return text === undefined || text === '' ? undefined : text;
    };
  }
  if (source === '$context.authorizer.usageIdentifierKey') {
    return (inv) => {
      const value = inv.websocket?.connection.authorizer?.usageIdentifierKey;
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
  }
  unsupported.push(`apiKeySelectionExpression ${source} cannot be evaluated; API keys are never found`);
  return () => undefined;
}

const PARAMETER = /^route\.request\.(?:header|querystring)\.(.+)$/;

/** The route's required request parameters, compiled once; ones Gatehouse cannot check are reported. */
function requiredParameters(route: RouteRecord, unsupported: string[]): WebSocketRouteParts['requiredParameters'] {
  const out: { name: string; read: (inv: Invocation) => string | undefined }[] = [];
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
    if (selection && json) model = byKey.get(evaluateSelectionExpression(selection, (variable) => jsonPathValue(variable, 'request.body', body)));
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
