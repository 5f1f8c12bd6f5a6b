/**
 * Property-based fuzzing of the management API: generated calls to every operation of the model
 * (inputs.ts) against a real server started in this process on port 0, each checked against the
 * invariants a front door must keep:
 *
 * - no 5xx (AWS documents none for apigatewayv2), no uncaught exception, no prototype pollution;
 * - every 4xx is a well-formed error of its format (`x-amzn-ErrorType` + `{"message"}`, or the envelope);
 * - a 4xx changes nothing (the store's rows are compared before and after);
 * - a label that is an inherited property name (`constructor`) or a dot segment never answers 2xx,
 *   and a Get/Delete of one under existing parents is AWS's 404 NotFoundException;
 * - what a Create/Update/Import answered 2xx for can be read back with its Get, and a deleted
 *   resource is gone.
 *
 * Every call i of a run is generated from `seed + i` alone, so one call can be replayed.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { signRequest } from '../../src/auth/sigv4.js';
import type { OperationSpec } from '../../src/model/service-model.js';
import { OPERATIONS } from '../../src/model/service-model.js';
import type { TestServer } from '../helpers/server.js';
import { startServer } from '../helpers/server.js';
import type { GeneratedCall } from './inputs.js';
import { anyCall, INHERITED_KEYS, labelNames } from './inputs.js';

/** A response as the fuzzer saw it. */
export interface FuzzResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  readonly json: unknown;
}

/** One broken invariant, with what is needed to replay it. */
export interface FuzzFailure {
  /** The call's index in the run and the run's seed: `npm run fuzz -- --seed {seed} --only {index}` replays it. */
  readonly index: number;
  readonly seed: number;
  readonly problem: string;
  readonly request: string;
  readonly status: number;
  readonly response: string;
}

export interface FuzzOptions {
  readonly runs: number;
  readonly seed: number;
  /** Extra server flags (`--response-format envelope`). */
  readonly args?: readonly string[];
  /** Configure this access key on the server and sign every call with it (SigV4, service apigateway). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Only this call index (replay). */
  readonly only?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Log every call's operation, status and the start of its answer. */
  readonly trace?: boolean;
}

export interface FuzzReport {
  readonly calls: number;
  readonly failures: readonly FuzzFailure[];
  /** Calls per status code. */
  readonly statuses: Readonly<Record<number, number>>;
  /** Calls per operation that answered 2xx. */
  readonly successes: Readonly<Record<string, number>>;
}

const BY_NAME = new Map(OPERATIONS.map((o) => [o.name, o]));
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Labels that are not resource identifiers (an ARN, an export format). */
const NOT_IDENTIFIERS = new Set(['ResourceArn', 'Specification']);

/** The resources every call may name: one HTTP API and one WebSocket API with a bit of everything. */
interface World {
  readonly http: Readonly<Record<string, string>>;
  readonly websocket: Readonly<Record<string, string>>;
}

/** Labels only the WebSocket API's fixtures have. */
const WEBSOCKET_LABELS = new Set(['ModelId', 'RouteResponseId', 'IntegrationResponseId', 'RequestParameterKey']);

let agent = new Agent({ keepAlive: true, maxSockets: 1 });
/** The key calls are signed with, when the server under test has credentials. */
let signingKey: FuzzOptions['credentials'];

function send(port: number, method: string, path: string, body: string | undefined, given: Record<string, string>): Promise<FuzzResponse> {
  let headers: Record<string, string> = { ...given, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) };
  if (signingKey) {
    // `new URL` resolves dot segments, so a call with `..` in a label is signed for another path and refused (403).
    const url = new URL(`http://127.0.0.1:${port}${path}`);
    headers = { ...headers, host: url.host, ...signRequest({ method, url, headers: { ...headers, host: url.host }, body: body ?? '' }, signingKey, { region: 'us-east-1', service: 'apigateway' }) };
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${method} ${path.slice(0, 200)} in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function must(port: number, method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  const res = await send(port, method, path, body === undefined ? undefined : JSON.stringify(body), {
    'content-type': 'application/json',
    'x-gatehouse-response-format': 'aws',
  });
  if (res.status >= 300) throw new Error(`fuzz world: ${method} ${path} answered ${res.status} ${res.text}`);
  return (res.json ?? {}) as Record<string, any>;
}

let worldCount = 0;

/** Creates a fresh set of fixtures (new ids each time, so a deleted fixture is replaced). */
async function buildWorld(port: number): Promise<World> {
  const n = ++worldCount;
  const httpApi = await must(port, 'POST', '/v2/apis', { name: `fuzz-http-${n}`, protocolType: 'HTTP', tags: { team: 'fuzz' } });
  const a = httpApi.apiId as string;
  const integration = await must(port, 'POST', `/v2/apis/${a}/integrations`, {
    integrationType: 'HTTP_PROXY',
    integrationMethod: 'GET',
    integrationUri: 'https://example.com/x',
    payloadFormatVersion: '1.0',
  });
  const route = await must(port, 'POST', `/v2/apis/${a}/routes`, { routeKey: 'GET /items', target: `integrations/${integration.integrationId}` });
  const authorizer = await must(port, 'POST', `/v2/apis/${a}/authorizers`, {
    name: 'jwt',
    authorizerType: 'JWT',
    identitySource: ['$request.header.Authorization'],
    jwtConfiguration: { issuer: 'https://issuer.example.com', audience: ['a'] },
  });
  const deployment = await must(port, 'POST', `/v2/apis/${a}/deployments`, {});
  await must(port, 'POST', `/v2/apis/${a}/stages`, {
    stageName: 'dev',
    deploymentId: deployment.deploymentId,
    stageVariables: { v: '1' },
    routeSettings: { 'GET /items': { throttlingBurstLimit: 5 } },
  });
  const wsApi = await must(port, 'POST', '/v2/apis', { name: `fuzz-ws-${n}`, protocolType: 'WEBSOCKET', routeSelectionExpression: '$request.body.action' });
  const w = wsApi.apiId as string;
  const wsIntegration = await must(port, 'POST', `/v2/apis/${w}/integrations`, { integrationType: 'MOCK' });
  const integrationResponse = await must(port, 'POST', `/v2/apis/${w}/integrations/${wsIntegration.integrationId}/integrationresponses`, { integrationResponseKey: '$default' });
  const model = await must(port, 'POST', `/v2/apis/${w}/models`, { name: 'M', schema: '{"type":"object"}', contentType: 'application/json' });
  const wsRoute = await must(port, 'POST', `/v2/apis/${w}/routes`, {
    routeKey: '$connect',
    target: `integrations/${wsIntegration.integrationId}`,
    requestParameters: { 'route.request.header.x-fuzz': { required: false } },
  });
  const routeResponse = await must(port, 'POST', `/v2/apis/${w}/routes/${wsRoute.routeId}/routeresponses`, { routeResponseKey: '$default' });
  const wsDeployment = await must(port, 'POST', `/v2/apis/${w}/deployments`, {});
  await must(port, 'POST', `/v2/apis/${w}/stages`, { stageName: 'ws', deploymentId: wsDeployment.deploymentId, routeSettings: { $connect: { throttlingBurstLimit: 5 } } });
  const domainName = `fuzz-${n}.example.com`;
  await must(port, 'POST', '/v2/domainnames', {
    domainName,
    domainNameConfigurations: [{ certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/fuzz', endpointType: 'REGIONAL' }],
  });
  const mapping = await must(port, 'POST', `/v2/domainnames/${domainName}/apimappings`, { apiId: a, stage: 'dev', apiMappingKey: 'v1' });
  const rule = await must(port, 'POST', `/v2/domainnames/${domainName}/routingrules`, {
    actions: [{ invokeApi: { apiId: a, stage: 'dev' } }],
    conditions: [{ matchBasePaths: { anyOf: ['rules'] } }],
    priority: 10,
  });
  const vpcLink = await must(port, 'POST', '/v2/vpclinks', { name: 'link', subnetIds: ['subnet-1'] });
  const shared = {
    DomainName: domainName,
    ApiMappingId: mapping.apiMappingId as string,
    RoutingRuleId: rule.routingRuleId as string,
    VpcLinkId: vpcLink.vpcLinkId as string,
    Specification: 'OAS30',
  };
  return {
    http: {
      ...shared,
      ApiId: a,
      IntegrationId: integration.integrationId,
      RouteId: route.routeId,
      AuthorizerId: authorizer.authorizerId,
      DeploymentId: deployment.deploymentId,
      StageName: 'dev',
      RouteKey: 'GET /items',
      ResourceArn: `arn:aws:apigateway:us-east-1::/apis/${a}`,
    },
    websocket: {
      ...shared,
      ApiId: w,
      IntegrationId: wsIntegration.integrationId,
      IntegrationResponseId: integrationResponse.integrationResponseId,
      ModelId: model.modelId,
      RouteId: wsRoute.routeId,
      RouteResponseId: routeResponse.routeResponseId,
      RequestParameterKey: 'route.request.header.x-fuzz',
      DeploymentId: wsDeployment.deploymentId,
      AuthorizerId: authorizer.authorizerId,
      StageName: 'ws',
      RouteKey: '$connect',
      ResourceArn: `arn:aws:apigateway:us-east-1::/apis/${w}`,
    },
  };
}

/** A fingerprint of every stored row: equal before and after a call that changed nothing. */
function fingerprint(db: Database.Database): string {
  const hash = createHash('sha256');
  for (const row of db.prepare('SELECT seq, kind, scope, id, version, data FROM resources ORDER BY seq').raw().iterate()) hash.update(JSON.stringify(row));
  return hash.digest('hex');
}

/** The names each built-in prototype owns, to see a polluting write. */
function prototypeNames(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
}

interface Resolved {
  readonly spec: OperationSpec;
  readonly path: string;
  /** Decoded label values by name, and which labels are fixtures. */
  readonly labels: Readonly<Record<string, string>>;
  readonly fixtureLabels: ReadonlySet<string>;
  readonly headers: Record<string, string>;
}

function resolve(call: GeneratedCall, world: World): Resolved {
  const spec = BY_NAME.get(call.operation) as OperationSpec;
  const names = labelNames(spec);
  const fixtures = call.websocket || names.some((n) => WEBSOCKET_LABELS.has(n)) ? world.websocket : world.http;
  const labels: Record<string, string> = {};
  const fixtureLabels = new Set<string>();
  let path = spec.uri;
  for (const name of names) {
    const choice = call.labels[name];
    let raw: string;
    if (!choice || 'fixture' in choice) {
      const value = fixtures[name] ?? 'missing';
      raw = encodeURIComponent(value);
      labels[name] = value;
      fixtureLabels.add(name);
    } else {
      raw = choice.raw;
      try {
        labels[name] = decodeURIComponent(raw);
      } catch {
        labels[name] = raw;
      }
    }
    path = path.replace(`{${name}}`, raw);
  }
  if (call.query.length > 0) path += `?${call.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
  const headers: Record<string, string> = {};
  if (call.contentType !== undefined && call.body !== undefined) headers['content-type'] = call.contentType;
  if (call.format !== undefined) headers['x-gatehouse-response-format'] = call.format;
  // defined, not assigned: a `__proto__` header is sent as one
  for (const [name, value] of call.headers) Object.defineProperty(headers, name.toLowerCase(), { value, enumerable: true, writable: true, configurable: true });
  return { spec, path, labels, fixtureLabels, headers };
}

/** The format the server answers in: the header's, the server's default, or `aws` for a refused header. */
function effectiveFormat(call: GeneratedCall, serverDefault: string): string {
  if (call.format === undefined) return serverDefault;
  const f = call.format.toLowerCase();
  return f === 'aws' || f === 'envelope' ? f : 'aws';
}

/** The envelope's error codes (DESIGN.md, response formats). */
const ENVELOPE_CODES = new Set(['VALIDATION_ERROR', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'ACCESS_DENIED', 'INTERNAL_ERROR']);

/** The error type and message of a 4xx in either format, or a problem with its shape. */
function errorOf(res: FuzzResponse, format: string): { type: string; message: string } | string {
  const body = res.json as Record<string, any> | undefined;
  if (typeof body !== 'object' || body === null) return `4xx without a JSON body: ${res.text.slice(0, 200)}`;
  if (format === 'envelope') {
    const error = body.error as Record<string, unknown> | undefined;
    if (body.success !== false || typeof error?.message !== 'string' || typeof error.type !== 'string') return 'envelope 4xx without success:false, error.type and error.message';
    if (!ENVELOPE_CODES.has(error.code as string)) return `envelope 4xx with error.code ${String(error.code)} (DESIGN.md: ${[...ENVELOPE_CODES].join(', ')})`;
    return { type: error.type, message: error.message };
  }
  const type = res.headers['x-amzn-errortype'];
  if (typeof type !== 'string' || !/^[A-Za-z]+$/.test(type)) return `4xx without x-amzn-ErrorType (got ${String(type)})`;
  if (typeof body.message !== 'string') return '4xx without a string message';
  return { type, message: body.message };
}

const isDotSegment = (label: string) => label === '.' || label === '..';

/** The Get operation that reads back what `spec` wrote, if any. */
function readBackOf(spec: OperationSpec): OperationSpec | undefined {
  if (spec.name === 'ImportApi' || spec.name === 'ReimportApi') return BY_NAME.get('GetApi');
  if (spec.name === 'TagResource') return BY_NAME.get('GetTags');
  const m = /^(Create|Update|Put)(.+)$/.exec(spec.name);
  return m ? BY_NAME.get(`Get${m[2]}`) : undefined;
}

/** Runs the fuzzer; never throws for a broken invariant (they are returned). */
export async function fuzzManagementApi(options: FuzzOptions): Promise<FuzzReport> {
  agent = new Agent({ keepAlive: true, maxSockets: 1 });
  signingKey = options.credentials;
  const env: Record<string, string> = options.credentials ? { GATEHOUSE_CREDENTIALS: `${options.credentials.accessKeyId}:${options.credentials.secretAccessKey}` } : {};
  const server: TestServer = await startServer({ args: [...(options.args ?? [])], env });
  const port = server.gatehouse.port;
  const serverDefault = server.config.responseFormat;
  const db = new Database(join(server.dataDir, 'gatehouse.db'), { readonly: true, fileMustExist: true });
  const uncaught: string[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const prototypesBefore = prototypeNames();
  const failures: FuzzFailure[] = [];
  const statuses: Record<number, number> = {};
  const successes: Record<string, number> = {};
  let calls = 0;
  try {
    let world = await buildWorld(port);
    const first = options.only ?? 0;
    const last = options.only ?? options.runs - 1;
    for (let index = first; index <= last; index++) {
      const seed = options.seed + index;
      const [call] = fc.sample(anyCall, { seed, numRuns: 1 }) as [GeneratedCall];
      const r = resolve(call, world);
      const describe = `${r.spec.method} ${r.path.slice(0, 300)} [${r.spec.name}] headers=${JSON.stringify(r.headers)} body=${call.body === undefined ? '-' : call.body.slice(0, 500)}`;
      const fail = (problem: string, res?: FuzzResponse) => {
        failures.push({ index, seed: options.seed, problem, request: describe, status: res?.status ?? 0, response: res?.text.slice(0, 500) ?? '' });
        options.log?.(`FAIL #${index} (replay: npm run fuzz -- --seed ${options.seed} --only ${index}): ${problem}\n  ${describe}\n  -> ${res?.status ?? ''} ${res?.text.slice(0, 300) ?? ''}`);
      };
      const before = fingerprint(db);
      let res: FuzzResponse;
      try {
        res = await send(port, r.spec.method, r.path, call.body, r.headers);
      } catch (err) {
        fail(`no response: ${(err as Error).message}`);
        world = await buildWorld(port);
        continue;
      }
      calls++;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (options.trace) options.log?.(`#${index} ${r.spec.name} ${res.status} ${res.text.slice(0, 160)}`);
      const format = effectiveFormat(call, serverDefault);
      if (res.status >= 500) fail(`answered ${res.status}`, res);
      if (uncaught.length > 0) fail(`uncaught: ${uncaught.splice(0).join('\n')}`, res);
      if (prototypeNames() !== prototypesBefore || (({}) as Record<string, unknown>).polluted !== undefined) fail('a built-in prototype was changed', res);

      const hostileLabels = Object.entries(r.labels).filter(([name, v]) => !r.fixtureLabels.has(name) && !NOT_IDENTIFIERS.has(name) && (INHERITED_KEYS.includes(v) || isDotSegment(v)));
      if (res.status >= 400 && res.status < 500) {
        const error = errorOf(res, format);
        if (typeof error === 'string') fail(error, res);
        if (fingerprint(db) !== before) fail('a 4xx changed stored resources', res);
        // A Get/Delete whose last label is an inherited property name, under existing parents: AWS's 404.
        const names = labelNames(r.spec);
        const leaf = names[names.length - 1];
        if (
          typeof error !== 'string' &&
          leaf !== undefined &&
          (r.spec.method === 'GET' || r.spec.method === 'DELETE') &&
          r.spec.uri.endsWith(`{${leaf}}`) &&
          hostileLabels.length === 1 &&
          hostileLabels[0]?.[0] === leaf &&
          // Under existing parents: every other label is a fixture's (a generated parent such as `%zz` is refused first, 400).
          names.slice(0, -1).every((name) => r.fixtureLabels.has(name)) &&
          INHERITED_KEYS.includes(r.labels[leaf] as string) &&
          call.query.length === 0 &&
          (call.format === undefined || ['aws', 'envelope'].includes(call.format.toLowerCase())) &&
          (res.status !== 404 || error.type !== 'NotFoundException')
        ) {
          fail(`${r.spec.name} of ${leaf} '${r.labels[leaf]}' answered ${res.status} ${error.type} (expected 404 NotFoundException)`, res);
        }
      }
      if (res.status >= 200 && res.status < 300) {
        successes[r.spec.name] = (successes[r.spec.name] ?? 0) + 1;
        if (hostileLabels.length > 0) fail(`answered ${res.status} for ${hostileLabels.map(([n, v]) => `${n} '${v}'`).join(', ')}`, res);
        if (res.text && res.headers['content-type'] === 'application/json' && res.json === undefined) fail('2xx body is not JSON', res);
        const readBack = readBackOf(r.spec);
        const data = (format === 'envelope' ? (res.json as { data?: unknown } | undefined)?.data : res.json) as Record<string, unknown> | undefined;
        if (readBack && data && typeof data === 'object') {
          let path = readBack.uri;
          let complete = true;
          for (const name of labelNames(readBack)) {
            const fromBody = data[lowerFirst(name)];
            const value = r.labels[name] ?? (typeof fromBody === 'string' ? fromBody : undefined);
            if (value === undefined) complete = false;
            else path = path.replace(`{${name}}`, encodeURIComponent(value));
          }
          if (complete) {
            const got = await send(port, 'GET', path, undefined, { 'x-gatehouse-response-format': 'aws' });
            if (got.status !== 200) fail(`${readBack.name} ${path} after ${r.spec.name} answered ${got.status}: ${got.text.slice(0, 200)}`, res);
          }
        }
        if (r.spec.method === 'DELETE' || r.spec.name === 'ReimportApi' || r.spec.name === 'ImportApi') world = await buildWorld(port);
      }
      if ((index - first + 1) % 500 === 0) options.log?.(`${index - first + 1} calls, ${failures.length} failures`);
    }
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    db.close();
    agent.destroy();
    await server.close();
  }
  return { calls, failures, statuses, successes };
}

/** One line per distinct problem (same operation and problem), with the first call that showed it. */
export function summarize(failures: readonly FuzzFailure[]): string[] {
  const seen = new Map<string, { first: FuzzFailure; count: number }>();
  for (const f of failures) {
    const key = `${f.request.split(' ')[2] ?? ''} ${f.problem.replace(/'[^']*'/g, "'…'").slice(0, 120)}`;
    const entry = seen.get(key);
    if (entry) entry.count++;
    else seen.set(key, { first: f, count: 1 });
  }
  return [...seen.values()].map(({ first, count }) => `${count}× ${first.problem} — replay: --seed ${first.seed} --only ${first.index}: ${first.request.slice(0, 400)} -> ${first.status} ${first.response.slice(0, 200)}`);
}
