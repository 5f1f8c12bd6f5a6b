/**
 * WebSocket route tables (SPEC §F.1, §F.4): compiled once per CompiledStage (WeakMap), and route
 * selection of each incoming message with the API's `routeSelectionExpression`.
 */
import type { IntegrationRecord, RouteRecord } from '../control-plane/records.js';
import type { CompiledStage } from '../data-plane/invocation.js';
import { parseSelectionExpression, type ExpressionPart } from '../model/selection-expression.js';

/** One route of a WebSocket stage. */
export interface WsRoute {
  readonly route: RouteRecord;
  readonly routeKey: string;
  /** Undefined when the route has no (existing) integration target. */
  readonly integration: IntegrationRecord | undefined;
  /** `routeResponseSelectionExpression: $default` and a `$default` route response (TRAPS 37). */
  readonly twoWay: boolean;
}

/** A WebSocket stage's routes and its selection expression. */
export interface WsStageTable {
  readonly routes: ReadonlyMap<string, WsRoute>;
  /** Undefined when the expression cannot be parsed (every message then goes to `$default`). */
  readonly selection: readonly ExpressionPart[] | undefined;
  /** What this stage configures that Gatehouse does not do (logged once per compiled stage). */
  readonly unsupported: readonly string[];
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
  for (const route of snapshot.routes) {
    if (route.requestModels && Object.keys(route.requestModels).length > 0 && !snapshot.api.disableSchemaValidation) {
      unsupported.push(`route ${route.routeKey}: request models are not validated`);
    }
    const target = route.target?.startsWith('integrations/') ? route.target.slice('integrations/'.length) : undefined;
    const responses = snapshot.routeResponses[route.routeId] ?? [];
    routes.set(route.routeKey, {
      route,
      routeKey: route.routeKey,
      integration: target === undefined ? undefined : integrations.get(target),
      twoWay: route.routeResponseSelectionExpression === '$default' && responses.some((r) => r.routeResponseKey === '$default'),
    });
  }
  let selection: ExpressionPart[] | undefined;
  try {
    selection = parseSelectionExpression(snapshot.api.routeSelectionExpression ?? '');
  } catch {
    selection = undefined;
    unsupported.push(`routeSelectionExpression ${snapshot.api.routeSelectionExpression} cannot be parsed; every message goes to $default`);
  }
  return { routes, selection, unsupported };
}

const scalar = (value: unknown): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));

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

/** The route that handles a message: exact key, else `$default`, else undefined (the client gets "Forbidden"). */
export function selectRoute(table: WsStageTable, message: string): WsRoute | undefined {
  const key = selectRouteKey(table, message);
  const exact = key.startsWith('$') && key !== '$default' ? undefined : table.routes.get(key);
  return exact ?? table.routes.get('$default');
}
