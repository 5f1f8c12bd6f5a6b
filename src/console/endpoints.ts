/**
 * The console's endpoints under `/_gatehouse/`: the page (`console`, `console/app.js`, `console/app.css`),
 * its JSON reads (`console/api/...`), the live request log (`events`, server-sent events) and the
 * explain API (`explain`). On the admin listener when `--admin-port` is set, else on the main one.
 *
 * Access: with configured credentials (`--credentials`), the same keys as the management API, either
 * as a SigV4 signature (service `apigateway`, as the CLI sends) or as HTTP Basic `accessKeyId:secretAccessKey`
 * (what a browser asks for); keys with policies need `apigateway:GET` on the APIs they look at and
 * `execute-api:ManageConnections` to post to or disconnect a connection. The caller sees the APIs of
 * its account (the access key) and region (the signature's, else `?region=`, else `--region`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readLimitedBody } from '../http-limits.js';
import type { IamDirectory } from '../auth/iam-callers.js';
import { authorizeCaller, executeApiDenial, managementDenial, requestFacts } from '../auth/iam-callers.js';
import { constantTimeEqual, signedRequestOf, verifyRequest } from '../auth/sigv4.js';
import type { Config } from '../config.js';
import { callerOf } from '../control-plane/caller.js';
import { REGION } from '../model/account-region.js';
import { sendJson as writeJson } from '../control-plane/formats/format.js';
import type { CompiledStage } from '../data-plane/invocation.js';
import type { StageRegistry } from '../data-plane/stage-registry.js';
import { apiEndpoint, stageUrl } from '../endpoints.js';
import type { AccountRegion } from '../model/account-region.js';
import { accountOfAccessKey, accountRegionScope } from '../model/account-region.js';
import type { ApiRecord, DeploymentRecord, DeploymentSnapshot, StageRecord } from '../model/resources.js';
import type { Store } from '../store/store.js';
import type { WebSocketGateway } from '../websocket/gateway.js';
import { CONNECTION_ID } from '../websocket/connection-id.js';
import { diffSnapshots } from './diff.js';
import { explainHttpRequest, explainWebSocketMessage, routeRuntime } from './explain.js';
import type { LiveEntry, LiveRequests } from './live.js';
import { CONSOLE_CSS, CONSOLE_HTML, CONSOLE_JS } from './page.js';

/** What the console reads and drives. */
export interface ConsoleDeps {
  readonly config: Config;
  readonly store: Store;
  readonly registry: StageRegistry;
  readonly webSockets: WebSocketGateway;
  readonly live: LiveRequests;
  /** The main listener's port (invoke URLs). */
  readonly port: () => number;
  readonly iamDirectory?: IamDirectory;
}

import { CONSOLE_PATH, EVENTS_PATH, EXPLAIN_PATH } from './paths.js';
import { byCodeUnits, byName } from '../text-order.js';

const MAX_BODY = 128 * 1024;

/** A refused console request. */
class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The console's JSON answers are never cached. */
const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => writeJson(res, status, body, { 'cache-control': 'no-store', ...headers });

const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};


/** The request body, at most MAX_BODY (413 past it). */
const readBody = (req: IncomingMessage): Promise<Buffer> => readLimitedBody(req, MAX_BODY, () => new ConsoleError(413, `the body is larger than ${MAX_BODY} bytes`));

/** A console caller: where it acts, and the configured key it authenticated with (none without credentials). */
interface ConsoleCaller extends AccountRegion {
  readonly accessKeyId?: string;
}

/** The console's request handler. */
export interface ConsoleEndpoints {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

/** Creates the handler of the console's paths (`isConsolePath`). */
export function createConsole(deps: ConsoleDeps): ConsoleEndpoints {
  const { config, store, registry, webSockets, live, iamDirectory } = deps;
  const streams = new Set<ServerResponse>();

  const authenticate = (req: IncomingMessage, query: URLSearchParams, body: Buffer): ConsoleCaller => {
    const asked = query.get('region');
    const region = asked && REGION.test(asked) ? asked : config.region;
    if (!iamDirectory) return { ...callerOf(req, query, region) };
    const authorization = req.headers.authorization ?? '';
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (basic) {
      const text = Buffer.from(basic[1] as string, 'base64').toString('utf8');
      const colon = text.indexOf(':');
      const accessKeyId = colon === -1 ? text : text.slice(0, colon);
      const secret = iamDirectory.secretOf(accessKeyId);
      if (secret !== undefined && colon !== -1 && constantTimeEqual(secret, text.slice(colon + 1))) {
        return { accountId: accountOfAccessKey(accessKeyId), region, accessKeyId };
      }
      throw new ConsoleError(401, 'The access key id or secret access key is wrong', { 'www-authenticate': 'Basic realm="Gatehouse console", charset="UTF-8"' });
    }
    if (/^AWS4-HMAC-SHA256\s/.test(authorization) || query.has('X-Amz-Signature')) {
      const verdict = verifyRequest(signedRequestOf(req, body), { service: 'apigateway', lookup: (id) => iamDirectory.secretOf(id), now: new Date() });
      if (!verdict.ok) throw new ConsoleError(403, verdict.message);
      return { accountId: accountOfAccessKey(verdict.accessKeyId), region: verdict.region, accessKeyId: verdict.accessKeyId };
    }
    throw new ConsoleError(401, 'The console needs the credentials of the management API: a SigV4 signature, or HTTP Basic with an access key id and its secret', {
      'www-authenticate': 'Basic realm="Gatehouse console", charset="UTF-8"',
    });
  };

  /** Throws 403 unless the caller's policies allow `action` on `resource` (keys without policies always may). */
  const authorize = (req: IncomingMessage, caller: ConsoleCaller, action: string, resource: string) => {
    if (!iamDirectory || caller.accessKeyId === undefined) return;
    const iamCaller = iamDirectory.callerOf(caller.accessKeyId);
    if (!iamCaller) return;
    // The same facts as the management API's and @connections' checks: a policy on TLS or the user agent decides alike.
    const decision = authorizeCaller(iamCaller, action, resource, requestFacts(req, Date.now(), caller.region));
    if (decision !== 'allow') {
      throw new ConsoleError(403, action.startsWith('execute-api:') ? executeApiDenial(iamCaller, action, resource, decision) : managementDenial(iamCaller, action, resource, decision));
    }
  };
  const mayRead = (req: IncomingMessage, caller: ConsoleCaller, path: string) => authorize(req, caller, 'apigateway:GET', `arn:aws:apigateway:${caller.region}::${path}`);

  /** The caller's API (404 for an API of another account or region). */
  const apiOf = async (caller: ConsoleCaller, apiId: string | null) => {
    if (!apiId) throw new ConsoleError(400, 'apiId is required');
    const api = await store.get<ApiRecord>('api', accountRegionScope(caller), apiId);
    if (!api) throw new ConsoleError(404, `No API ${apiId} in account ${caller.accountId}, region ${caller.region}`);
    return api.data;
  };
  /** The caller's compiled stage (what the data plane serves). */
  const stageOf = async (caller: ConsoleCaller, apiId: string | null, stageName: string | null): Promise<CompiledStage> => {
    await apiOf(caller, apiId);
    if (!stageName) throw new ConsoleError(400, 'stage is required');
    await registry.settled(apiId as string);
    const stage = registry.get(apiId as string)?.get(stageName);
    if (!stage) throw new ConsoleError(404, `API ${apiId} has no deployed stage ${stageName}`);
    return stage;
  };

  const invokeUrl = (api: ApiRecord, stageName: string) => stageUrl(apiEndpoint(config, deps.port(), api.apiId, api.protocolType), stageName);

  async function listApis(caller: ConsoleCaller) {
    const apis = await store.listAll<ApiRecord>('api', accountRegionScope(caller));
    return Promise.all(
      apis.map(async (api) => {
        const stages = await store.listAll<StageRecord>('stage', api.id);
        return {
          apiId: api.id,
          name: api.data.name,
          protocolType: api.data.protocolType,
          apiEndpoint: apiEndpoint(config, deps.port(), api.id, api.data.protocolType),
          ...(api.data.protocolType === 'WEBSOCKET' ? { routeSelectionExpression: api.data.routeSelectionExpression } : {}),
          stages: stages.map((s) => ({
            stageName: s.id,
            deploymentId: s.data.deploymentId ?? null,
            autoDeploy: s.data.autoDeploy === true,
            invokeUrl: invokeUrl(api.data, s.id),
            lastUpdatedDate: s.data.lastUpdatedDate,
          })),
        };
      }),
    );
  }

  async function stageDetail(caller: ConsoleCaller, apiId: string | null, stageName: string | null) {
    const api = await apiOf(caller, apiId);
    const record = stageName ? await store.get<StageRecord>('stage', api.apiId, stageName) : undefined;
    if (!record) throw new ConsoleError(404, `API ${api.apiId} has no stage ${stageName ?? ''}`);
    const deployments = await store.listAll<DeploymentRecord>('deployment', api.apiId);
    // As stageOf does: a deployment just made is compiled before its routes are shown.
    await registry.settled(api.apiId);
    const stage = registry.get(api.apiId)?.get(record.id);
    const routes = stage
      ? stage.snapshot.routes.map((r) => ({ routeKey: r.routeKey, routeId: r.routeId, ...routeRuntime(stage, { route: r, routeKey: r.routeKey }) }))
      : [];
    return {
      apiId: api.apiId,
      name: api.name,
      protocolType: api.protocolType,
      stageName: record.id,
      invokeUrl: invokeUrl(api, record.id),
      deploymentId: record.data.deploymentId ?? null,
      autoDeploy: record.data.autoDeploy === true,
      stageVariables: record.data.stageVariables,
      defaultRouteSettings: record.data.defaultRouteSettings,
      routes: routes.sort((a, b) => byName(a.routeKey, b.routeKey)),
      deployments: deployments
        .map((d) => ({
          deploymentId: d.id,
          createdDate: d.data.createdDate,
          description: d.data.description ?? '',
          autoDeployed: d.data.autoDeployed,
          deploymentStatus: d.data.deploymentStatus,
          routes: d.data.snapshot.routes.length,
        }))
        .sort((a, b) => byCodeUnits(b.createdDate, a.createdDate)),
    };
  }

  async function diff(caller: ConsoleCaller, apiId: string | null, from: string | null, to: string | null) {
    const api = await apiOf(caller, apiId);
    const snapshotOf = async (id: string | null): Promise<DeploymentSnapshot> => {
      if (!id) throw new ConsoleError(400, 'from and to name two deployments');
      const d = await store.get<DeploymentRecord>('deployment', api.apiId, id);
      if (!d) throw new ConsoleError(404, `API ${api.apiId} has no deployment ${id}`);
      return d.data.snapshot;
    };
    return { apiId: api.apiId, from, to, changes: diffSnapshots(await snapshotOf(from), await snapshotOf(to)) };
  }

  function events(res: ServerResponse, caller: ConsoleCaller) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\n: gatehouse live request log for ${caller.accountId}/${caller.region}\n\n`);
    const mine = (e: LiveEntry) => (e.accountId === undefined ? !iamDirectory : e.accountId === caller.accountId && e.region === caller.region);
    // The entries of one event-loop turn go out in one write.
    let pending = '';
    const flush = () => {
      const text = pending;
      pending = '';
      if (text !== '' && !res.destroyed) res.write(text);
    };
    const unsubscribe = live.subscribe((entry) => {
      if (pending === '') setImmediate(flush);
      pending += `event: request\ndata: ${JSON.stringify(entry)}\n\n`;
    }, mine);
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    streams.add(res);
    const end = () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    };
    // Not req's 'close': node emits it once the (empty) request body is read.
    res.on('close', end);
  }

  function explain(stage: CompiledStage, query: URLSearchParams) {
    if (stage.api.protocolType === 'WEBSOCKET') {
      const message = query.get('message');
      if (message === null) throw new ConsoleError(400, 'a WebSocket API explains a message: pass message=<the message text>');
      return explainWebSocketMessage(stage, message);
    }
    const method = (query.get('method') ?? 'GET').trim();
    const path = query.get('path');
    if (!path || !path.startsWith('/')) throw new ConsoleError(400, 'path is required and starts with / (the path after the stage, e.g. /pets/7)');
    if (!/^[A-Za-z]+$/.test(method)) throw new ConsoleError(400, `method must be an HTTP method, got ${JSON.stringify(method)}`);
    const headers: Record<string, string> = {};
    for (const h of query.getAll('header')) {
      const colon = h.indexOf(':');
      if (colon < 1) throw new ConsoleError(400, `header must be name:value, got ${JSON.stringify(h)}`);
      headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    }
    return explainHttpRequest(stage, method, path, headers);
  }

  async function connectionCall(req: IncomingMessage, caller: ConsoleCaller, query: URLSearchParams, id: string, body: Buffer) {
    const stage = await stageOf(caller, query.get('apiId'), query.get('stage'));
    if (stage.api.protocolType !== 'WEBSOCKET') throw new ConsoleError(400, `API ${stage.apiId} is not a WebSocket API`);
    if (!CONNECTION_ID.test(id)) throw new ConsoleError(400, `Invalid connectionId: ${id}`);
    const method = req.method === 'DELETE' ? 'DELETE' : 'POST';
    authorize(req, caller, 'execute-api:ManageConnections', `arn:aws:execute-api:${stage.region}:${stage.accountId}:${stage.apiId}/${stage.stageName}/${method}/@connections/${id}`);
    const answer = await webSockets.callConnection(method, id, stage.apiId, stage.stageName, body);
    if (!answer) throw new ConsoleError(410, `Connection ${id} is gone`);
    return { status: answer.status, ...(answer.payload === undefined ? {} : { payload: answer.payload }) };
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req) : (req.resume(), Buffer.alloc(0));
    // The page's own files: the browser asks for credentials on the page, its scripts reuse them.
    const caller = authenticate(req, query, body);
    if (path === CONSOLE_PATH || path === `${CONSOLE_PATH}/`) return page(res, 'text/html; charset=utf-8', CONSOLE_HTML);
    if (path === `${CONSOLE_PATH}/app.js`) return page(res, 'text/javascript; charset=utf-8', CONSOLE_JS);
    if (path === `${CONSOLE_PATH}/app.css`) return page(res, 'text/css; charset=utf-8', CONSOLE_CSS);
    if (path === EVENTS_PATH) {
      mayRead(req, caller, '/apis');
      return events(res, caller);
    }
    if (path === EXPLAIN_PATH) {
      mayRead(req, caller, `/apis/${query.get('apiId') ?? ''}`);
      return sendJson(res, 200, explain(await stageOf(caller, query.get('apiId'), query.get('stage')), query));
    }
    const api = path.slice(`${CONSOLE_PATH}/api/`.length);
    if (!path.startsWith(`${CONSOLE_PATH}/api/`)) throw new ConsoleError(404, `No console endpoint at ${method} ${path}`);
    if (api === 'whoami') return sendJson(res, 200, { accountId: caller.accountId, region: caller.region, ...(caller.accessKeyId ? { accessKeyId: caller.accessKeyId } : {}) });
    if (api === 'apis') {
      mayRead(req, caller, '/apis');
      return sendJson(res, 200, { items: await listApis(caller) });
    }
    if (api === 'stage') {
      mayRead(req, caller, `/apis/${query.get('apiId') ?? ''}/stages/${query.get('stage') ?? ''}`);
      return sendJson(res, 200, await stageDetail(caller, query.get('apiId'), query.get('stage')));
    }
    if (api === 'diff') {
      mayRead(req, caller, `/apis/${query.get('apiId') ?? ''}/deployments`);
      return sendJson(res, 200, await diff(caller, query.get('apiId'), query.get('from'), query.get('to')));
    }
    if (api === 'connections') {
      mayRead(req, caller, `/apis/${query.get('apiId') ?? ''}`);
      const stage = await stageOf(caller, query.get('apiId'), query.get('stage'));
      return sendJson(res, 200, { items: webSockets.connectionsOf(stage.apiId, stage.stageName) });
    }
    const connection = /^connections\/([^/]+)$/.exec(api);
    if (connection && (method === 'POST' || method === 'DELETE')) {
      return sendJson(res, 200, await connectionCall(req, caller, query, decodeURIComponent(connection[1] as string), body));
    }
    throw new ConsoleError(404, `No console endpoint at ${method} ${path}`);
  }

  function page(res: ServerResponse, type: string, text: string) {
    res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...PAGE_HEADERS });
    res.end(text);
  }

  return {
    handle(req, res) {
      const url = req.url ?? '/';
      const mark = url.indexOf('?');
      const path = mark === -1 ? url : url.slice(0, mark);
      const query = new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
      route(req, res, path, query).catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        if (error instanceof ConsoleError) return sendJson(res, error.status, { message: error.message }, error.headers);
        sendJson(res, 500, { message: `console: ${error instanceof Error ? error.message : String(error)}` });
      });
    },
    close() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
