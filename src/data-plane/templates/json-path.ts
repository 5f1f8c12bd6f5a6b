/**
 * The JSONPath of mapping templates (`$input.path(x)`, `$input.json(x)`): `$`, `.name`, `['name']`,
 * `[n]` (negative from the end), `*` / `[*]` and `..name`. A definite path yields one value (undefined
 * when absent); a path with `*` or `..` yields the list of matches, as Jayway JsonPath (AWS's) does.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 */

type Step =
  | { readonly kind: 'child'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'descendant'; readonly name: string | undefined };

/** A JSONPath expression Gatehouse cannot parse. */
export class JsonPathError extends Error {
  override name = 'JsonPathError';
}

const NAME = /^[^.[\]\s]+/;

/** Parses an expression into steps (cached by the caller's compiled template). */
export function parseJsonPath(expression: string): readonly Step[] {
  const text = expression.trim();
  if (!text.startsWith('$')) throw new JsonPathError(`JSONPath ${expression} must start with $`);
  const steps: Step[] = [];
  let i = 1;
  while (i < text.length) {
    if (text.startsWith('..', i)) {
      i += 2;
      if (text[i] === '*') {
        steps.push({ kind: 'descendant', name: undefined });
        i++;
        continue;
      }
      const m = NAME.exec(text.slice(i));
      if (!m) throw new JsonPathError(`JSONPath ${expression}: a name must follow ..`);
      steps.push({ kind: 'descendant', name: m[0] });
      i += m[0].length;
    } else if (text[i] === '.') {
      i++;
      if (text[i] === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
        continue;
      }
      const m = NAME.exec(text.slice(i));
      if (!m) throw new JsonPathError(`JSONPath ${expression}: a name must follow .`);
      steps.push({ kind: 'child', name: m[0] });
      i += m[0].length;
    } else if (text[i] === '[') {
      const end = closingBracket(text, i, expression);
      steps.push(bracket(text.slice(i + 1, end).trim(), expression));
      i = end + 1;
    } else {
      throw new JsonPathError(`JSONPath ${expression}: unexpected ${text[i] as string} at ${i}`);
    }
  }
  return steps;
}

function closingBracket(text: string, start: number, expression: string): number {
  let quote: string | undefined;
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return j;
  }
  throw new JsonPathError(`JSONPath ${expression}: unclosed [`);
}

function bracket(inner: string, expression: string): Step {
  if (inner === '*') return { kind: 'wildcard' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const m = /^(['"])(.*)\1$/.exec(inner);
  if (m) return { kind: 'child', name: m[2] as string };
  throw new JsonPathError(`JSONPath ${expression}: unsupported selector [${inner}]`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function descend(value: unknown, name: string | undefined, out: unknown[]): void {
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (name === undefined || key === name) out.push(child);
    descend(child, name, out);
  }
}

/** Evaluates parsed steps against a document. */
export function evaluateJsonPath(steps: readonly Step[], document: unknown): unknown {
  let current: unknown[] = [document];
  let definite = true;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'child') {
        if (isObject(value) && !Array.isArray(value) && Object.hasOwn(value, step.name)) next.push(value[step.name]);
      } else if (step.kind === 'index') {
        if (Array.isArray(value)) {
          const at = step.index < 0 ? value.length + step.index : step.index;
          if (at >= 0 && at < value.length) next.push(value[at]);
        }
      } else if (step.kind === 'wildcard') {
        if (isObject(value)) next.push(...Object.values(value));
      } else {
        descend(value, step.name, next);
      }
    }
    if (step.kind === 'wildcard' || step.kind === 'descendant') definite = false;
    current = next;
  }
  return definite ? current[0] : current;
}
