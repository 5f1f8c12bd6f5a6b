/**
 * Routing rules of custom domain names, compiled once and evaluated per request, as AWS documents
 * them (rest-api-routing-rules.html, "API Gateway routing rule condition types"):
 * - a rule matches when all its conditions hold; a rule without conditions matches every request;
 * - `matchHeaders`: the header name matches case-insensitively, the value glob case-sensitively
 *   and literally, against each header line on its own (`Accept: application/json` and
 *   `Accept: text/xml` as two lines match `*json`; one line `application/json,text/xml` does not).
 *   Globs: `a*` (prefix), `*a` (suffix), `*a*` (contains), `*` (any value), else exact;
 * - `matchBasePaths`: case-sensitive, the request path starting with one of the base paths as whole
 *   segments; `stripBasePath` removes the matched base path before route matching, as an API mapping does.
 * Host is compared without the port: clients of AWS reach the default port and send none.
 */
import type { RoutingRuleRecord } from '../model/resources.js';

/** A compiled rule. */
export interface CompiledRule {
  readonly id: string;
  readonly priority: number;
  /** Lower-cased header name and the glob test of one header line. */
  readonly headers: readonly { readonly name: string; readonly test: (value: string) => boolean }[];
  /** `/base/path` prefixes, longest first; undefined = no base path condition. */
  readonly basePaths: readonly string[] | undefined;
  readonly apiId: string;
  readonly stage: string;
  readonly stripBasePath: boolean;
}

/** The test of a header value glob. */
export function compileValueGlob(glob: string): (value: string) => boolean {
  if (glob === '*' || glob === '**') return () => true;
  const starts = glob.startsWith('*');
  const ends = glob.endsWith('*') && glob.length > 1;
  const text = glob.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (starts && ends) return (v) => v.includes(text);
  if (starts) return (v) => v.endsWith(text);
  if (ends) return (v) => v.startsWith(text);
  return (v) => v === text;
}

/** Compiles one stored rule. */
export function compileRoutingRule(rule: RoutingRuleRecord): CompiledRule {
  const headers = rule.conditions.flatMap((c) => (c.matchHeaders?.anyOf ?? []).map((h) => ({ name: h.header.toLowerCase(), test: compileValueGlob(h.valueGlob) })));
  const paths = rule.conditions.flatMap((c) => c.matchBasePaths?.anyOf ?? []);
  const action = rule.actions[0]?.invokeApi;
  return {
    id: rule.routingRuleId,
    priority: rule.priority,
    headers,
    basePaths: rule.conditions.some((c) => c.matchBasePaths) ? paths.map((p) => `/${p.replace(/^\/+|\/+$/g, '')}`).sort((a, b) => b.length - a.length) : undefined,
    apiId: action?.apiId ?? rule.apiId,
    stage: action?.stage ?? '',
    stripBasePath: action?.stripBasePath ?? false,
  };
}

function headerLineMatches(rawHeaders: readonly string[], name: string, test: (value: string) => boolean): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() !== name) continue;
    let value = rawHeaders[i + 1] as string;
    if (name === 'host') value = value.startsWith('[') ? value.slice(0, value.indexOf(']') + 1) : (value.split(':')[0] as string);
    if (test(value)) return true;
  }
  return false;
}

/** The stage the first matching rule (in the given order) invokes, with the path to route. */
export function firstMatchingRule(
  rules: readonly CompiledRule[],
  rawPath: string,
  rawHeaders: readonly string[],
): { apiId: string; stageName: string; routePath: string; routingRuleIdMatched: string; strippedBasePath?: string } | undefined {
  for (const rule of rules) {
    if (!rule.headers.every((h) => headerLineMatches(rawHeaders, h.name, h.test))) continue;
    const target = { apiId: rule.apiId, stageName: rule.stage, routePath: rawPath, routingRuleIdMatched: rule.id };
    if (!rule.basePaths) return target;
    const base = rule.basePaths.find((p) => rawPath === p || rawPath.startsWith(`${p}/`));
    if (base === undefined) continue;
    return rule.stripBasePath ? { ...target, routePath: rawPath.slice(base.length) || '/', strippedBasePath: base.slice(1) } : target;
  }
  return undefined;
}
