/**
 * Identity sources of HTTP API authorizers: `$request.header.X` (case-insensitive),
 * `$request.querystring.X` (case-sensitive), `$context.X` and `$stageVariables.X`, each compiled
 * once into an accessor. WebSocket APIs use the `route.request.header.X` / `route.request.querystring.X` /
 * `stageVariables.X` / `context.X` spelling of the same sources.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html#http-api-lambda-authorizer.identity-sources
 */
import { compileContextVariable } from '../context-variables.js';
import type { Invocation } from '../invocation.js';
import { decodeQueryComponent } from '../query-string.js';
import { own } from '../../model/own.js';

/** Reads one identity source of a request; undefined when it is absent or empty. */
export type IdentitySourceAccessor = (inv: Invocation) => string | undefined;

// HTTP APIs write `$request.header.X`; WebSocket APIs write `route.request.header.X`, `stageVariables.X`, `context.X` (SPEC §F.5).
const HEADER = /^(?:\$request|route\.request)\.header\.(.+)$/;
const QUERY = /^(?:\$request|route\.request)\.querystring\.(.+)$/;
const CONTEXT = /^\$?context\.(.+)$/;
const STAGE_VARIABLE = /^\$?stageVariables\.(.+)$/;

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/** Compiles an identity source expression; undefined when the expression is not one HTTP APIs accept. */
export function compileIdentitySource(expression: string): IdentitySourceAccessor | undefined {
  let m = HEADER.exec(expression);
  if (m) {
    const name = (m[1] as string).toLowerCase();
    return (inv) => {
      const value = own(inv.request.headers, name);
      return nonEmpty(Array.isArray(value) ? value.join(',') : value);
    };
  }
  if ((m = QUERY.exec(expression))) {
    const name = m[1] as string;
    return (inv) => nonEmpty(queryValue(inv.request.rawQueryString, name));
  }
  if ((m = CONTEXT.exec(expression))) {
    const accessor = compileContextVariable(m[1] as string);
    return (inv) => nonEmpty(accessor(inv));
  }
  if ((m = STAGE_VARIABLE.exec(expression))) {
    const name = m[1] as string;
    return (inv) => {
      const variables = inv.stage?.stageVariables;
      return nonEmpty(variables && Object.hasOwn(variables, name) ? variables[name] : undefined);
    };
  }
  return undefined;
}

/** The value of query parameter `name` (repeated parameters joined with `,`, as payload 2.0 does); `+` is a space. */
function queryValue(raw: string, name: string): string | undefined {
  if (raw === '') return undefined;
  let found: string | undefined;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (decodeQueryComponent(eq < 0 ? pair : pair.slice(0, eq)) !== name) continue;
    const value = eq < 0 ? '' : decodeQueryComponent(pair.slice(eq + 1));
    found = found === undefined ? value : `${found},${value}`;
  }
  return found;
}

