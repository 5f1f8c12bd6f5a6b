/**
 * Compares a recorded AWS output with Gatehouse's output for the same command. Everything must match
 * except what differs between any two AWS accounts/regions/runs: generated ids, timestamps, the
 * endpoint host, and the region/account of generated ARNs. Member names must match both ways.
 */
import { toleratedNewerMember } from './newer-members.js';

/** One difference: a member missing on our side, one only we return, or differing values. */
export interface Difference {
  readonly path: string;
  readonly kind: 'missing' | 'extra' | 'value';
  readonly aws?: unknown;
  readonly ours?: unknown;
}

/** How to compare: which ids are real (substituted into the command), and when AWS's recording was made. */
export interface CompareOptions {
  /** Real ids of resources the example names; an id member whose recorded value is one of these must equal it. */
  readonly knownIds: ReadonlySet<string>;
  /** Latest timestamp in the example's recorded outputs, if it has any. */
  readonly recordedAt: Date | undefined;
}

/** The result: differences that fail the example, and newer members tolerated (reported, not failed). */
export interface Comparison {
  readonly differences: Difference[];
  readonly tolerated: Difference[];
}

/** Members whose value is an id AWS generates (the value is compared only when the example names an existing resource). */
const ID_MEMBERS = new Set([
  'ApiId', 'ApiMappingId', 'AuthorizerId', 'DeploymentId', 'IntegrationId', 'IntegrationResponseId', 'ModelId',
  'RouteId', 'RouteResponseId', 'RoutingRuleId', 'VpcLinkId', 'HostedZoneId',
]);

/** Strings with an id inside: the captured id is compared like an id member; the rest must match. */
const EMBEDDED_IDS: Record<string, RegExp> = {
  Target: /^integrations\/(.+)$/,
  LastDeploymentStatusMessage: /deployment ID '([^']+)'/,
  RoutingRuleArn: /\/routingrules\/([^/]+)$/,
};

/** Generated ARNs: region and account are those of the recording's account, never ours. */
const GENERATED_ARNS = new Set(['RoutingRuleArn', 'DomainNameArn']);

/** Lists whose order AWS does not define: elements are paired with their closest counterpart. */
const UNORDERED_LISTS = new Set(['Items', 'RoutingRules']);

const isDate = (v: unknown) => typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v));
const nonEmpty = (v: unknown) => typeof v === 'string' && v !== '';

/**
 * `https://x.execute-api.us-west-2.amazonaws.com` and Gatehouse's `http://x.execute-api.localhost:8080` are the
 * same endpoint shape: the scheme family (HTTP or WebSocket) and the path count; host, port and TLS are the
 * deployment's, not the API's.
 */
function endpointShape(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    const url = new URL(v);
    const family = ({ 'https:': 'http:', 'wss:': 'ws:' } as Record<string, string>)[url.protocol] ?? url.protocol;
    return `${family}//<host>${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return undefined;
  }
}

function maskArn(v: string): string {
  return v.replace(/^arn:([^:]+):apigateway:[^:]*:[^:]*:/, 'arn:$1:apigateway:<region>:<account>:');
}

/** Compares one member's values; `undefined` when they agree. */
function compareLeaf(member: string, aws: unknown, ours: unknown, opts: CompareOptions): boolean | 'recurse' {
  if (ID_MEMBERS.has(member)) return nonEmpty(ours) && (opts.knownIds.has(aws as string) ? aws === ours : nonEmpty(aws));
  if (member.endsWith('Date') && isDate(aws)) return isDate(ours);
  if (member === 'ApiEndpoint') return endpointShape(aws) !== undefined && endpointShape(aws) === endpointShape(ours);
  if (member === 'ApiGatewayDomainName') return nonEmpty(aws) && nonEmpty(ours);
  const embedded = EMBEDDED_IDS[member];
  if (embedded && typeof aws === 'string' && typeof ours === 'string') {
    let [a, o] = GENERATED_ARNS.has(member) ? [maskArn(aws), maskArn(ours)] : [aws, ours];
    const id = embedded.exec(a)?.[1];
    if (id !== undefined && !opts.knownIds.has(id)) {
      const mask = (s: string) => s.replace(embedded, (whole, captured: string) => whole.replace(captured, '<id>'));
      [a, o] = [mask(a), mask(o)];
    }
    return a === o;
  }
  if (GENERATED_ARNS.has(member) && typeof aws === 'string' && typeof ours === 'string') return maskArn(aws) === maskArn(ours);
  if (aws !== null && typeof aws === 'object') return 'recurse';
  return aws === ours;
}

function compareAt(path: string, member: string, aws: unknown, ours: unknown, opts: CompareOptions, out: Comparison): void {
  const leaf = compareLeaf(member, aws, ours, opts);
  if (leaf === true) return;
  if (leaf === false) {
    out.differences.push({ path, kind: 'value', aws, ours });
    return;
  }
  if (Array.isArray(aws)) {
    if (!Array.isArray(ours)) out.differences.push({ path, kind: 'value', aws, ours });
    else if (UNORDERED_LISTS.has(member)) compareUnordered(path, aws, ours, opts, out);
    else {
      for (let i = 0; i < Math.max(aws.length, ours.length); i++) {
        if (i >= ours.length) out.differences.push({ path: `${path}[${i}]`, kind: 'missing', aws: aws[i] });
        else if (i >= aws.length) out.differences.push({ path: `${path}[${i}]`, kind: 'extra', ours: ours[i] });
        else compareAt(`${path}[${i}]`, member, aws[i], ours[i], opts, out);
      }
    }
    return;
  }
  if (ours === null || typeof ours !== 'object' || Array.isArray(ours)) {
    out.differences.push({ path, kind: 'value', aws, ours });
    return;
  }
  compareObjects(path, aws as Record<string, unknown>, ours as Record<string, unknown>, opts, out);
}

function compareObjects(path: string, aws: Record<string, unknown>, ours: Record<string, unknown>, opts: CompareOptions, out: Comparison): void {
  const prefix = path === '' ? '' : `${path}.`;
  for (const [key, value] of Object.entries(aws)) {
    if (!(key in ours)) out.differences.push({ path: prefix + key, kind: 'missing', aws: value });
    else compareAt(prefix + key, key, value, ours[key], opts, out);
  }
  for (const [key, value] of Object.entries(ours)) {
    if (key in aws) continue;
    const extra: Difference = { path: prefix + key, kind: 'extra', ours: value };
    if (toleratedNewerMember(key, value, ours, opts.recordedAt)) out.tolerated.push(extra);
    else out.differences.push(extra);
  }
}

/** Pairs recorded and returned elements, closest pairs first (fewest differences); the rest are missing or extra. */
function compareUnordered(path: string, aws: unknown[], ours: unknown[], opts: CompareOptions, out: Comparison): void {
  const pairs: { i: number; j: number; result: Comparison }[] = [];
  aws.forEach((item, i) => {
    ours.forEach((mine, j) => {
      const result: Comparison = { differences: [], tolerated: [] };
      compareAt(`${path}[${i}]`, '', item, mine, opts, result);
      pairs.push({ i, j, result });
    });
  });
  pairs.sort((a, b) => a.result.differences.length - b.result.differences.length || a.i - b.i || a.j - b.j);
  const pairedAws = new Set<number>();
  const pairedOurs = new Set<number>();
  const chosen: (typeof pairs)[number][] = [];
  for (const p of pairs) {
    if (pairedAws.has(p.i) || pairedOurs.has(p.j)) continue;
    pairedAws.add(p.i);
    pairedOurs.add(p.j);
    chosen.push(p);
  }
  chosen.sort((a, b) => a.i - b.i);
  for (const p of chosen) {
    out.differences.push(...p.result.differences);
    out.tolerated.push(...p.result.tolerated);
  }
  aws.forEach((item, i) => pairedAws.has(i) || out.differences.push({ path: `${path}[${i}]`, kind: 'missing', aws: item }));
  ours.forEach((mine, j) => pairedOurs.has(j) || out.differences.push({ path: `${path}[+]`, kind: 'extra', ours: mine }));
}

/** Compares a recorded output (ids already substituted with the real ones) with ours. */
export function compareOutputs(aws: unknown, ours: unknown, opts: CompareOptions): Comparison {
  const out: Comparison = { differences: [], tolerated: [] };
  compareAt('', '', aws, ours, opts, out);
  return out;
}

/** Latest timestamp among the recorded outputs of an example file (members named `*Date`). */
export function latestRecordedDate(outputs: readonly unknown[]): Date | undefined {
  let latest: number | undefined;
  const visit = (v: unknown, key: string) => {
    if (key.endsWith('Date') && isDate(v)) latest = Math.max(latest ?? 0, Date.parse(v as string));
    else if (Array.isArray(v)) v.forEach((e) => visit(e, key));
    else if (v !== null && typeof v === 'object') for (const [k, e] of Object.entries(v)) visit(e, k);
  };
  outputs.forEach((o) => visit(o, ''));
  return latest === undefined ? undefined : new Date(latest);
}
