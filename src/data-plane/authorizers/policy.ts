/**
 * IAM policies returned by Lambda authorizers, evaluated against the route ARN as IAM does for
 * `execute-api:Invoke`: an explicit Deny wins, then any Allow, otherwise an implicit deny.
 * `*` and `?` are wildcards (in resources `*` also spans `/`); actions match case-insensitively.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

/** One parsed statement. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  /** `Action` patterns (lower-cased), or `NotAction` when `negateAction`. */
  readonly actions: readonly string[];
  readonly negateAction: boolean;
  /** `Resource`, or `NotResource` when `negateResource`. */
  readonly resources: readonly string[];
  readonly negateResource: boolean;
  /** Has a `Condition` block, which the gateway cannot evaluate. */
  readonly conditional: boolean;
}

/** The outcome for one request. */
export type PolicyDecision = 'allow' | 'deny' | 'implicit-deny';

/** The action HTTP API routes are invoked with. */
export const INVOKE_ACTION = 'execute-api:Invoke';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether `text` matches `pattern` (`*` any run of characters, `?` one character). Greedy with
 * one backtrack point, so the cost stays O(pattern × text) whatever the pattern.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c !== undefined && c !== '*' && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (c === '*') {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function patterns(value: unknown, lowerCase: boolean): string[] | undefined {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  return lowerCase ? list?.map((p) => p.toLowerCase()) : list;
}

/** Parses `policyDocument`; a string says why it is malformed. */
export function parsePolicyDocument(document: unknown): PolicyStatement[] | string {
  if (!isObject(document)) return 'policyDocument is not an object';
  const raw = document.Statement;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : undefined;
  if (!list) return 'policyDocument.Statement is missing';
  const statements: PolicyStatement[] = [];
  for (const s of list) {
    if (!isObject(s)) return 'a policy statement is not an object';
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') return `a policy statement has Effect ${JSON.stringify(s.Effect)}, not Allow or Deny`;
    const negateAction = s.Action === undefined && s.NotAction !== undefined;
    const actions = patterns(negateAction ? s.NotAction : s.Action, true);
    if (!actions) return 'a policy statement has no valid Action';
    const negateResource = s.Resource === undefined && s.NotResource !== undefined;
    const resources = patterns(negateResource ? s.NotResource : s.Resource, false);
    if (!resources) return 'a policy statement has no valid Resource';
    statements.push({ effect: s.Effect, actions, negateAction, resources, negateResource, conditional: s.Condition !== undefined });
  }
  return statements;
}

const anyMatch = (list: readonly string[], value: string) => list.some((pattern) => wildcardMatch(pattern, value));

function applies(s: PolicyStatement, action: string, resource: string): boolean {
  return anyMatch(s.actions, action.toLowerCase()) !== s.negateAction && anyMatch(s.resources, resource) !== s.negateResource;
}

/**
 * Evaluates the statements for `execute-api:Invoke` on `resource`. A statement with a `Condition`
 * fails closed: it never allows, and a conditional Deny still denies.
 * TODO(parity): IAM condition operators are not evaluated.
 */
export function evaluatePolicy(statements: readonly PolicyStatement[], resource: string, action = INVOKE_ACTION): PolicyDecision {
  let allowed = false;
  for (const s of statements) {
    if (!applies(s, action, resource)) continue;
    if (s.effect === 'Deny') return 'deny';
    if (!s.conditional) allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
