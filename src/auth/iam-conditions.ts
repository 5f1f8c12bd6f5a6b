/**
 * The `Condition` element of IAM policies: operators, `...IfExists`, `ForAnyValue:`/`ForAllValues:`
 * and the request-context keys they test, as IAM evaluates them.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 *
 * - Operators within a block, keys within an operator: all must hold (AND); the values of one key:
 *   any may match (OR); a negated operator (`StringNotEquals`, `NotIpAddress`, ...) holds when the
 *   request value matches none of them.
 * - A key absent from the request: false, except negated operators (true), `...IfExists` (true)
 *   and `Null` ("Null": "true" holds for an absent key).
 * - Keys are case-insensitive, operators are not.
 */
import { BlockList, isIP } from 'node:net';
import { wildcardMatch } from './wildcard.js';

/** Request-context values by lower-cased key (`aws:sourceip`); a multivalued key is a list. */
export type RequestContext = Readonly<Record<string, string | readonly string[] | undefined>>;

type Matcher = (requestValue: string, policyValue: string) => boolean;

interface Operator {
  readonly match: Matcher;
  /** Holds when no policy value matches (and for an absent key). */
  readonly negated: boolean;
}

const parseDate = (v: string): number => (/^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v));
const parseNumber = (v: string): number => (v.trim() === '' ? NaN : Number(v));

function compare(parse: (v: string) => number, test: (a: number, b: number) => boolean): Matcher {
  return (requestValue, policyValue) => {
    const a = parse(requestValue);
    const b = parse(policyValue);
    return !Number.isNaN(a) && !Number.isNaN(b) && test(a, b);
  };
}

/** ARNs compare component by component (the six colon-separated parts), each with `*` and `?` wildcards. */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = splitArn(pattern);
  const a = splitArn(arn);
  // A pattern written as an ARN but without its six parts names nothing; a non-ARN value compares whole.
  if (!p) return !pattern.startsWith('arn:') && wildcardMatch(pattern, arn);
  if (!a) return wildcardMatch(pattern, arn);
  return p.every((part, i) => wildcardMatch(part, a[i] as string));
}

function splitArn(value: string): string[] | undefined {
  const parts: string[] = [];
  let rest = value;
  for (let i = 0; i < 5; i++) {
    const colon = rest.indexOf(':');
    if (colon === -1) return undefined;
    parts.push(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  parts.push(rest);
  return parts;
}

const cidrCache = new Map<string, BlockList | null>();

/** Whether `ip` lies in `cidr` (`203.0.113.0/24`, `2001:db8::/32`, or a bare address). */
export function ipInCidr(ip: string, cidr: string): boolean {
  let list = cidrCache.get(cidr);
  if (list === undefined) {
    list = parseCidr(cidr);
    if (cidrCache.size < 4096) cidrCache.set(cidr, list);
  }
  const family = isIP(ip);
  return list !== null && family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

function parseCidr(cidr: string): BlockList | null {
  const slash = cidr.indexOf('/');
  const address = slash === -1 ? cidr : cidr.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = slash === -1 ? max : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  const list = new BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

const positive = (match: Matcher): Operator => ({ match, negated: false });
const negative = (match: Matcher): Operator => ({ match, negated: true });

const stringEquals: Matcher = (a, b) => a === b;
const ignoreCase: Matcher = (a, b) => a.toLowerCase() === b.toLowerCase();
const like: Matcher = (a, b) => wildcardMatch(b, a);
const arn: Matcher = (a, b) => arnMatch(b, a);
const ip: Matcher = (a, b) => ipInCidr(a, b);
const bool: Matcher = (a, b) => a.toLowerCase() === b.toLowerCase();
const binary: Matcher = (a, b) => Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));

/** Every operator IAM defines, by name (without `IfExists`). */
const OPERATORS: ReadonlyMap<string, Operator> = new Map([
  ['StringEquals', positive(stringEquals)],
  ['StringNotEquals', negative(stringEquals)],
  ['StringEqualsIgnoreCase', positive(ignoreCase)],
  ['StringNotEqualsIgnoreCase', negative(ignoreCase)],
  ['StringLike', positive(like)],
  ['StringNotLike', negative(like)],
  ['NumericEquals', positive(compare(parseNumber, (a, b) => a === b))],
  ['NumericNotEquals', negative(compare(parseNumber, (a, b) => a === b))],
  ['NumericLessThan', positive(compare(parseNumber, (a, b) => a < b))],
  ['NumericLessThanEquals', positive(compare(parseNumber, (a, b) => a <= b))],
  ['NumericGreaterThan', positive(compare(parseNumber, (a, b) => a > b))],
  ['NumericGreaterThanEquals', positive(compare(parseNumber, (a, b) => a >= b))],
  ['DateEquals', positive(compare(parseDate, (a, b) => a === b))],
  ['DateNotEquals', negative(compare(parseDate, (a, b) => a === b))],
  ['DateLessThan', positive(compare(parseDate, (a, b) => a < b))],
  ['DateLessThanEquals', positive(compare(parseDate, (a, b) => a <= b))],
  ['DateGreaterThan', positive(compare(parseDate, (a, b) => a > b))],
  ['DateGreaterThanEquals', positive(compare(parseDate, (a, b) => a >= b))],
  ['Bool', positive(bool)],
  ['BinaryEquals', positive(binary)],
  ['IpAddress', positive(ip)],
  ['NotIpAddress', negative(ip)],
  ['ArnEquals', positive(arn)],
  ['ArnLike', positive(arn)],
  ['ArnNotEquals', negative(arn)],
  ['ArnNotLike', negative(arn)],
]);

/** One key of one operator, compiled. */
export interface CompiledCondition {
  /** `StringEquals`, `ForAnyValue:StringLike`, `IpAddressIfExists`, `Null` (for messages). */
  readonly operator: string;
  /** Lower-cased context key. */
  readonly key: string;
  readonly values: readonly string[];
  test(context: RequestContext, substitute: (text: string) => string | undefined): boolean;
}

/** A condition block that cannot be read: the message says why. */
export class ConditionError extends Error {
  override name = 'ConditionError';
}

function conditionValues(value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new ConditionError(`${where}: needs at least one value`);
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new ConditionError(`${where}: values must be strings, numbers or booleans`);
  });
}

/** Compiles a statement's `Condition` object; throws ConditionError for an unknown operator or a malformed value. */
export function compileConditions(block: unknown): CompiledCondition[] {
  if (block === undefined) return [];
  if (typeof block !== 'object' || block === null || Array.isArray(block)) throw new ConditionError('Condition must be an object of operators');
  const out: CompiledCondition[] = [];
  for (const [name, keys] of Object.entries(block)) {
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw new ConditionError(`Condition ${name} must map condition keys to values`);
    for (const [key, value] of Object.entries(keys as Record<string, unknown>)) {
      out.push(compileCondition(name, key.toLowerCase(), conditionValues(value, `Condition ${name} ${key}`)));
    }
  }
  return out;
}

function compileCondition(name: string, key: string, values: readonly string[]): CompiledCondition {
  const set = /^(ForAnyValue|ForAllValues):(.+)$/.exec(name);
  const base = set ? (set[2] as string) : name;
  if (base === 'Null') {
    if (set) throw new ConditionError(`Condition operator ${name} is not supported`);
    return {
      operator: name,
      key,
      values,
      test: (context) => {
        const present = context[key] !== undefined && (typeof context[key] === 'string' || (context[key] as readonly string[]).length > 0);
        return values.some((v) => (v.toLowerCase() === 'true') === !present);
      },
    };
  }
  const ifExists = base.endsWith('IfExists');
  const operator = OPERATORS.get(ifExists ? base.slice(0, -'IfExists'.length) : base);
  if (!operator) throw new ConditionError(`Condition operator ${name} is not supported`);
  const variables = base.startsWith('String') || base.startsWith('Arn');
  return {
    operator: name,
    key,
    values,
    test(context, substitute) {
      const raw = context[key];
      const requestValues = raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw;
      const policyValues = variables ? values.map(substitute).filter((v): v is string => v !== undefined) : values;
      // One request value against the policy values: any match, or (negated) none.
      const holds = (v: string) => policyValues.some((p) => operator.match(v, p)) !== operator.negated;
      if (set?.[1] === 'ForAllValues') return requestValues.every(holds);
      if (requestValues.length === 0) return ifExists || (operator.negated && !set);
      return requestValues.some(holds);
    },
  };
}
