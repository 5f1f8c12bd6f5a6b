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
 *
 * Recursion is bounded twice over. At compile time, a loop of references that applies a schema to the
 * same value again (`{"$ref": "#"}`, `a -> b -> a`, `{"allOf": [{"$ref": "#"}]}`) is refused: it
 * would never end. A recursive schema that descends into the value on each turn (a tree whose
 * `children` items are `{"$ref": "#"}`) is legitimate (API Gateway accepts and enforces such models:
 * localstack/localstack tests/aws/services/apigateway/test_apigateway_import.py,
 * test_import_with_circular_models_and_request_validation, marked as validated against AWS),
 * so its recursion follows the data; at validation time the value's depth, the nesting of schema
 * applications and the total work are capped, and a value past a cap fails validation.
 */
import { jsonEqual } from './json-schema-draft4.js';
import { anchorsOf, findCycle, resolveFragment } from './json-schema-refs.js';
import { canonical, codePoints, hasType, isMultipleOf } from './json-values.js';

/** Validates one parsed JSON value. */
export type Validator = (value: unknown) => boolean;

/** Resolves a non-local `$ref` (the whole reference string) to a schema document. */
export type RefResolver = (ref: string) => object | undefined;

/** Why a schema cannot be compiled. */
export class SchemaCompileError extends Error {
  override name = 'SchemaCompileError';
}

/** Caps on one validation; a value that needs more fails validation. */
export interface ValidationLimits {
  /** Deepest array/object level of the value that validation descends into (the root is level 0). */
  readonly maxDepth: number;
  /** Schema applications in progress at once (bounds the call stack: each costs a few frames). */
  readonly maxNesting: number;
  /** Work units (schema applications, members, items, characters / 64) of one validation. */
  readonly maxSteps: number;
}

/**
 * The default caps: beyond what a model needs for a 128 KB WebSocket message, and well within Node's
 * default stack (which holds roughly 2,500 to 4,500 nested applications, depending on the keywords).
 * The work cap keeps the slowest hostile value to about 100 ms.
 */
export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = { maxDepth: 256, maxNesting: 1000, maxSteps: 500_000 };

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A compiled check of a value at a depth (the array/object levels above it). */
type Check = (value: unknown, depth: number) => boolean;

const ACCEPT: Check = () => true;
const REJECT: Check = () => false;

/** Appends one reference token to a JSON pointer, escaped (`~` as `~0`, `/` as `~1`). */
const at = (path: string, ...tokens: (string | number)[]): string => tokens.reduce<string>((p, t) => `${p}/${String(t).replace(/~/g, '~0').replace(/\//g, '~1')}`, path);

/** A short rendering of a JSON value for messages. */
const show = (v: unknown): string => (Array.isArray(v) ? 'an array' : typeof v === 'object' && v !== null ? 'an object' : String(JSON.stringify(v)).slice(0, 60));

interface Document {
  readonly root: JsonObject;
  readonly anchors: Map<string, JsonObject>;
  /** Where the document came from, before its fragments in messages: `''` for the schema itself. */
  readonly base: string;
}

/** The counters of the validation in progress (validation is synchronous: one at a time per validator). */
class Run {
  steps = 0;
  nesting = 0;
  exceeded = false;

  constructor(readonly limits: ValidationLimits) {}

  /** Counts `n` units of work; false once the budget is spent (the validation then fails). */
  charge(n: number): boolean {
    if ((this.steps += n) > this.limits.maxSteps) this.exceeded = true;
    return !this.exceeded;
  }
}

class Compiler {
  /** One check per schema object (so recursive references share it). */
  private readonly compiled = new Map<object, Check>();
  /** Where each schema object is, for messages (`#/definitions/node`). */
  private readonly paths = new Map<object, string>();
  /** The schemas each schema applies to the same value: `$ref`, allOf, anyOf, oneOf, not, schema dependencies. */
  private readonly sameValue = new Map<object, object[]>();
  private readonly documents = new Map<object, Document>();
  private readonly pending: (() => void)[] = [];
  readonly run: Run;

  constructor(
    private readonly resolveRef: RefResolver | undefined,
    limits: ValidationLimits,
  ) {
    this.run = new Run(limits);
  }

  document(root: JsonObject, base: string): Document {
    let doc = this.documents.get(root);
    if (!doc) this.documents.set(root, (doc = { root, anchors: anchorsOf(root), base }));
    return doc;
  }

  /** Compiles `schema` (at `path` of document `doc`); references are compiled after the caller finishes. */
  compile(schema: unknown, doc: Document, path: string): Check {
    if (!isObject(schema)) throw new SchemaCompileError(`${path}: not a schema (a JSON object), got ${show(schema)}`);
    const known = this.compiled.get(schema);
    if (known) return known;
    const run = this.run;
    const { maxDepth, maxNesting } = run.limits;
    let inner: Check = REJECT;
    // Every application of a schema to a value passes here: the caps are checked once per application.
    const check: Check = (v, depth) => {
      if (run.exceeded) return false;
      if (depth > maxDepth || run.nesting >= maxNesting || !run.charge(1)) {
        run.exceeded = true;
        return false;
      }
      run.nesting++;
      const ok = inner(v, depth);
      run.nesting--;
      return ok;
    };
    this.compiled.set(schema, check);
    this.paths.set(schema, path);
    const edges: object[] = [];
    this.sameValue.set(schema, edges);
    inner = this.build(schema, doc, path, edges);
    return check;
  }

  finish(): void {
    for (let task = this.pending.shift(); task; task = this.pending.shift()) task();
  }

  /** A loop of schemas each applying the next to the same value (validation would never end), as their paths. */
  findLoop(): string[] | undefined {
    return findCycle(this.sameValue)?.map((node) => this.paths.get(node) ?? '?');
  }

  private ref(ref: string, doc: Document, path: string, edges: object[]): Check {
    const hash = ref.indexOf('#');
    const base = hash === -1 ? ref : ref.slice(0, hash);
    const fragment = hash === -1 ? '#' : ref.slice(hash);
    let target: unknown;
    let targetDoc = doc;
    let targetPath = `${doc.base}${fragment}`;
    if (base === '') target = resolveFragment(doc.root, fragment, doc.anchors);
    else {
      // The resolver answers the document (`base`), whose fragment is then followed; else the whole reference.
      const external = this.resolveRef?.(base);
      if (isObject(external)) {
        targetDoc = this.document(external, base);
        target = resolveFragment(external, fragment, targetDoc.anchors);
        targetPath = `${base}${fragment}`;
      } else {
        const whole = hash === -1 ? undefined : this.resolveRef?.(ref);
        if (isObject(whole)) {
          targetDoc = this.document(whole, ref);
          target = whole;
          targetPath = `${ref}#`;
        }
      }
    }
    if (!isObject(target)) throw new SchemaCompileError(`${at(path, '$ref')}: ${JSON.stringify(ref)} does not resolve to a schema`);
    edges.push(target);
    let validator: Check = REJECT;
    const resolved = target;
    this.pending.push(() => {
      validator = this.compile(resolved, targetDoc, targetPath);
    });
    return (v, depth) => validator(v, depth);
  }

  private regex(source: string, path: string): RegExp {
    try {
      return new RegExp(source);
    } catch (err) {
      throw new SchemaCompileError(`${path}: ${JSON.stringify(source)} is not a valid regular expression (${(err as Error).message})`);
    }
  }

  private build(s: JsonObject, doc: Document, path: string, edges: object[]): Check {
    // Definitions are compiled even when nothing here uses them, so that a loop among them is found.
    if (isObject(s.definitions)) {
      for (const [name, definition] of Object.entries(s.definitions)) if (isObject(definition)) this.compile(definition, doc, at(path, 'definitions', name));
    }
    // Draft 4: a $ref replaces the whole schema; sibling keywords are ignored.
    if (typeof s.$ref === 'string') return this.ref(s.$ref, doc, path, edges);
    const run = this.run;
    const checks: Check[] = [];
    const sub = (v: unknown, ...tokens: (string | number)[]) => this.compile(v, doc, at(path, ...tokens));
    /** A subschema applied to the value itself (not to a member or item). */
    const same = (v: unknown, ...tokens: (string | number)[]) => {
      const check = sub(v, ...tokens);
      edges.push(v as object);
      return check;
    };
    /** Charges for walking a string of `length` code units. */
    const chargeText = (length: number) => run.charge(Math.ceil(length / 64));

    // type, enum
    if (typeof s.type === 'string' || Array.isArray(s.type)) {
      const types = (Array.isArray(s.type) ? s.type : [s.type]).filter((t): t is string => typeof t === 'string');
      checks.push((v) => types.some((t) => hasType(v, t)));
    }
    if (Array.isArray(s.enum)) {
      const values = s.enum as unknown[];
      // jsonEqual recurses only as deep as the enum value (part of the schema), whatever the value's depth.
      checks.push((v) => run.charge(values.length) && values.some((e) => jsonEqual(e, v)));
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
      checks.push((v) => typeof v !== 'string' || (chargeText(v.length) && codePoints(v) >= min));
    }
    if (typeof s.maxLength === 'number') {
      const max = s.maxLength;
      checks.push((v) => typeof v !== 'string' || (chargeText(v.length) && codePoints(v) <= max));
    }
    if (typeof s.pattern === 'string') {
      const re = this.regex(s.pattern, at(path, 'pattern'));
      checks.push((v) => typeof v !== 'string' || (chargeText(v.length) && re.test(v)));
    }

    // arrays: items are one level deeper
    if (Array.isArray(s.items)) {
      const tuple = s.items.map((item, i) => sub(item, 'items', i));
      let rest: Check = ACCEPT;
      if (s.additionalItems === false) rest = REJECT;
      else if (isObject(s.additionalItems)) rest = sub(s.additionalItems, 'additionalItems');
      checks.push((v, depth) => !Array.isArray(v) || v.every((item, i) => (i < tuple.length ? (tuple[i] as Check)(item, depth + 1) : rest(item, depth + 1))));
    } else if (isObject(s.items)) {
      const each = sub(s.items, 'items');
      checks.push((v, depth) => !Array.isArray(v) || v.every((item) => each(item, depth + 1)));
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
      // Canonical texts in a set: linear in the array's size, and no recursion over its items.
      checks.push((v) => {
        if (!Array.isArray(v)) return true;
        const seen = new Set<string>();
        for (const item of v) {
          const { text, nodes } = canonical(item);
          if (!run.charge(nodes) || seen.has(text)) return false;
          seen.add(text);
        }
        return true;
      });
    }

    // objects: member values are one level deeper
    if (typeof s.minProperties === 'number') {
      const min = s.minProperties;
      checks.push((v) => !isObject(v) || (run.charge(1) && Object.keys(v).length >= min));
    }
    if (typeof s.maxProperties === 'number') {
      const max = s.maxProperties;
      checks.push((v) => !isObject(v) || (run.charge(1) && Object.keys(v).length <= max));
    }
    if (Array.isArray(s.required)) {
      const names = s.required.filter((n): n is string => typeof n === 'string');
      checks.push((v) => !isObject(v) || (run.charge(names.length) && names.every((n) => Object.hasOwn(v, n))));
    }
    const properties = new Map<string, Check>();
    if (isObject(s.properties)) for (const [name, schema] of Object.entries(s.properties)) properties.set(name, sub(schema, 'properties', name));
    const patterns: [RegExp, Check][] = [];
    if (isObject(s.patternProperties)) {
      for (const [pattern, schema] of Object.entries(s.patternProperties)) {
        patterns.push([this.regex(pattern, at(path, 'patternProperties', pattern)), sub(schema, 'patternProperties', pattern)]);
      }
    }
    let additional: Check | undefined;
    if (s.additionalProperties === false) additional = REJECT;
    else if (isObject(s.additionalProperties)) additional = sub(s.additionalProperties, 'additionalProperties');
    if (properties.size > 0 || patterns.length > 0 || additional) {
      checks.push((v, depth) => {
        if (!isObject(v)) return true;
        const members = Object.entries(v);
        if (!run.charge(members.length * (1 + patterns.length))) return false;
        for (const [name, value] of members) {
          const declared = properties.get(name);
          if (declared && !declared(value, depth + 1)) return false;
          let matched = false;
          for (const [re, validate] of patterns) {
            if (re.test(name)) {
              matched = true;
              if (!validate(value, depth + 1)) return false;
            }
          }
          if (!declared && !matched && additional && !additional(value, depth + 1)) return false;
        }
        return true;
      });
    }
    if (isObject(s.dependencies)) {
      const dependencies: [string, Check][] = Object.entries(s.dependencies).map(([name, dep]) => {
        if (Array.isArray(dep)) {
          const names = dep.filter((n): n is string => typeof n === 'string');
          return [name, (v: unknown) => run.charge(names.length) && names.every((n) => Object.hasOwn(v as JsonObject, n))];
        }
        return [name, same(dep, 'dependencies', name)];
      });
      checks.push((v, depth) => !isObject(v) || dependencies.every(([name, check]) => !Object.hasOwn(v, name) || check(v, depth)));
    }

    // combinators: applied to the value itself
    if (Array.isArray(s.allOf)) {
      const all = s.allOf.map((m, i) => same(m, 'allOf', i));
      checks.push((v, depth) => all.every((c) => c(v, depth)));
    }
    if (Array.isArray(s.anyOf)) {
      const any = s.anyOf.map((m, i) => same(m, 'anyOf', i));
      checks.push((v, depth) => any.some((c) => c(v, depth)));
    }
    if (Array.isArray(s.oneOf)) {
      const one = s.oneOf.map((m, i) => same(m, 'oneOf', i));
      checks.push((v, depth) => {
        let passed = 0;
        for (const c of one) if (c(v, depth) && ++passed > 1) return false;
        return passed === 1;
      });
    }
    if (s.not !== undefined) {
      const not = same(s.not, 'not');
      checks.push((v, depth) => !not(v, depth));
    }

    if (checks.length === 0) return ACCEPT;
    if (checks.length === 1) return checks[0] as Check;
    return (v, depth) => checks.every((c) => c(v, depth));
  }
}

/**
 * Compiles a draft-4 schema into a validator of parsed JSON values. Throws SchemaCompileError, with the
 * JSON pointer of the problem, when a `$ref` resolves to no schema, a subschema is not an object, a
 * pattern is not a regular expression, or references loop back to a schema without descending into
 * the value. The validator answers false for a value that fails the schema or exceeds `limits`.
 */
export function compileValidator(schema: object, resolveRef?: RefResolver, limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS): Validator {
  if (!isObject(schema)) throw new SchemaCompileError('#: a schema must be a JSON object');
  const compiler = new Compiler(resolveRef, limits);
  const root = compiler.compile(schema, compiler.document(schema, ''), '#');
  compiler.finish();
  const loop = compiler.findLoop();
  if (loop) throw new SchemaCompileError(`${loop[0]}: the schema applies itself to the same value again, without end (${loop.join(' -> ')})`);
  const run = compiler.run;
  return (value) => {
    run.steps = 0;
    run.nesting = 0;
    run.exceeded = false;
    try {
      return root(value, 0) && !run.exceeded;
    } catch (err) {
      // The caps keep the stack shallow; should it still overflow, the value fails rather than the process.
      if (err instanceof RangeError) return false;
      throw err;
    }
  };
}
