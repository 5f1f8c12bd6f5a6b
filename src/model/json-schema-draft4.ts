/**
 * A meta-validator for JSON Schema draft 4: checks that a parsed JSON document is a well-formed
 * draft-4 schema (the form of every draft-4 keyword, recursively), as API Gateway does for the
 * `schema` of a model.
 * https://json-schema.org/draft-04/schema (the meta-schema)
 * https://datatracker.ietf.org/doc/html/draft-fge-json-schema-validation-00 (keyword forms)
 * https://datatracker.ietf.org/doc/html/draft-zyp-json-schema-04 (`$schema`, `id`, `$ref`)
 *
 * Problems are reported as `<pointer>: <problem>`, where the pointer is a JSON pointer in URI
 * fragment form from the document root (`#/properties/age/type`). Keywords draft 4 does not define
 * are allowed and not looked into.
 */

/** The `$schema` of draft 4 (also accepted without the empty fragment, the same URI). */
export const DRAFT4_SCHEMA_URI = 'http://json-schema.org/draft-04/schema#';

/** The seven primitive types of draft 4, in the order messages list them. */
export const JSON_SCHEMA_TYPES: readonly string[] = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

/** Deeper documents are refused (with one problem) rather than walked: no real schema comes close. */
export const MAX_SCHEMA_DEPTH = 100;

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short rendering of a JSON value for messages. */
function show(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (isObject(v)) return 'an object';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Appends one reference token to a pointer, escaped (`~` as `~0`, `/` as `~1`). */
const child = (path: string, token: string | number): string => `${path}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** The reason a regular expression does not compile, or undefined when it does (ECMA 262, as draft 4 specifies). */
function regexError(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (err) {
    const message = (err as Error).message;
    const reason = message.slice(message.lastIndexOf(': ') + 2);
    return reason.length > 0 ? reason : message;
  }
}

/** JSON equality: numbers by value, objects regardless of member order (used by `enum` and `uniqueItems`). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Walks the whole document without recursion: the first pointer deeper than MAX_SCHEMA_DEPTH (if any),
 * and the plain-name fragments (`"id": "#name"`) a `$ref` may point at.
 */
function survey(root: unknown): { tooDeep?: string; anchors: Set<string> } {
  const anchors = new Set<string>();
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '#', depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path, depth } = item;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_SCHEMA_DEPTH) return { tooDeep: path, anchors };
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: child(path, i), depth: depth + 1 }));
      continue;
    }
    const obj = value as JsonObject;
    if (typeof obj.id === 'string' && obj.id.startsWith('#') && obj.id.length > 1) anchors.add(obj.id);
    for (const [k, v] of Object.entries(obj)) stack.push({ value: v, path: child(path, k), depth: depth + 1 });
  }
  return { anchors };
}

/** Whether a same-document reference (`#`, `#/json/pointer`, `#name`) resolves within `root`. */
function resolvesLocally(root: unknown, ref: string, anchors: Set<string>): boolean {
  let fragment: string;
  try {
    fragment = decodeURIComponent(ref.slice(1));
  } catch {
    return false;
  }
  if (fragment === '') return true;
  if (!fragment.startsWith('/')) return anchors.has(`#${fragment}`);
  let node: unknown = root;
  for (const raw of fragment.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= node.length) return false;
      node = node[Number(token)];
    } else if (isObject(node) && Object.hasOwn(node, token)) {
      node = node[token];
    } else {
      return false;
    }
  }
  return true;
}

/** An absolute URI: a scheme, then something a URL parser accepts (`https://apigateway.amazonaws.com/restapis/a1/models/Pet`). */
function isAbsoluteUrl(ref: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(ref)) return false;
  try {
    const url = new URL(ref);
    return !['http:', 'https:'].includes(url.protocol) || url.host !== '';
  } catch {
    return false;
  }
}

type KeywordCheck = (c: Checker, value: unknown, path: string, node: JsonObject) => void;

const SCHEMA_MAP_FORM = 'must be an object mapping names to schemas';

class Checker {
  readonly problems: string[] = [];

  constructor(
    private readonly root: JsonObject,
    private readonly anchors: Set<string>,
  ) {}

  add(path: string, problem: string): void {
    this.problems.push(`${path}: ${problem}`);
  }

  /** A value where a schema belongs: a JSON object whose draft-4 keywords are well-formed. */
  schema(value: unknown, path: string): void {
    if (!isObject(value)) {
      this.add(path, `must be a schema (a JSON object), got ${show(value)}`);
      return;
    }
    for (const [keyword, v] of Object.entries(value)) KEYWORDS.get(keyword)?.(this, v, child(path, keyword), value);
  }

  /** An object whose member values are schemas (`properties`, `patternProperties`, `definitions`). */
  schemaMap(value: unknown, path: string, checkKey?: (key: string, path: string) => void): void {
    if (!isObject(value)) {
      this.add(path, `${SCHEMA_MAP_FORM}, got ${show(value)}`);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      checkKey?.(k, child(path, k));
      this.schema(v, child(path, k));
    }
  }

  /** A non-empty array of schemas (`allOf`, `anyOf`, `oneOf`, the array form of `items`). */
  schemaArray(value: unknown, path: string): void {
    if (!Array.isArray(value) || value.length === 0) {
      this.add(path, `must be a non-empty array of schemas, got ${Array.isArray(value) ? 'an empty array' : show(value)}`);
      return;
    }
    value.forEach((v, i) => this.schema(v, child(path, i)));
  }

  /** A boolean or a schema (`additionalProperties`, `additionalItems`). */
  booleanOrSchema(value: unknown, path: string): void {
    if (typeof value !== 'boolean') this.schema(value, path);
  }

  /** A non-empty array of unique strings (`required`, the array form of a dependency). */
  stringArray(value: unknown, path: string, what: string): void {
    if (!Array.isArray(value)) {
      this.add(path, `must be a non-empty array of ${what}, got ${show(value)}`);
      return;
    }
    if (value.length === 0) this.add(path, `must not be an empty array in draft 4 (list at least one ${what.replace(/s$/, '')})`);
    const seen = new Set<string>();
    value.forEach((v, i) => {
      if (typeof v !== 'string') this.add(child(path, i), `must be a string, got ${show(v)}`);
      else if (seen.has(v)) this.add(child(path, i), `${show(v)} appears more than once`);
      else seen.add(v);
    });
  }

  string(value: unknown, path: string): void {
    if (typeof value !== 'string') this.add(path, `must be a string, got ${show(value)}`);
  }

  number(value: unknown, path: string): void {
    if (typeof value !== 'number') this.add(path, `must be a number, got ${show(value)}`);
  }

  boolean(value: unknown, path: string, suffix = ''): void {
    if (typeof value !== 'boolean') this.add(path, `must be a boolean${suffix}, got ${show(value)}`);
  }

  nonNegativeInteger(value: unknown, path: string): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.add(path, `must be a non-negative integer, got ${show(value)}`);
  }

  pattern(source: string, path: string): void {
    const error = regexError(source);
    if (error !== undefined) this.add(path, `${show(source)} is not a valid regular expression (${error})`);
  }

  ref(value: unknown, path: string): void {
    if (typeof value !== 'string') {
      this.add(path, `must be a string, got ${show(value)}`);
    } else if (value.startsWith('#')) {
      if (!resolvesLocally(this.root, value, this.anchors)) this.add(path, `${show(value)} does not resolve within the schema`);
    } else if (!isAbsoluteUrl(value)) {
      this.add(path, `${show(value)} is neither a local reference (#/...) nor an absolute URL`);
    }
  }
}

const TYPE_LIST = JSON_SCHEMA_TYPES.join(', ');

function checkType(c: Checker, value: unknown, path: string): void {
  const one = (name: unknown, at: string): boolean => {
    if (typeof name === 'string' && JSON_SCHEMA_TYPES.includes(name)) return true;
    c.add(at, typeof name === 'string' ? `${show(name)} is not a JSON Schema type (${TYPE_LIST})` : `must be a type name (${TYPE_LIST}), got ${show(name)}`);
    return false;
  };
  if (!Array.isArray(value)) {
    if (typeof value === 'string') one(value, path);
    else c.add(path, `must be a type name (${TYPE_LIST}) or an array of them, got ${show(value)}`);
    return;
  }
  if (value.length === 0) c.add(path, 'must not be an empty array');
  const seen = new Set<string>();
  value.forEach((name, i) => {
    if (!one(name, child(path, i))) return;
    if (seen.has(name as string)) c.add(child(path, i), `${show(name)} appears more than once`);
    seen.add(name as string);
  });
}

function checkEnum(c: Checker, value: unknown, path: string): void {
  if (!Array.isArray(value)) {
    c.add(path, `must be a non-empty array, got ${show(value)}`);
    return;
  }
  if (value.length === 0) c.add(path, 'must not be an empty array');
  value.forEach((v, i) => {
    const first = value.findIndex((w) => jsonEqual(v, w));
    if (first < i) c.add(child(path, i), `duplicates ${child(path, first)} (enum values must be unique)`);
  });
}

function checkDependencies(c: Checker, value: unknown, path: string): void {
  if (!isObject(value)) {
    c.add(path, `must be an object mapping property names to schemas or property name arrays, got ${show(value)}`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) c.stringArray(v, child(path, k), 'property names');
    else if (isObject(v)) c.schema(v, child(path, k));
    else c.add(child(path, k), `must be a schema or a non-empty array of property names, got ${show(v)}`);
  }
}

/** `exclusiveMinimum`/`exclusiveMaximum`: booleans in draft 4, meaningful only beside their bound. */
const exclusive =
  (bound: 'minimum' | 'maximum'): KeywordCheck =>
  (c, value, path, node) => {
    c.boolean(value, path, ` in draft 4 (the bound itself goes in ${bound})`);
    if (!Object.hasOwn(node, bound)) c.add(path, `requires ${bound}`);
  };

const KEYWORDS = new Map<string, KeywordCheck>([
  ['id', (c, v, p) => c.string(v, p)],
  ['$schema', (c, v, p) => c.string(v, p)],
  ['$ref', (c, v, p) => c.ref(v, p)],
  ['title', (c, v, p) => c.string(v, p)],
  ['description', (c, v, p) => c.string(v, p)],
  ['format', (c, v, p) => c.string(v, p)],
  ['type', checkType],
  ['enum', checkEnum],
  ['properties', (c, v, p) => c.schemaMap(v, p)],
  ['patternProperties', (c, v, p) => c.schemaMap(v, p, (key, at) => c.pattern(key, at))],
  ['definitions', (c, v, p) => c.schemaMap(v, p)],
  ['additionalProperties', (c, v, p) => c.booleanOrSchema(v, p)],
  ['additionalItems', (c, v, p) => c.booleanOrSchema(v, p)],
  ['items', (c, v, p) => (Array.isArray(v) ? c.schemaArray(v, p) : c.schema(v, p))],
  ['required', (c, v, p) => c.stringArray(v, p, 'property names')],
  ['dependencies', checkDependencies],
  ['allOf', (c, v, p) => c.schemaArray(v, p)],
  ['anyOf', (c, v, p) => c.schemaArray(v, p)],
  ['oneOf', (c, v, p) => c.schemaArray(v, p)],
  ['not', (c, v, p) => c.schema(v, p)],
  ['minimum', (c, v, p) => c.number(v, p)],
  ['maximum', (c, v, p) => c.number(v, p)],
  ['exclusiveMinimum', exclusive('minimum')],
  ['exclusiveMaximum', exclusive('maximum')],
  [
    'multipleOf',
    (c, v, p) => {
      if (typeof v !== 'number' || !(v > 0)) c.add(p, `must be a number greater than 0, got ${show(v)}`);
    },
  ],
  ['minLength', (c, v, p) => c.nonNegativeInteger(v, p)],
  ['maxLength', (c, v, p) => c.nonNegativeInteger(v, p)],
  ['minItems', (c, v, p) => c.nonNegativeInteger(v, p)],
  ['maxItems', (c, v, p) => c.nonNegativeInteger(v, p)],
  ['minProperties', (c, v, p) => c.nonNegativeInteger(v, p)],
  ['maxProperties', (c, v, p) => c.nonNegativeInteger(v, p)],
  ['uniqueItems', (c, v, p) => c.boolean(v, p)],
  ['pattern', (c, v, p) => (typeof v === 'string' ? c.pattern(v, p) : c.string(v, p))],
]);

/**
 * The problems that keep `schema` (a parsed JSON value) from being a JSON Schema draft 4 document,
 * in document order; empty when it is one. A root `$schema` other than draft 4's is the only problem
 * reported, since the rest would be read by the wrong rules.
 */
export function checkDraft4Schema(schema: unknown): string[] {
  if (!isObject(schema)) return [`#: must be a schema (a JSON object), got ${show(schema)}`];
  const declared = schema.$schema;
  if (declared !== undefined && declared !== DRAFT4_SCHEMA_URI && declared !== DRAFT4_SCHEMA_URI.slice(0, -1)) {
    return typeof declared === 'string'
      ? [`#/$schema: unsupported schema version ${show(declared)} (model schemas are JSON Schema draft 4: ${DRAFT4_SCHEMA_URI})`]
      : [`#/$schema: must be a string, got ${show(declared)}`];
  }
  const { tooDeep, anchors } = survey(schema);
  if (tooDeep !== undefined) {
    const at = tooDeep.length > 80 ? `${tooDeep.slice(0, 77)}...` : tooDeep;
    return [`${at}: the schema is nested more than ${MAX_SCHEMA_DEPTH} levels deep`];
  }
  const checker = new Checker(schema, anchors);
  checker.schema(schema, '#');
  return checker.problems;
}
