/**
 * A handler's result as the JSON values Lambda returns for it, without the text in between: Lambda's
 * runtime serialises what a handler returns, and the gateway parses that text again. In-process, the
 * same values are built by one walk over the result: `jsonValue(v)` equals `JSON.parse(JSON.stringify(v))`
 * (with `undefined` as `null`, as Lambda returns it), and throws where `JSON.stringify` throws.
 *
 * Plain data (strings, finite numbers, booleans, null, arrays and plain objects) is copied member by
 * member. Anything JSON.stringify treats specially (a `toJSON` method such as Date's, boxed primitives,
 * class instances, Maps, BigInt, cycles) goes through JSON itself, so the rules stay JSON's own.
 */

/** Deeper than this, the walk hands over to JSON (which also finds cycles). */
const MAX_DEPTH = 64;

/** The JSON round trip of `v` (top-level `undefined`, functions and symbols are `null`). */
export function jsonValue(v: unknown): unknown {
  const copied = copy(v, 0);
  return copied === undefined ? null : copied;
}

/** JSON's own answer for a value the walk does not copy. */
function viaJson(v: unknown): unknown {
  const text = JSON.stringify(v);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

/** `v` as JSON values; undefined where JSON.stringify leaves a member out. */
function copy(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      // JSON has no NaN, Infinity or -0.
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      return viaJson(v); // throws as JSON.stringify does
    default:
      break;
  }
  if (v === null) return null;
  const o = v as Record<string, unknown>;
  if (depth >= MAX_DEPTH || typeof o.toJSON === 'function') return viaJson(v);
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = copy(v[i], depth + 1);
      out[i] = item === undefined ? null : item;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return viaJson(v);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    const item = copy(o[key], depth + 1);
    // defineProperty, not assignment: a member named __proto__ stays a member, as JSON.parse makes it.
    if (item !== undefined) {
      if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
      else out[key] = item;
    }
  }
  return out;
}
