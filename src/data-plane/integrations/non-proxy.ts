/**
 * Non-proxy integrations of WebSocket APIs (`AWS`, `HTTP`, `MOCK`): the request template selected by
 * the integration's `templateSelectionExpression` (`$default` fallback) and `passthroughBehavior`,
 * `contentHandlingStrategy`, then — when the client expects a reply — the integration response
 * selected by `integrationResponseSelectionExpression` (keys `$default` and `/regex/`) and its
 * response template. The backend call itself is the integration type's.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-data-transformations.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-responses.html
 */
import { isUtf8 } from 'node:buffer';
import type { IntegrationRecord, IntegrationResponseRecord } from '../../model/resources.js';
import { evaluateSelectionExpression, jsonPathValue, parseSelectionExpression, type ExpressionPart } from '../../model/selection-expression.js';
import { GatewayError, internalServerError, unsupportedMediaType } from '../errors.js';
import type { CompiledIntegration, GatewayResponse, Invocation } from '../invocation.js';
import { compileTemplate, TemplateError, type CompiledTemplate, type TemplateParams } from '../templates/vtl.js';
import { headersOf, queryOf, requestContextOf } from './websocket-events.js';

/** What a backend answered, before integration responses. */
export interface BackendResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
}

/** Calls the backend with the integration request body. */
export type Backend = (inv: Invocation, payload: Buffer) => Promise<BackendResponse>;

interface CompiledResponse {
  readonly record: IntegrationResponseRecord;
  readonly pattern: RegExp | undefined;
  readonly templates: ReadonlyMap<string, CompiledTemplate>;
  readonly selection: readonly ExpressionPart[] | undefined;
}

const EMPTY = Buffer.alloc(0);

/** Compiles a map of templates; a template that cannot be parsed fails the stage's compile of this integration. */
function compileTemplates(templates: Readonly<Record<string, string>> | undefined, where: string): Map<string, CompiledTemplate> {
  const out = new Map<string, CompiledTemplate>();
  for (const [key, source] of Object.entries(templates ?? {})) {
    try {
      out.set(key, compileTemplate(source));
    } catch (error) {
      throw new Error(`${where} template ${key}: ${(error as Error).message}`);
    }
  }
  return out;
}

const parseOptional = (expression: string | undefined, where: string): ExpressionPart[] | undefined => {
  if (expression === undefined || expression === '') return undefined;
  try {
    return parseSelectionExpression(expression);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
};

/** The parameters `$input.params()` offers: the `$connect` request's headers and query string (messages have none). */
function paramsOf(inv: Invocation): TemplateParams {
  if (inv.websocket?.eventType !== 'CONNECT') return { path: {}, querystring: {}, header: {} };
  return { path: {}, querystring: queryOf(inv.request.rawQueryString)?.single ?? {}, header: headersOf(inv.request.rawHeaders).headers };
}

const parseJson = (body: Buffer | string): unknown => {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
};

/** Renders a template; its failure is the integration's (500, the reason in the log). */
function render(template: CompiledTemplate, inv: Invocation, body: string, where: string): string {
  try {
    return template({ body, params: paramsOf(inv), context: requestContextOf(inv), stageVariables: inv.stage?.stageVariables ?? {} });
  } catch (error) {
    if (error instanceof TemplateError) throw internalServerError(`${where}: ${error.message}`);
    throw error;
  }
}

/** `CONVERT_TO_BINARY`: the text is base64 of the bytes to send; `CONVERT_TO_TEXT`: bytes that are not UTF-8 text become base64. */
function convert(payload: Buffer, strategy: string | undefined): Buffer {
  if (strategy === 'CONVERT_TO_BINARY') return Buffer.from(payload.toString('utf8'), 'base64');
  if (strategy === 'CONVERT_TO_TEXT' && !isUtf8(payload)) return Buffer.from(payload.toString('base64'), 'utf8');
  return payload;
}

/** Wraps a backend with the request and response mapping of a non-proxy integration. */
export function compileNonProxyIntegration(record: IntegrationRecord, responses: readonly IntegrationResponseRecord[], backend: Backend): CompiledIntegration {
  const at = `integration ${record.integrationId}`;
  const requestTemplates = compileTemplates(record.requestTemplates, `${at} request`);
  const templateSelection = parseOptional(record.templateSelectionExpression, `${at} templateSelectionExpression`);
  const passthrough = record.passthroughBehavior ?? 'WHEN_NO_MATCH';
  const responseSelection = parseOptional(record.integrationResponseSelectionExpression, `${at} integrationResponseSelectionExpression`);
  const compiled: CompiledResponse[] = responses.map((r) => {
    const m = /^\/(.+)\/$/.exec(r.integrationResponseKey);
    const where = `${at} integration response ${r.integrationResponseKey}`;
    return {
      record: r,
      // Keys are matched whole, as a REST selectionPattern (Java's String.matches) is.
      pattern: m ? new RegExp(`^(?:${m[1] as string})$`, 's') : undefined,
      templates: compileTemplates(r.responseTemplates, where),
      selection: parseOptional(r.templateSelectionExpression, `${where} templateSelectionExpression`),
    };
  });
  const fallback = compiled.find((r) => r.record.integrationResponseKey === '$default');

  /** The integration request body: the selected template's output, or the message passed through. */
  const requestPayload = (inv: Invocation): Buffer => {
    const message = (inv.body ?? EMPTY).toString('utf8');
    let key: string | undefined;
    if (templateSelection) key = evaluateSelectionExpression(templateSelection, (v) => jsonPathValue(v, 'request.body', parseJson(message)));
    const template = (key !== undefined ? requestTemplates.get(key) : undefined) ?? requestTemplates.get('$default');
    if (template) return Buffer.from(render(template, inv, message, `${at} request template`), 'utf8');
    const allowed = passthrough === 'WHEN_NO_MATCH' || (passthrough === 'WHEN_NO_TEMPLATES' && requestTemplates.size === 0);
    if (!allowed) throw unsupportedMediaType(`${at}: no request template for key ${key ?? '$default'} and passthroughBehavior ${passthrough}`);
    return convert(inv.body ?? EMPTY, record.contentHandlingStrategy);
  };

  /** The value integration response keys are matched against. */
  const selectionValue = (inv: Invocation, response: BackendResponse, parts: readonly ExpressionPart[]): string => {
    let parsed: { value: unknown } | undefined;
    const body = () => (parsed ??= { value: parseJson(response.body) }).value;
    return evaluateSelectionExpression(parts, (variable) => {
      if (variable === 'integration.response.statuscode') return String(response.statusCode);
      const header = /^integration\.response\.(multivalueheader|header)\.(.+)$/.exec(variable);
      if (header) {
        const name = (header[2] as string).toLowerCase();
        const value = Object.entries(response.headers).find(([k]) => k.toLowerCase() === name)?.[1];
        return Array.isArray(value) ? (header[1] === 'header' ? value[value.length - 1] : value.join(',')) : value;
      }
      if (variable.startsWith('integration.response.body')) return jsonPathValue(variable, 'integration.response.body', body());
      if (variable.startsWith('request.body')) return jsonPathValue(variable, 'request.body', parseJson(inv.body ?? EMPTY));
      if (variable.startsWith('context.')) return jsonPathValue(variable, 'context', requestContextOf(inv));
      return undefined;
    });
  };

  const respond = (inv: Invocation, response: BackendResponse): GatewayResponse => {
    const value = responseSelection ? selectionValue(inv, response, responseSelection) : String(response.statusCode);
    const selected = compiled.find((r) => r.pattern?.test(value)) ?? fallback;
    if (!selected) {
      // REST answers this configuration with a 500; for WebSocket APIs AWS documents nothing, so nothing is sent.
      // TODO(parity): unverified what a two-way WebSocket route without a matching integration response sends.
      inv.integration = { ...inv.integration, error: `${at}: No match for output mapping and no default output mapping configured. Endpoint Response Status Code: ${response.statusCode}` };
      return { statusCode: response.statusCode, headers: {} };
    }
    let body = convert(response.body, selected.record.contentHandlingStrategy);
    if (selected.templates.size > 0) {
      const key = selected.selection ? selectionValue(inv, response, selected.selection) : undefined;
      const template = (key !== undefined ? selected.templates.get(key) : undefined) ?? selected.templates.get('$default');
      if (template) body = Buffer.from(render(template, inv, response.body.toString('utf8'), `${at} response template`), 'utf8');
    }
    return { statusCode: response.statusCode, headers: {}, body };
  };

  return {
    async invoke(inv) {
      const payload = requestPayload(inv);
      let response: BackendResponse;
      const started = Date.now();
      try {
        response = await backend(inv, payload);
      } catch (error) {
        const detail = error instanceof GatewayError ? (error.detail ?? error.message) : String(error);
        inv.integration = { latencyMs: Date.now() - started, error: detail };
        throw error instanceof GatewayError ? error : internalServerError(detail);
      }
      inv.integration = { latencyMs: Date.now() - started, status: response.statusCode };
      if (!inv.websocket?.expectsReply) return { statusCode: response.statusCode, headers: {} };
      return respond(inv, response);
    },
  };
}
