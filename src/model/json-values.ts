/**
 * JSON values as draft-4 validation sees them: types, decimal multiples, string length in code points,
 * and a canonical text for equality of whole values (uniqueItems).
 */

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The draft-4 type of a JSON value (`integer` is reported as `number`; callers check it apart). */
function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Whether a JSON value is of a draft-4 type (`integer`: a number without fraction; `number`: finite). */
export function hasType(v: unknown, type: string): boolean {
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
export function isMultipleOf(value: number, divisor: number): boolean {
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

/** The length of a string in code points (what minLength and maxLength count). */
export const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/**
 * A canonical text of a JSON value (object members sorted by name), built without recursion, and the
 * number of values in it: two values are equal as JSON exactly when their texts are.
 */
export function canonical(value: unknown): { text: string; nodes: number } {
  let text = '';
  let nodes = 0;
  // [true, text] is literal output; [false, value] a value still to write.
  const stack: [boolean, unknown][] = [[false, value]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [literal, v] = entry;
    if (literal) {
      text += v as string;
      continue;
    }
    nodes++;
    if (Array.isArray(v)) {
      stack.push([true, ']']);
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push([false, v[i]]);
        if (i > 0) stack.push([true, ',']);
      }
      stack.push([true, '[']);
    } else if (isObject(v)) {
      const keys = Object.keys(v).sort();
      stack.push([true, '}']);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        stack.push([false, v[key]]);
        stack.push([true, `${i > 0 ? ',' : ''}${JSON.stringify(key)}:`]);
      }
      stack.push([true, '{']);
    } else {
      text += JSON.stringify(v);
    }
  }
  return { text, nodes };
}
