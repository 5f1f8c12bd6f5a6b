/**
 * IAM identity-based policies: parsed once (at start-up, from the credentials file), evaluated per
 * request with IAM's logic for a single account: an explicit `Deny` in any statement wins, then any
 * `Allow`, otherwise the request is implicitly denied.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *
 * - `Action`/`NotAction` match case-insensitively with `*` and `?`; `Resource`/`NotResource` match
 *   case-sensitively, component by component for ARNs (`arn:aws:execute-api:*:*:abc/*`), `*` alone
 *   matching everything. A statement names exactly one of each pair.
 * - `Condition`: iam-conditions.ts. Policy variables (`${aws:username}`, `${*}`) are substituted
 *   in resources and string/ARN condition values of `"Version": "2012-10-17"` policies; a variable
 *   the request has no value for makes that entry match nothing.
 * - `Principal`/`NotPrincipal` belong to resource-based policies: refused here, as IAM refuses them
 *   in identity-based ones.
 */
import type { CompiledCondition, RequestContext } from './iam-conditions.js';
import { arnMatch, compileConditions, ConditionError } from './iam-conditions.js';
import { wildcardMatch } from './wildcard.js';

export type { RequestContext } from './iam-conditions.js';

/** A policy document that cannot be used: the message names the statement and the problem. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

interface Statement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** Lower-cased action patterns; `negateAction` for `NotAction`. */
  readonly actions: readonly string[];
  readonly negateAction: boolean;
  readonly resources: readonly string[];
  readonly negateResource: boolean;
  readonly conditions: readonly CompiledCondition[];
}

/** A parsed identity-based policy. */
export interface IamPolicy {
  /** Whether `${...}` policy variables are substituted (policy language version 2012-10-17). */
  readonly variables: boolean;
  readonly statements: readonly Statement[];
}

/** What a request asks to do. */
export interface AuthorizationRequest {
  /** `execute-api:Invoke`, `apigateway:POST`, ... */
  readonly action: string;
  /** The ARN acted on. */
  readonly resource: string;
  /** Condition keys (lower-cased) and policy-variable values of the request. */
  readonly context: RequestContext;
}

/** IAM's answer. */
export type IamDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

const VERSIONS = ['2012-10-17', '2008-10-17'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v !== '')) {
    throw new PolicyError(`${where} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

function parseStatement(s: unknown, index: number): Statement {
  const at = `Statement ${index + 1}`;
  if (!isObject(s)) throw new PolicyError(`${at} must be an object`);
  const where = typeof s.Sid === 'string' ? `${at} (${s.Sid})` : at;
  for (const key of Object.keys(s)) {
    if (key === 'Principal' || key === 'NotPrincipal') throw new PolicyError(`${where}: identity-based policies cannot name a ${key}`);
    if (!['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'].includes(key)) throw new PolicyError(`${where}: unknown element ${key}`);
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError(`${where}: Effect must be Allow or Deny`);
  if ((s.Action === undefined) === (s.NotAction === undefined)) throw new PolicyError(`${where}: needs exactly one of Action and NotAction`);
  if ((s.Resource === undefined) === (s.NotResource === undefined)) throw new PolicyError(`${where}: needs exactly one of Resource and NotResource`);
  const negateAction = s.Action === undefined;
  const negateResource = s.Resource === undefined;
  let conditions: CompiledCondition[];
  try {
    conditions = compileConditions(s.Condition);
  } catch (err) {
    if (err instanceof ConditionError) throw new PolicyError(`${where}: ${err.message}`);
    throw err;
  }
  return {
    sid: typeof s.Sid === 'string' ? s.Sid : undefined,
    effect: s.Effect,
    actions: stringList(negateAction ? s.NotAction : s.Action, `${where}: ${negateAction ? 'NotAction' : 'Action'}`).map((a) => a.toLowerCase()),
    negateAction,
    resources: stringList(negateResource ? s.NotResource : s.Resource, `${where}: ${negateResource ? 'NotResource' : 'Resource'}`),
    negateResource,
    conditions,
  };
}

/** Parses a policy document (an object, or its JSON text); throws PolicyError naming what is wrong. */
export function parseIamPolicy(document: unknown): IamPolicy {
  let doc = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc) as unknown;
    } catch (err) {
      throw new PolicyError(`the policy is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isObject(doc)) throw new PolicyError('a policy must be an object with a Statement');
  if (doc.Version !== undefined && !VERSIONS.includes(doc.Version as string)) throw new PolicyError(`Version must be 2012-10-17 or 2008-10-17, not ${JSON.stringify(doc.Version)}`);
  const raw = doc.Statement;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : undefined;
  if (!list || list.length === 0) throw new PolicyError('a policy needs a Statement (an object or a non-empty list)');
  return Object.freeze({ variables: doc.Version === '2012-10-17', statements: Object.freeze(list.map(parseStatement)) });
}

/** `${key}` replaced by the request's value of `key`; undefined when a key has no (single) value. */
function substituter(context: RequestContext): (text: string) => string | undefined {
  return (text) => {
    if (!text.includes('${')) return text;
    let missing = false;
    const out = text.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
      if (name === '*' || name === '?' || name === '$') return name;
      const value = context[name.trim().toLowerCase()];
      if (typeof value === 'string') return value;
      missing = true;
      return '';
    });
    return missing ? undefined : out;
  };
}

const literal = (text: string) => text;

function applies(s: Statement, request: AuthorizationRequest, substitute: (text: string) => string | undefined): boolean {
  const action = request.action.toLowerCase();
  if (s.actions.some((p) => wildcardMatch(p, action)) === s.negateAction) return false;
  const resourceMatches = s.resources.some((pattern) => {
    const p = substitute(pattern);
    return p !== undefined && arnMatch(p, request.resource);
  });
  if (resourceMatches === s.negateResource) return false;
  return s.conditions.every((c) => c.test(request.context, substitute));
}

/** Evaluates every statement of every policy for the request. */
export function evaluateIamPolicies(policies: readonly IamPolicy[], request: AuthorizationRequest): { decision: IamDecision; sid?: string } {
  let allowedBy: Statement | undefined;
  const variables = substituter(request.context);
  for (const policy of policies) {
    for (const s of policy.statements) {
      if (!applies(s, request, policy.variables ? variables : literal)) continue;
      if (s.effect === 'Deny') return { decision: 'explicit-deny', ...(s.sid ? { sid: s.sid } : {}) };
      allowedBy ??= s;
    }
  }
  if (!allowedBy) return { decision: 'implicit-deny' };
  return { decision: 'allow', ...(allowedBy.sid ? { sid: allowedBy.sid } : {}) };
}
