/**
 * Instance validation for JSON Schema draft 4 (the schemas of API Gateway models), compiled once into
 * closures. `format` is ignored, as API Gateway ignores it.
 * https://datatracker.ietf.org/doc/html/draft-fge-json-schema-validation-00 (keywords)
 * https://datatracker.ietf.org/doc/html/draft-zyp-json-schema-04 (`$ref`, `id`)
 *
 * `$ref` is resolved within the document the reference appears in (`#`, `#/definitions/x`, any JSON
 * pointer, and plain-name fragments declared with `"id": "#name"`); other references go to
 * `resolveRef`, whose answer becomes the document for its own local references. A reference that
 * resolves nowhere makes `compileValidator` throw (schemas are compiled before any value is seen).
 */
import { jsonEqual } from './json-schema-draft4.js';

/** Validates one parsed JSON value. */
export type Validator = (value: unknown) => boolean;

/** Resolves a non-local `$ref` (the whole reference string) to a schema document. */
export type RefResolver = (ref: string) => object | undefined;

/** Why a schema cannot be compiled. */
export class SchemaCompileError extends Error {
  override name = 'SchemaCompileError';
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const ACCEPT: Validator = () => true;
const REJECT: Validator = () => false;

/** The draft-4 type of a JSON value (`integer` is reported as `number`; callers check it apart). */
function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'object':
      return isObject(v);
    default:
      return typeOf(v) === type;
  }
}

/** Digits after the decimal point of a finite number's shortest representation (`1.5e-7` → 8). */
function decimals(n: number): number {
  const [mantissa = '', exponent] = String(Math.abs(n)).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent ?? 0));
}

/** `value` is an integer multiple of `divisor`, decimal-exact where binary floats are not (0.3 of 0.1). */
function isMultipleOf(value: number, divisor: number): boolean {
  const quotient = value / divisor;
  if (Number.isInteger(quotient)) return true;
  if (!Number.isFinite(quotient)) return false;
  const places = Math.max(decimals(value), decimals(divisor));
  if (places > 20) return false;
  const scale = 10 ** places;
  const v = Math.round(value * scale);
  const d = Math.round(divisor * scale);
  return d !== 0 && Number.isSafeInteger(v) && Number.isSafeInteger(d) ? v % d === 0 : Math.abs(quotient - Math.round(quotient)) < 1e-9;
}

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Decodes one JSON-pointer reference token (`~1` → `/`, `~0` → `~`). */
const unescapeToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');

/** The plain-name anchors (`"id": "#name"`) of a document. */
function anchorsOf(root: unknown): Map<string, JsonObject> {
  const anchors = new Map<string, JsonObject>();
  const stack: unknown[] = [root];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else {
      const obj = v as JsonObject;
      if (typeof obj.id === 'string' && obj.id.startsWith('#') && obj.id.length > 1 && !anchors.has(obj.id)) anchors.set(obj.id, obj);
      stack.push(...Object.values(obj));
    }
  }
  return anchors;
}

/** Resolves a fragment (`#`, `#/a/b`, `#name`) within `root`. */
function resolveFragment(root: JsonObject, fragment: string, anchors: Map<string, JsonObject>): unknown {
  let decoded = fragment;
  try {
    decoded = decodeURIComponent(fragment);
  } catch {
    /* keep raw */
  }
  if (decoded === '#' || decoded === '') return root;
  if (!decoded.startsWith('#/')) return anchors.get(decoded);
  let node: unknown = root;
  for (const raw of decoded.slice(2).split('/')) {
    const token = unescapeToken(raw);
    if (Array.isArray(node)) {
      if (!/^(?:0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

interface Document {
  readonly root: JsonObject;
  readonly anchors: Map<string, JsonObject>;
}

class Compiler {
  /** One validator per schema object (so recursive references share it). */
  private readonly compiled = new Map<object, Validator>();
  private readonly documents = new Map<object, Document>();
  private readonly pending: (() => void)[] = [];

  constructor(private readonly resolveRef: RefResolver | undefined) {}

  document(root: JsonObject): Document {
    let doc = this.documents.get(root);
    if (!doc) this.documents.set(root, (doc = { root, anchors: anchorsOf(root) }));
    return doc;
  }

  /** Compiles `schema` (of document `doc`); nested references are compiled after the caller finishes. */
  compile(schema: unknown, doc: Document): Validator {
    if (!isObject(schema)) throw new SchemaCompileError(`not a schema: ${JSON.stringify(schema)}`);
    const known = this.compiled.get(schema);
    if (known) return known;
    // Subschemas are a tree; only references (compiled after the tree, in finish) can loop back.
    const validator = this.build(schema, doc);
    this.compiled.set(schema, validator);
    return validator;
  }

  finish(): void {
    for (let task = this.pending.shift(); task; task = this.pending.shift()) task();
  }

  private ref(ref: string, doc: Document): Validator {
    const hash = ref.indexOf('#');
    const base = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? '#' : ref.slice(hash);
    let target: unknown;
    let targetDoc = doc;
    if (base === '') target = resolveFragment(doc.root, fragment, doc.anchors);
    else {
      // The resolver answers the document (`base`), whose fragment is then followed; else the whole reference.
      const external = this.resolveRef?.(base);
      if (isObject(external)) {
        targetDoc = this.document(external);
        target = resolveFragment(external, fragment, targetDoc.anchors);
      } else {
        const whole = hash === -1 ? undefined : this.resolveRef?.(ref);
        if (isObject(whole)) {
          targetDoc = this.document(whole);
          target = whole;
        }
      }
    }
    if (!isObject(target)) throw new SchemaCompileError(`unresolvable $ref ${JSON.stringify(ref)}`);
    let validator: Validator = REJECT;
    const resolved = target;
    this.pending.push(() => {
      validator = this.compile(resolved, targetDoc);
    });
    return (v) => validator(v);
  }

  private build(s: JsonObject, doc: Document): Validator {
    // Draft 4: a $ref replaces the whole schema; sibling keywords are ignored.
    if (typeof s.$ref === 'string') return this.ref(s.$ref, doc);
    const checks: Validator[] = [];
    const sub = (v: unknown) => this.compile(v, doc);

    // type, enum
    if (typeof s.type === 'string' || Array.isArray(s.type)) {
      const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t): t is string => typeof t === 'string');
      checks.push((v) => types.some((t) => hasType(v, t)));
    }
    if (Array.isArray(s.enum)) {
      const values = s.enum as unknown[];
      checks.push((v) => values.some((e) => jsonEqual(e, v)));
    }

    // numbers
    if (typeof s.minimum === 'number') {
      const min = s.minimum;
      const exclusive = s.exclusiveMinimum === true;
      checks.push((v) => typeof v !== 'number' || (exclusive ? v > min : v >= min));
    }
    if (typeof s.maximum === 'number') {
      const max = s.maximum;
      const exclusive = s.exclusiveMaximum === true;
      checks.push((v) => typeof v !== 'number' || (exclusive ? v < max : v <= max));
    }
    if (typeof s.multipleOf === 'number' && s.multipleOf > 0) {
      const divisor = s.multipleOf;
      checks.push((v) => typeof v !== 'number' || isMultipleOf(v, divisor));
    }

    // strings
    if (typeof s.minLength === 'number') {
      const min = s.minLength;
      checks.push((v) => typeof v !== 'string' || codePoints(v) >= min);
    }
    if (typeof s.maxLength === 'number') {
      const max = s.maxLength;
      checks.push((v) => typeof v !== 'string' || codePoints(v) <= max);
    }
    if (typeof s.pattern === 'string') {
      const re = new RegExp(s.pattern);
      checks.push((v) => typeof v !== 'string' || re.test(v));
    }

    // arrays
    if (Array.isArray(s.items)) {
      const tuple = s.items.map(sub);
      let rest: Validator = ACCEPT;
      if (s.additionalItems === false) rest = REJECT;
      else if (isObject(s.additionalItems)) rest = sub(s.additionalItems);
      checks.push((v) => !Array.isArray(v) || v.every((item, i) => (i < tuple.length ? (tuple[i] as Validator)(item) : rest(item))));
    } else if (isObject(s.items)) {
      const each = sub(s.items);
      checks.push((v) => !Array.isArray(v) || v.every((item) => each(item)));
    }
    if (typeof s.minItems === 'number') {
      const min = s.minItems;
      checks.push((v) => !Array.isArray(v) || v.length >= min);
    }
    if (typeof s.maxItems === 'number') {
      const max = s.maxItems;
      checks.push((v) => !Array.isArray(v) || v.length <= max);
    }
    if (s.uniqueItems === true) {
      checks.push((v) => !Array.isArray(v) || v.every((item, i) => v.slice(i + 1).every((other) => !jsonEqual(item, other))));
    }

    // objects
    if (typeof s.minProperties === 'number') {
      const min = s.minProperties;
      checks.push((v) => !isObject(v) || Object.keys(v).length >= min);
    }
    if (typeof s.maxProperties === 'number') {
      const max = s.maxProperties;
      checks.push((v) => !isObject(v) || Object.keys(v).length <= max);
    }
    if (Array.isArray(s.required)) {
      const names = s.required.filter((n): n is string => typeof n === 'string');
      checks.push((v) => !isObject(v) || names.every((n) => Object.hasOwn(v, n)));
    }
    const properties = new Map<string, Validator>();
    if (isObject(s.properties)) for (const [name, schema] of Object.entries(s.properties)) properties.set(name, sub(schema));
    const patterns: [RegExp, Validator][] = [];
    if (isObject(s.patternProperties)) for (const [pattern, schema] of Object.entries(s.patternProperties)) patterns.push([new RegExp(pattern), sub(schema)]);
    let additional: Validator | undefined;
    if (s.additionalProperties === false) additional = REJECT;
    else if (isObject(s.additionalProperties)) additional = sub(s.additionalProperties);
    if (properties.size > 0 || patterns.length > 0 || additional) {
      checks.push((v) => {
        if (!isObject(v)) return true;
        for (const [name, value] of Object.entries(v)) {
          const declared = properties.get(name);
          if (declared && !declared(value)) return false;
          let matched = false;
          for (const [re, validate] of patterns) {
            if (re.test(name)) {
              matched = true;
              if (!validate(value)) return false;
            }
          }
          if (!declared && !matched && additional && !additional(value)) return false;
        }
        return true;
      });
    }
    if (isObject(s.dependencies)) {
      const dependencies: [string, Validator][] = Object.entries(s.dependencies).map(([name, dep]) => {
        if (Array.isArray(dep)) {
          const names = dep.filter((n): n is string => typeof n === 'string');
          return [name, (v: unknown) => names.every((n) => Object.hasOwn(v as JsonObject, n))];
        }
        return [name, sub(dep)];
      });
      checks.push((v) => !isObject(v) || dependencies.every(([name, check]) => !Object.hasOwn(v, name) || check(v)));
    }

    // combinators
    if (Array.isArray(s.allOf)) {
      const all = s.allOf.map(sub);
      checks.push((v) => all.every((c) => c(v)));
    }
    if (Array.isArray(s.anyOf)) {
      const any = s.anyOf.map(sub);
      checks.push((v) => any.some((c) => c(v)));
    }
    if (Array.isArray(s.oneOf)) {
      const one = s.oneOf.map(sub);
      checks.push((v) => {
        let passed = 0;
        for (const c of one) if (c(v) && ++passed > 1) return false;
        return passed === 1;
      });
    }
    if (s.not !== undefined) {
      const not = sub(s.not);
      checks.push((v) => !not(v));
    }

    if (checks.length === 0) return ACCEPT;
    if (checks.length === 1) return checks[0] as Validator;
    return (v) => checks.every((c) => c(v));
  }
}

/**
 * Compiles a draft-4 schema into a validator of parsed JSON values. Throws SchemaCompileError when a
 * `$ref` resolves nowhere or a subschema is not an object, and SyntaxError for a pattern that is not
 * a regular expression.
 */
export function compileValidator(schema: object, resolveRef?: RefResolver): Validator {
  if (!isObject(schema)) throw new SchemaCompileError('a schema must be a JSON object');
  const compiler = new Compiler(resolveRef);
  const validator = compiler.compile(schema, compiler.document(schema));
  compiler.finish();
  return validator;
}
