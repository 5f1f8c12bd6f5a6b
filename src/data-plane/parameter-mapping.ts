/**
 * Parameter mapping of HTTP API integrations, compiled once per integration into plans.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html
 *
 * Values are templates: static text mixed with `$request.header.x`, `$request.querystring.x`, `$request.body`,
 * `$request.body.<jsonpath>`, `$request.path`, `$request.path.<var>`, `$context.<var>`, `$stageVariables.<var>`
 * (response side: `$response.header.x`, `$response.body[.<jsonpath>]`, `$context.*`, `$stageVariables.*`), with
 * `${...}` braces delimiting a variable inside text. Decisions where AWS is silent (all [unverified]):
 * - a mapping whose value references a variable that has no value (absent header, missing JSON field) is skipped;
 * - every value is read from the client's request / the backend's response as received, never from what an
 *   earlier mapping of the same plan wrote; operations apply in the order remove, overwrite, append;
 * - variable values written into `overwrite:path` are percent-encoded (keeping `/`); static text and
 *   `$request.path` (already encoded as received) are written as they are;
 * - a mapped header value with characters HTTP forbids (CR, LF, controls) is skipped;
 * - an invalid key or a reserved header (refused at configuration time anyway) is ignored, never applied.
 */
import { decodeQueryComponent } from './query-string.js';
import { isReservedHeader, parseMappingKey } from '../model/parameter-mapping.js';
import { compileContextVariable } from './context-variables.js';
import type { GatewayResponse, Invocation } from './invocation.js';
import { own } from '../model/own.js';

/** JSONPath sources see only the first 100 KB of a body. */
export const MAPPING_BODY_LIMIT = 100 * 1024;

type Getter = (ctx: MappingContext) => string | undefined;

/** One piece of a template: static text (`get` undefined) or a variable. `raw` parts are never re-encoded. */
interface Part {
  readonly text: string;
  readonly get: Getter | undefined;
  readonly raw: boolean;
  readonly body: boolean;
}

/** The sources one plan application reads, with per-request parsing done at most once. */
class MappingContext {
  #query: Map<string, string> | undefined;
  #requestJson: unknown = UNPARSED;
  #responseJson: unknown = UNPARSED;

  constructor(
    readonly inv: Invocation,
    readonly response?: GatewayResponse,
    readonly responseBody?: Buffer | string,
  ) {}

  query(name: string): string | undefined {
    this.#query ??= parseQuery(this.inv.request.rawQueryString);
    return this.#query.get(name);
  }

  requestJson(): unknown {
    if (this.#requestJson === UNPARSED) this.#requestJson = parseJsonPrefix(this.inv.body);
    return this.#requestJson;
  }

  responseJson(): unknown {
    if (this.#responseJson === UNPARSED) this.#responseJson = parseJsonPrefix(this.responseBody);
    return this.#responseJson;
  }
}

const UNPARSED = Symbol('unparsed');
const INVALID = Symbol('invalid');

function parseJsonPrefix(body: Buffer | string | undefined): unknown {
  if (body === undefined || body.length === 0) return INVALID;
  const text = typeof body === 'string' ? body.slice(0, MAPPING_BODY_LIMIT) : body.subarray(0, MAPPING_BODY_LIMIT).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

/** Decoded query parameters; repeated names comma-joined as AWS does. */
function parseQuery(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === '') return out;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeQueryComponent(pair.slice(eq + 1));
    const prev = out.get(name);
    out.set(name, prev === undefined ? value : `${prev},${value}`);
  }
  return out;
}

/** A request header, case-insensitively; repeated headers joined with `,` (node joins with `, `, so read rawHeaders). */
function requestHeader(inv: Invocation, lower: string): string | undefined {
  const raw = inv.request.rawHeaders;
  if (raw.length === 0) {
    const v = own(inv.request.headers, lower);
    return Array.isArray(v) ? v.join(',') : v;
  }
  let out: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === lower.length && name.toLowerCase() === lower) out = out === undefined ? raw[i + 1] : `${out},${raw[i + 1]}`;
  }
  return out;
}

type PathStep = string | number;

/** Compiles `.a.b[0]['c']` (what follows `body`); null for what HTTP APIs do not support (`..`, filters, `*`). */
function compileJsonPath(expr: string): PathStep[] | null {
  const steps: PathStep[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '.') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== '.' && expr[j] !== '[') j++;
      const name = expr.slice(i + 1, j);
      if (name === '' || name === '*') return null;
      steps.push(name);
      i = j;
    } else if (c === '[') {
      const close = expr.indexOf(']', i);
      if (close === -1) return null;
      const inner = expr.slice(i + 1, close).trim();
      const quoted = /^(['"])(.*)\1$/.exec(inner);
      if (quoted) steps.push(quoted[2] as string);
      else if (/^\d+$/.test(inner)) steps.push(Number(inner));
      else return null;
      i = close + 1;
    } else {
      return null;
    }
  }
  return steps;
}

function selectJson(root: unknown, steps: readonly PathStep[]): string | undefined {
  if (root === INVALID) return undefined;
  let node = root;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? (typeof step === 'number' ? (node[step] as unknown) : undefined) : (node as Record<string, unknown>)[String(step)];
    if (node === undefined) return undefined;
  }
  if (typeof node === 'string') return node;
  if (node !== null && typeof node === 'object') return JSON.stringify(node);
  return String(node as number | boolean | null);
}

function bodyText(body: Buffer | string | undefined): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : body.toString('utf8');
}

function jsonGetter(rest: string, root: (ctx: MappingContext) => unknown): Getter {
  const steps = compileJsonPath(rest);
  return steps === null ? () => undefined : (ctx) => selectJson(root(ctx), steps);
}

/** Resolves a variable expression (without `$`, e.g. `request.header.x`) for one side; undefined = not a variable. */
function compileVariable(expr: string, side: 'request' | 'response'): Omit<Part, 'text'> | undefined {
  const dot = (prefix: string): string | undefined => (expr.startsWith(prefix) && expr.length > prefix.length ? expr.slice(prefix.length) : undefined);
  let name: string | undefined;
  if ((name = dot('context.')) !== undefined) {
    const read = compileContextVariable(name);
    return { get: (ctx) => read(ctx.inv), raw: false, body: false };
  }
  if ((name = dot('stageVariables.')) !== undefined) {
    const key = name;
    return { get: (ctx) => own(ctx.inv.stage?.stageVariables, key), raw: false, body: false };
  }
  if (side === 'request') {
    if ((name = dot('request.header.')) !== undefined) {
      const lower = name.toLowerCase();
      return { get: (ctx) => requestHeader(ctx.inv, lower), raw: false, body: false };
    }
    if ((name = dot('request.querystring.')) !== undefined) {
      const key = name;
      return { get: (ctx) => ctx.query(key), raw: false, body: false };
    }
    if (expr === 'request.path') return { get: (ctx) => ctx.inv.routePath ?? ctx.inv.request.path, raw: true, body: false };
    if ((name = dot('request.path.')) !== undefined) {
      const key = name;
      return { get: (ctx) => ctx.inv.pathParameters?.[key], raw: false, body: false };
    }
    if (expr === 'request.body') return { get: (ctx) => bodyText(ctx.inv.body), raw: false, body: true };
    if (expr.startsWith('request.body.') || expr.startsWith('request.body[')) {
      return { get: jsonGetter(expr.slice('request.body'.length), (ctx) => ctx.requestJson()), raw: false, body: true };
    }
    return undefined;
  }
  if ((name = dot('response.header.')) !== undefined) {
    const lower = name.toLowerCase();
    return {
      get: (ctx) => {
        const v = own(ctx.response?.headers, lower);
        return Array.isArray(v) ? v.join(',') : v;
      },
      raw: false,
      body: false,
    };
  }
  // `$response.body` is the first 100 KB: the whole body of a streamed response is never held.
  if (expr === 'response.body') return { get: (ctx) => bodyText(ctx.responseBody), raw: false, body: true };
  if (expr.startsWith('response.body.') || expr.startsWith('response.body[')) {
    return { get: jsonGetter(expr.slice('response.body'.length), (ctx) => ctx.responseJson()), raw: false, body: true };
  }
  return undefined;
}

const BARE_CHAR = /[A-Za-z0-9_.\-[\]]/;

/** A compiled mapping value. */
export class Template {
  readonly needsBody: boolean;

  constructor(readonly parts: readonly Part[]) {
    this.needsBody = parts.some((p) => p.body);
  }

  /** The value, or undefined when a referenced variable has none. `encode` is applied to non-raw variable values. */
  render(ctx: MappingContext, encode?: (s: string) => string): string | undefined {
    let out = '';
    for (const part of this.parts) {
      if (part.get === undefined) {
        out += part.text;
        continue;
      }
      const v = part.get(ctx);
      if (v === undefined) return undefined;
      out += encode !== undefined && !part.raw ? encode(v) : v;
    }
    return out;
  }
}

/** Splits a mapping value into static text and variables; a `$` that starts no known variable is text. */
export function compileTemplate(value: string, side: 'request' | 'response'): Template {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    const dollar = value.indexOf('$', i);
    if (dollar === -1) {
      text += value.slice(i);
      break;
    }
    text += value.slice(i, dollar);
    let expr: string;
    let end: number;
    if (value[dollar + 1] === '{') {
      const close = value.indexOf('}', dollar + 2);
      if (close === -1) {
        text += value.slice(dollar);
        break;
      }
      expr = value.slice(dollar + 2, close);
      end = close + 1;
    } else {
      end = dollar + 1;
      while (end < value.length && BARE_CHAR.test(value[end] as string)) end++;
      while (end > dollar + 1 && value[end - 1] === '.') end--; // "id $context.requestId." ends the variable
      expr = value.slice(dollar + 1, end);
    }
    const variable = compileVariable(expr, side);
    if (variable === undefined) {
      text += value.slice(dollar, end);
    } else {
      if (text !== '') parts.push({ text, get: undefined, raw: true, body: false });
      text = '';
      parts.push({ text: '', ...variable });
    }
    i = end;
  }
  if (text !== '') parts.push({ text, get: undefined, raw: true, body: false });
  return new Template(parts);
}

/**
 * A query string being rewritten. The client's query is kept verbatim until a mapping touches it; parameters the
 * mappings write are percent-encoded.
 */
export class QueryString {
  #raw: string;
  #pairs: Array<[name: string, encoded: string]> | undefined;

  constructor(raw: string) {
    this.#raw = raw;
  }

  #list(): Array<[string, string]> {
    if (this.#pairs === undefined) {
      this.#pairs = [];
      if (this.#raw !== '') {
        for (const pair of this.#raw.split('&')) {
          if (pair === '') continue;
          const eq = pair.indexOf('=');
          this.#pairs.push([decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq)), pair]);
        }
      }
    }
    return this.#pairs;
  }

  /** Values of `name` (decoded). */
  getAll(name: string): string[] {
    return this.#list()
      .filter((p) => p[0] === name)
      .map((p) => {
        const eq = p[1].indexOf('=');
        return eq === -1 ? '' : decodeQueryComponent(p[1].slice(eq + 1));
      });
  }

  append(name: string, value: string): void {
    this.#list().push([name, `${encodeURIComponent(name)}=${encodeURIComponent(value)}`]);
  }

  set(name: string, value: string): void {
    this.delete(name);
    this.append(name, value);
  }

  delete(name: string): void {
    this.#pairs = this.#list().filter((p) => p[0] !== name);
  }

  /** The query string without `?` (`''` when empty). */
  toString(): string {
    return this.#pairs === undefined ? this.#raw : this.#pairs.map((p) => p[1]).join('&');
  }
}

/** What request mapping rewrites: the integration request being built. Header names lower-case; `path` percent-encoded. */
export interface RequestMappingTarget {
  headers: Record<string, string>;
  query: QueryString;
  path: string;
}

/** A compiled `requestParameters` plan. */
export interface RequestMapping {
  /** The plan reads `$request.body`: the caller must buffer the body into `inv.body` before `apply`. */
  readonly needsBody: boolean;
  readonly mapsQuery: boolean;
  readonly mapsPath: boolean;
  apply(inv: Invocation, target: RequestMappingTarget): void;
}

/** A compiled `responseParameters` entry for one status code. */
export interface ResponseMapping {
  /** The plan reads `$response.body`: the caller passes (at least) the first 100 KB of the body to `apply`. */
  readonly needsBody: boolean;
  apply(inv: Invocation, response: GatewayResponse, body?: Buffer | string): void;
}

/** Compiled `responseParameters`: the plan for a backend status code, if any. */
export interface ResponseMappings {
  forStatus(statusCode: number): ResponseMapping | undefined;
}

type Action = 'append' | 'overwrite' | 'remove';
interface Op {
  readonly action: Action;
  readonly location: 'header' | 'querystring' | 'statuscode';
  readonly name: string;
  readonly template: Template;
}

const ORDER: Record<Action, number> = { remove: 0, overwrite: 1, append: 2 };
const BAD_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Parses keys once; invalid keys and reserved headers are dropped (configuration already refuses them). */
function compileOps(params: Readonly<Record<string, string>>, side: 'request' | 'response'): { ops: Op[]; path: Template | undefined } {
  const ops: Op[] = [];
  let path: Template | undefined;
  for (const [key, value] of Object.entries(params)) {
    let parsed;
    try {
      parsed = parseMappingKey(key, side);
    } catch {
      continue;
    }
    const template = compileTemplate(value, side);
    if (!('name' in parsed)) {
      if (parsed.location === 'path') path = template;
      else ops.push({ action: 'overwrite', location: 'statuscode', name: '', template });
    } else if (parsed.location === 'querystring') ops.push({ action: parsed.action, location: 'querystring', name: parsed.name, template });
    else if (!isReservedHeader(parsed.name)) ops.push({ action: parsed.action, location: 'header', name: parsed.name.toLowerCase(), template });
  }
  ops.sort((a, b) => ORDER[a.action] - ORDER[b.action]);
  return { ops, path };
}

const encodePathValue = (s: string): string => encodeURIComponent(s).replace(/%2F/gi, '/');

/** Compiles an integration's `requestParameters` (integrations without a subtype); undefined when there are none. */
export function compileRequestMapping(params: Readonly<Record<string, string>> | undefined): RequestMapping | undefined {
  if (params === undefined) return undefined;
  const { ops, path } = compileOps(params, 'request');
  if (ops.length === 0 && path === undefined) return undefined;
  return {
    needsBody: ops.some((op) => op.template.needsBody) || (path?.needsBody ?? false),
    mapsQuery: ops.some((op) => op.location === 'querystring'),
    mapsPath: path !== undefined,
    apply(inv, target) {
      const ctx = new MappingContext(inv);
      for (const op of ops) {
        if (op.action === 'remove') {
          if (op.location === 'header') delete target.headers[op.name];
          else target.query.delete(op.name);
          continue;
        }
        const value = op.template.render(ctx);
        if (value === undefined) continue;
        if (op.location === 'querystring') {
          if (op.action === 'overwrite') target.query.set(op.name, value);
          else target.query.append(op.name, value);
        } else if (!BAD_HEADER_VALUE.test(value)) {
          const prev = own(target.headers, op.name);
          target.headers[op.name] = op.action === 'append' && prev !== undefined ? `${prev},${value}` : value;
        }
      }
      if (path !== undefined) {
        const value = path.render(ctx, encodePathValue);
        if (value !== undefined) target.path = value.startsWith('/') ? value : `/${value}`;
      }
    },
  };
}

function appendHeader(headers: Record<string, string | string[]>, name: string, value: string): void {
  const prev = own(headers, name);
  if (prev === undefined) headers[name] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else headers[name] = name === 'set-cookie' ? [prev, value] : `${prev},${value}`;
}

function compileResponsePlan(params: Readonly<Record<string, string>>): ResponseMapping | undefined {
  const { ops } = compileOps(params, 'response');
  if (ops.length === 0) return undefined;
  return {
    needsBody: ops.some((op) => op.template.needsBody),
    apply(inv, response, body) {
      const ctx = new MappingContext(inv, response, body);
      // Read every value before writing any, so `$response.header.x` is the backend's header.
      const values = ops.map((op) => (op.action === 'remove' ? '' : op.template.render(ctx)));
      ops.forEach((op, i) => {
        const value = values[i];
        if (op.action === 'remove') delete response.headers[op.name];
        else if (value === undefined) return;
        else if (op.location === 'statuscode') {
          const code = Number(value.trim());
          if (Number.isInteger(code) && code >= 100 && code <= 599) response.statusCode = code;
        } else if (BAD_HEADER_VALUE.test(value)) return;
        else if (op.action === 'overwrite') response.headers[op.name] = value;
        else appendHeader(response.headers, op.name, value);
      });
    },
  };
}

/** Compiles an integration's `responseParameters` (`{"404": {"overwrite:statuscode": "200"}}`); undefined when there are none. */
export function compileResponseMapping(params: Readonly<Record<string, Readonly<Record<string, string>>>> | undefined): ResponseMappings | undefined {
  if (params === undefined) return undefined;
  const plans = new Map<number, ResponseMapping>();
  for (const [status, entries] of Object.entries(params)) {
    const code = Number(status);
    if (!Number.isInteger(code)) continue;
    const plan = compileResponsePlan(entries);
    if (plan !== undefined) plans.set(code, plan);
  }
  if (plans.size === 0) return undefined;
  return { forStatus: (statusCode) => plans.get(statusCode) };
}

/** Compiled service-integration parameters (`{"QueueUrl": "$request.header.queue", ...}`): a value per parameter name. */
export interface ParameterValues {
  /** A parameter reads `$request.body`: the caller buffers the body into `inv.body` before `render`. */
  readonly needsBody: boolean;
  /** Each parameter's value; a parameter whose template references a variable without a value is left out. */
  render(inv: Invocation): Map<string, string>;
}

/** Compiles the `requestParameters` of an AWS service integration (request-side templates keyed by parameter name). */
export function compileParameterValues(params: Readonly<Record<string, string>>): ParameterValues {
  const templates = Object.entries(params).map(([name, value]) => [name, compileTemplate(value, 'request')] as const);
  return {
    needsBody: templates.some(([, t]) => t.needsBody),
    render(inv) {
      const ctx = new MappingContext(inv);
      const out = new Map<string, string>();
      for (const [name, template] of templates) {
        const value = template.render(ctx);
        if (value !== undefined) out.set(name, value);
      }
      return out;
    },
  };
}
