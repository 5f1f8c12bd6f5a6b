/**
 * Selection expressions of API Gateway (`$request.body.action`, `${request.body.a}/${request.body.b}`,
 * `$default`, `\$default`): parsed into literal text and variables.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-selection-expressions.html
 */

/** A piece of a parsed selection expression. */
export type ExpressionPart = { readonly literal: string } | { readonly variable: string };

/** Why an expression is invalid. */
export class SelectionExpressionError extends Error {
  override name = 'SelectionExpressionError';
}

const BARE_VARIABLE = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_$-]+)*/;

/** Parses an expression; variables are returned without `$`/`${}` (`request.body.action`). */
export function parseSelectionExpression(expression: string): ExpressionPart[] {
  const parts: ExpressionPart[] = [];
  let literal = '';
  for (let i = 0; i < expression.length; ) {
    const c = expression[i];
    if (c === '\\' && expression[i + 1] === '$') {
      literal += '$';
      i += 2;
    } else if (c === '$' && expression[i + 1] === '{') {
      const end = expression.indexOf('}', i + 2);
      if (end === -1) throw new SelectionExpressionError(`unterminated '\${' in '${expression}'`);
      const variable = expression.slice(i + 2, end);
      if (!BARE_VARIABLE.test(variable) || BARE_VARIABLE.exec(variable)?.[0] !== variable) {
        throw new SelectionExpressionError(`invalid variable '\${${variable}}' in '${expression}'`);
      }
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ variable });
      i = end + 1;
    } else if (c === '$' && /[A-Za-z]/.test(expression[i + 1] ?? '') && expression !== '$default') {
      const m = BARE_VARIABLE.exec(expression.slice(i + 1)) as RegExpExecArray;
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ variable: m[0] });
      i += 1 + m[0].length;
    } else {
      literal += c;
      i++;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** Checks that every variable of the expression starts with one of the allowed prefixes. */
export function checkSelectionExpression(expression: string, allowedPrefixes: readonly string[]): void {
  for (const part of parseSelectionExpression(expression)) {
    if ('variable' in part && !allowedPrefixes.some((p) => part.variable === p || part.variable.startsWith(`${p}.`))) {
      throw new SelectionExpressionError(`unsupported variable '${part.variable}' in '${expression}' (allowed: ${allowedPrefixes.map((p) => `$${p}`).join(', ')})`);
    }
  }
}

/** A selected value as text: a non-scalar is its JSON, or `''` when it is nested too deep to stringify. */
function scalar(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return typeof value === 'string' ? value : String(value as number | boolean);
  try {
    return JSON.stringify(value);
  } catch {
    return '';
  }
}

/** Evaluates parsed parts: each variable through `lookup` (undefined → `''`, non-scalars as JSON). */
export function evaluateSelectionExpression(parts: readonly ExpressionPart[], lookup: (variable: string) => unknown): string {
  let out = '';
  for (const part of parts) out += 'literal' in part ? part.literal : scalar(lookup(part.variable));
  return out;
}

/** `prefix.a.b` of a parsed JSON document (`request.body.a.b`, `integration.response.body.x`): undefined when absent. */
export function jsonPathValue(variable: string, prefix: string, document: unknown): unknown {
  if (variable !== prefix && !variable.startsWith(`${prefix}.`)) return undefined;
  let value: unknown = document;
  for (const key of variable === prefix ? [] : variable.slice(prefix.length + 1).split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
