/**
 * Mapping templates (VTL, rendered by velocityjs) with the variables AWS documents: `$input` (`body`,
 * `json(x)`, `path(x)`, `params()`, `params(x)`), `$context`, `$stageVariables` and `$util`. A template
 * is parsed once, when its stage is compiled; a reference to nothing renders empty, as on AWS.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html
 */
import { createRequire } from 'node:module';
import type Velocity from 'velocityjs';

/** velocityjs, loaded when the first template is compiled (most APIs have none; start-up stays ~70 ms shorter). */
let loaded: typeof Velocity | undefined;
const velocityjs = (): typeof Velocity => (loaded ??= createRequire(import.meta.url)('velocityjs') as typeof Velocity);
import { evaluateJsonPath, parseJsonPath } from './json-path.js';
import { UTIL } from './util.js';

/** Request parameters as `$input.params()` returns them. */
export interface TemplateParams {
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly header: Readonly<Record<string, string>>;
}

/** What one rendering sees. */
export interface TemplateInput {
  /** The raw payload (`$input.body`). */
  readonly body: string;
  readonly params?: TemplateParams;
  readonly context: Readonly<Record<string, unknown>>;
  readonly stageVariables: Readonly<Record<string, string>>;
}

/** Renders one template. Throws TemplateError when the template fails. */
export type CompiledTemplate = (input: TemplateInput) => string;

/** A template that cannot be parsed or rendered. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

const NO_PARAMS: TemplateParams = { path: {}, querystring: {}, header: {} };

/** Java's String methods templates use that JavaScript strings lack or spell differently. */
const STRING_METHODS: Record<string, (s: string, params: unknown[]) => unknown> = {
  // Java's replaceAll takes a regex and `$1` group references, which JavaScript's RegExp replace shares.
  replaceAll: (s, [pattern, replacement]) => s.replace(new RegExp(String(pattern), 'g'), String(replacement ?? '')),
  replaceFirst: (s, [pattern, replacement]) => s.replace(new RegExp(String(pattern)), String(replacement ?? '')),
  matches: (s, [pattern]) => new RegExp(`^(?:${String(pattern)})$`).test(s),
  isEmpty: (s) => s.length === 0,
  length: (s) => s.length,
  contains: (s, [part]) => s.includes(String(part)),
  equals: (s, [other]) => s === other,
  equalsIgnoreCase: (s, [other]) => typeof other === 'string' && s.toLowerCase() === other.toLowerCase(),
};

const CUSTOM_METHODS = [
  {
    uid: 'gatehouse: java string',
    match: ({ context, property }: { context: unknown; property: string }) => typeof context === 'string' && Object.hasOwn(STRING_METHODS, property),
    resolve: ({ context, property, params }: { context: unknown; property: string; params: unknown[] }) => (STRING_METHODS[property] as (s: string, p: unknown[]) => unknown)(context as string, params),
  },
  {
    // Lists and maps: isEmpty() as Java collections have it.
    uid: 'gatehouse: isEmpty',
    match: ({ context, property }: { context: unknown; property: string }) => property === 'isEmpty' && typeof context === 'object' && context !== null,
    resolve: ({ context }: { context: unknown }) => (Array.isArray(context) ? context.length === 0 : Object.keys(context as object).length === 0),
  },
];

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  if (Object.hasOwn(headers, name)) return headers[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The `$input` object of one rendering. */
function inputOf(body: string, params: TemplateParams, paths: Map<string, ReturnType<typeof parseJsonPath>>): Record<string, unknown> {
  let parsed: { value: unknown } | undefined;
  const document = () => {
    if (!parsed) {
      try {
        parsed = { value: JSON.parse(body) };
      } catch {
        // TODO(parity): AWS's JsonPath reads a non-JSON body as a failure; here it selects nothing.
        parsed = { value: undefined };
      }
    }
    return parsed.value;
  };
  const select = (expression: unknown) => {
    const key = String(expression);
    let steps = paths.get(key);
    if (!steps) {
      try {
        steps = parseJsonPath(key);
      } catch (error) {
        throw new TemplateError((error as Error).message);
      }
      if (paths.size < 100) paths.set(key, steps);
    }
    return evaluateJsonPath(steps, document());
  };
  return {
    body,
    path: select,
    json: (expression: unknown) => {
      const value = select(expression);
      return value === undefined ? '' : JSON.stringify(value);
    },
    params: (name?: unknown) => {
      if (name === undefined) return { path: { ...params.path }, querystring: { ...params.querystring }, header: { ...params.header } };
      const key = String(name);
      if (Object.hasOwn(params.path, key)) return params.path[key];
      if (Object.hasOwn(params.querystring, key)) return params.querystring[key];
      return headerValue(params.header, key) ?? '';
    },
  };
}

/** Parses a template once; the result renders it for each request. */
export function compileTemplate(source: string): CompiledTemplate {
  let asts: ReturnType<typeof Velocity.parse>;
  try {
    asts = velocityjs().parse(source);
  } catch (error) {
    throw new TemplateError(`the template cannot be parsed: ${(error as Error).message.split('\n')[0] as string}`);
  }
  const paths = new Map<string, ReturnType<typeof parseJsonPath>>();
  return (input) => {
    const context = {
      input: inputOf(input.body, input.params ?? NO_PARAMS, paths),
      context: input.context,
      stageVariables: { ...input.stageVariables },
      // velocityjs adds an `eval` member to objects whose methods a template calls: fresh objects each time.
      util: { ...UTIL },
    };
    try {
      // A fresh Compile per rendering: velocityjs keeps #set variables on the instance.
      return new (velocityjs().Compile)(asts, { customMethodHandlers: CUSTOM_METHODS }).render(context, undefined, true);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      throw new TemplateError(`the template failed: ${(error as Error).message.split('\n')[0] as string}`);
    }
  };
}
