/**
 * The crash-safety test's writers: each sends one management request at a time, chosen at random
 * among CreateApi (quick create), DeleteApi, Create/Update/DeleteIntegration, Create/Update/
 * DeleteRoute, Create/Update/DeleteAuthorizer, Create/Update/DeleteStage (autoDeploy on and off),
 * CreateDeployment, Tag/UntagResource, Create/
 * DeleteApiMapping and writes AWS refuses (a duplicate route key, a missing target, an aws: tag),
 * and records every answer in the ledger. A writer stops at its first lost connection (the kill).
 */
import {
  CreateApiCommand, CreateApiMappingCommand, CreateAuthorizerCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand,
  DeleteApiCommand, DeleteApiMappingCommand, DeleteAuthorizerCommand, DeleteIntegrationCommand, DeleteRouteCommand, DeleteStageCommand, TagResourceCommand,
  UntagResourceCommand, UpdateAuthorizerCommand, UpdateIntegrationCommand, UpdateRouteCommand, UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { lambdaArn } from '../helpers/data-plane.js';
import type { Ledger, Outcome, Tracked } from './crash-ledger.js';
import { quickRouteKey } from './crash-ledger.js';
import { mulberry32 } from '../../src/data-plane/router/route-reference.test-support.js';

/** A seeded generator of numbers in [0, 1) (mulberry32), so a run's choices can be replayed from its seed. */
export const random = mulberry32;

/** One writer: its index (the `w{n}` in its route paths and tag key), client, random source and custom domain name. */
export interface Writer {
  readonly index: number;
  readonly client: ApiGatewayV2Client;
  readonly rng: () => number;
  readonly ledger: Ledger;
  readonly domain: string;
  /** Set when a request lost its connection: the server is gone. */
  dead: boolean;
}

const apiArn = (apiId: string) => `arn:aws:apigateway:us-east-1::/apis/${apiId}`;
const ECHO = lambdaArn('echo');

const pick = <T>(w: Writer, items: readonly T[]): T | undefined => items[Math.floor(w.rng() * items.length)];

/** Sends one write and classifies its answer; a refused or unsent write's token goes on the forbidden list. */
async function send<T>(w: Writer, command: unknown, what: string, token: string | undefined, expectRefusal = false): Promise<{ outcome: Outcome; output?: T }> {
  const { ledger } = w;
  let outcome: Outcome;
  let output: T | undefined;
  try {
    output = (await w.client.send(command as Parameters<ApiGatewayV2Client['send']>[0])) as T;
    outcome = 'acked';
  } catch (err) {
    const e = err as { $metadata?: { httpStatusCode?: number }; name?: string; message?: string; code?: string; cause?: { code?: string } };
    const status = e.$metadata?.httpStatusCode;
    if (status !== undefined && status < 300) outcome = 'acked';
    else if (status !== undefined && status < 500) {
      outcome = 'refused';
      const reason = `${what.split(' ')[0]} ${status} ${e.name}`;
      ledger.refusals.set(reason, (ledger.refusals.get(reason) ?? 0) + 1);
    } else if (status !== undefined) {
      outcome = 'failed';
      ledger.failures.push(`${what}: ${status} ${e.name}: ${e.message}`);
    } else {
      outcome = (e.code ?? e.cause?.code) === 'ECONNREFUSED' ? 'unsent' : 'unknown';
      w.dead = true;
    }
  }
  ledger.outcomes[outcome]++;
  if (expectRefusal && outcome === 'acked') ledger.failures.push(`${what} was acknowledged; AWS refuses it`);
  if (token !== undefined && (outcome === 'refused' || outcome === 'unsent')) ledger.forbidden.set(token, what);
  return { outcome, ...(output === undefined ? {} : { output }) };
}

const exists = (outcome: Outcome): Tracked['exists'] => (outcome === 'acked' ? 'yes' : 'maybe');
const created = (outcome: Outcome) => outcome === 'acked' || outcome === 'unknown' || outcome === 'failed';

/** The writer's own resources of a kind that exist, optionally in one API. */
const own = (w: Writer, kind: Tracked['kind'], apiId?: string) =>
  w.ledger.tracked.filter((t) => t.owner === w.index && t.kind === kind && t.exists === 'yes' && t.id !== undefined && (apiId === undefined || t.apiId === apiId));

async function createApi(w: Writer): Promise<void> {
  const t = w.ledger.token();
  const { outcome, output } = await send<{ ApiId?: string }>(w, new CreateApiCommand({ Name: t, ProtocolType: 'HTTP', Target: ECHO, RouteKey: quickRouteKey(t) }), `CreateApi ${t}`, t);
  if (created(outcome)) w.ledger.track({ kind: 'api', owner: w.index, token: t, apiId: output?.ApiId ?? '', id: output?.ApiId, exists: exists(outcome) });
}

async function deleteApi(w: Writer): Promise<void> {
  const api = pick(w, own(w, 'api'));
  if (!api) return createApi(w);
  const { outcome } = await send(w, new DeleteApiCommand({ ApiId: api.id }), `DeleteApi ${api.id}`, undefined);
  w.ledger.settle(api, outcome, undefined);
}

async function createIntegration(w: Writer, apiId = pick(w, w.ledger.pool())): Promise<void> {
  if (!apiId) return;
  const t = w.ledger.token();
  const { outcome, output } = await send<{ IntegrationId?: string }>(
    w,
    new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: ECHO, PayloadFormatVersion: '2.0', Description: t }),
    `CreateIntegration ${t}`,
    t,
  );
  if (created(outcome)) w.ledger.track({ kind: 'integration', owner: w.index, token: t, apiId, id: output?.IntegrationId, exists: exists(outcome) });
}

async function updateIntegration(w: Writer): Promise<void> {
  const integration = pick(w, own(w, 'integration'));
  if (!integration) return createIntegration(w);
  const t = w.ledger.token();
  const { outcome } = await send(w, new UpdateIntegrationCommand({ ApiId: integration.apiId, IntegrationId: integration.id, Description: t }), `UpdateIntegration ${t}`, t);
  w.ledger.settle(integration, outcome, t);
}

async function deleteIntegration(w: Writer): Promise<void> {
  const integration = pick(w, own(w, 'integration'));
  if (!integration) return createIntegration(w);
  const target = `integrations/${integration.id as string}`;
  // AWS refuses (409) while a route targets it; the writer's own routes are the only ones that do.
  const inUse = own(w, 'route', integration.apiId).some((r) => [...r.allowed].some((v) => w.ledger.targets.get(v) === target));
  const { outcome } = await send(w, new DeleteIntegrationCommand({ ApiId: integration.apiId, IntegrationId: integration.id }), `DeleteIntegration ${integration.id}`, undefined, inUse);
  w.ledger.settle(integration, outcome, undefined);
}

async function createRoute(w: Writer): Promise<void> {
  const apiId = pick(w, w.ledger.pool());
  if (!apiId) return;
  const integration = pick(w, own(w, 'integration', apiId));
  if (!integration) return createIntegration(w, apiId);
  const t = w.ledger.token();
  const routeKey = `GET /w${w.index}/${t}`;
  const target = `integrations/${integration.id as string}`;
  w.ledger.targets.set(t, target);
  const { outcome, output } = await send<{ RouteId?: string }>(w, new CreateRouteCommand({ ApiId: apiId, RouteKey: routeKey, Target: target, OperationName: t }), `CreateRoute ${t}`, t);
  if (!created(outcome)) return;
  const tracked = w.ledger.track({ kind: 'route', owner: w.index, token: t, apiId, id: output?.RouteId, exists: exists(outcome), routeKey });
  if (outcome === 'acked') w.ledger.lastRoute = { tracked, at: Date.now() };
}

async function updateRoute(w: Writer): Promise<void> {
  const route = pick(w, own(w, 'route'));
  if (!route) return createRoute(w);
  const integration = pick(w, own(w, 'integration', route.apiId));
  const t = w.ledger.token();
  const target = integration ? `integrations/${integration.id as string}` : w.ledger.targets.get([...route.allowed][0] as string);
  if (target !== undefined) w.ledger.targets.set(t, target);
  const { outcome } = await send(w, new UpdateRouteCommand({ ApiId: route.apiId, RouteId: route.id, OperationName: t, ...(target ? { Target: target } : {}) }), `UpdateRoute ${t}`, t);
  w.ledger.settle(route, outcome, t);
}

async function deleteRoute(w: Writer): Promise<void> {
  const route = pick(w, own(w, 'route'));
  if (!route) return createRoute(w);
  const { outcome } = await send(w, new DeleteRouteCommand({ ApiId: route.apiId, RouteId: route.id }), `DeleteRoute ${route.id}`, undefined);
  w.ledger.settle(route, outcome, undefined);
}

async function createAuthorizer(w: Writer): Promise<void> {
  const apiId = pick(w, w.ledger.pool());
  if (!apiId) return;
  const t = w.ledger.token();
  const { outcome, output } = await send<{ AuthorizerId?: string }>(
    w,
    new CreateAuthorizerCommand({
      ApiId: apiId, Name: t, AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'],
      // Loopback (never fetched: no route uses it), so the test reaches nothing off this machine.
      JwtConfiguration: { Issuer: 'http://127.0.0.1:9/crash-issuer', Audience: [t] },
    }),
    `CreateAuthorizer ${t}`,
    t,
  );
  if (created(outcome)) w.ledger.track({ kind: 'authorizer', owner: w.index, token: t, apiId, id: output?.AuthorizerId, exists: exists(outcome) });
}

async function updateAuthorizer(w: Writer): Promise<void> {
  const authorizer = pick(w, own(w, 'authorizer'));
  if (!authorizer) return createAuthorizer(w);
  const t = w.ledger.token();
  const { outcome } = await send(w, new UpdateAuthorizerCommand({ ApiId: authorizer.apiId, AuthorizerId: authorizer.id, Name: t }), `UpdateAuthorizer ${t}`, t);
  w.ledger.settle(authorizer, outcome, t);
}

async function deleteAuthorizer(w: Writer): Promise<void> {
  const authorizer = pick(w, own(w, 'authorizer'));
  if (!authorizer) return createAuthorizer(w);
  const { outcome } = await send(w, new DeleteAuthorizerCommand({ ApiId: authorizer.apiId, AuthorizerId: authorizer.id }), `DeleteAuthorizer ${authorizer.id}`, undefined);
  w.ledger.settle(authorizer, outcome, undefined);
}

/** Writes AWS refuses: a route key the API already has, a target that does not exist, a tag key with the reserved aws: prefix. */
async function refusedWrite(w: Writer): Promise<void> {
  const t = w.ledger.token();
  const route = pick(w, own(w, 'route'));
  const apiId = route?.apiId ?? pick(w, w.ledger.pool());
  if (!apiId) return;
  const choice = w.rng();
  if (route && choice < 0.4) {
    await send(w, new CreateRouteCommand({ ApiId: apiId, RouteKey: route.routeKey, OperationName: t }), `CreateRoute (duplicate key) ${t}`, t, true);
  } else if (choice < 0.8) {
    await send(w, new CreateRouteCommand({ ApiId: apiId, RouteKey: `GET /w${w.index}/${t}`, Target: 'integrations/nosuch0', OperationName: t }), `CreateRoute (missing target) ${t}`, t, true);
  } else {
    await send(w, new TagResourceCommand({ ResourceArn: apiArn(apiId), Tags: { 'aws:reserved': t } }), `TagResource (aws: key) ${t}`, t, true);
  }
}

async function createStage(w: Writer): Promise<void> {
  const apiId = pick(w, w.ledger.pool());
  if (!apiId) return;
  const t = w.ledger.token();
  const autoDeploy = w.rng() < 0.5;
  w.ledger.autoDeploys.set(t, autoDeploy);
  const { outcome } = await send(w, new CreateStageCommand({ ApiId: apiId, StageName: `s${t}`, AutoDeploy: autoDeploy, Description: t }), `CreateStage s${t}`, t);
  if (!created(outcome)) return;
  const stage = w.ledger.track({ kind: 'stage', owner: w.index, token: t, apiId, id: `s${t}`, exists: exists(outcome) });
  stage.autoDeploy = autoDeploy;
  stage.pointer = new Set([autoDeploy ? 'auto' : 'none']);
}

/** UpdateStage: a new description, and autoDeploy turned on (which deploys the stage at once) or off. */
async function updateStage(w: Writer): Promise<void> {
  const stage = pick(w, own(w, 'stage'));
  if (!stage) return createStage(w);
  const t = w.ledger.token();
  const autoDeploy = w.rng() < 0.5;
  w.ledger.autoDeploys.set(t, autoDeploy);
  const { outcome } = await send(w, new UpdateStageCommand({ ApiId: stage.apiId, StageName: stage.id, AutoDeploy: autoDeploy, Description: t }), `UpdateStage ${t}`, t);
  w.ledger.settle(stage, outcome, t);
  if (outcome === 'acked') stage.autoDeploy = autoDeploy;
  // Turned off, a stage keeps the deployment it had; turned on, it gets an auto-deployment.
  if (autoDeploy && created(outcome)) {
    if (outcome === 'acked') stage.pointer = new Set();
    stage.pointer?.add('auto');
  }
}

async function deleteStage(w: Writer): Promise<void> {
  const stage = pick(w, own(w, 'stage'));
  if (!stage) return createStage(w);
  const { outcome } = await send(w, new DeleteStageCommand({ ApiId: stage.apiId, StageName: stage.id }), `DeleteStage ${stage.id}`, undefined);
  w.ledger.settle(stage, outcome, undefined);
}

async function createDeployment(w: Writer): Promise<void> {
  const stage = pick(w, own(w, 'stage').filter((s) => !s.autoDeploy));
  if (!stage) return createStage(w);
  const t = w.ledger.token();
  const { outcome, output } = await send<{ DeploymentId?: string }>(w, new CreateDeploymentCommand({ ApiId: stage.apiId, StageName: stage.id, Description: t }), `CreateDeployment ${t}`, t);
  if (!created(outcome)) return;
  w.ledger.track({ kind: 'deployment', owner: w.index, token: t, apiId: stage.apiId, id: output?.DeploymentId, exists: exists(outcome) });
  if (outcome === 'acked') stage.pointer = new Set();
  stage.pointer?.add(t);
}

async function tag(w: Writer): Promise<void> {
  const apiId = pick(w, w.ledger.pool());
  if (!apiId) return;
  const t = w.ledger.token();
  const { outcome } = await send(w, new TagResourceCommand({ ResourceArn: apiArn(apiId), Tags: { [`w${w.index}`]: t } }), `TagResource ${t}`, t);
  const tracked = w.ledger.tracked.find((x) => x.kind === 'tag' && x.owner === w.index && x.apiId === apiId);
  if (tracked) w.ledger.settle(tracked, outcome, t);
  else if (created(outcome)) w.ledger.track({ kind: 'tag', owner: w.index, token: t, apiId, id: `w${w.index}`, exists: exists(outcome) });
}

async function untag(w: Writer): Promise<void> {
  const tagged = pick(w, own(w, 'tag'));
  if (!tagged) return tag(w);
  const { outcome } = await send(w, new UntagResourceCommand({ ResourceArn: apiArn(tagged.apiId), TagKeys: [`w${w.index}`] }), `UntagResource ${tagged.apiId}`, undefined);
  w.ledger.settle(tagged, outcome, undefined);
}

async function createApiMapping(w: Writer): Promise<void> {
  const stage = pick(w, own(w, 'stage'));
  if (!stage) return createStage(w);
  const t = w.ledger.token();
  const { outcome, output } = await send<{ ApiMappingId?: string }>(
    w,
    new CreateApiMappingCommand({ DomainName: w.domain, ApiId: stage.apiId, Stage: stage.id, ApiMappingKey: t }),
    `CreateApiMapping ${t}`,
    t,
  );
  if (created(outcome)) w.ledger.track({ kind: 'apiMapping', owner: w.index, token: t, apiId: stage.apiId, id: output?.ApiMappingId, exists: exists(outcome), domain: w.domain });
}

async function deleteApiMapping(w: Writer): Promise<void> {
  const mapping = pick(w, own(w, 'apiMapping'));
  if (!mapping) return createApiMapping(w);
  const { outcome } = await send(w, new DeleteApiMappingCommand({ DomainName: w.domain, ApiMappingId: mapping.id }), `DeleteApiMapping ${mapping.id}`, undefined);
  w.ledger.settle(mapping, outcome, undefined);
}

/** Operations and their weights: mostly route and integration changes, the ones that auto-deploy. */
const OPERATIONS: readonly [number, (w: Writer) => Promise<void>][] = [
  [6, createRoute], [4, updateRoute], [3, deleteRoute], [2, createIntegration], [1, updateIntegration], [1, deleteIntegration],
  [1, createStage], [0.7, updateStage], [0.7, deleteStage], [0.7, createDeployment], [0.5, createAuthorizer], [0.4, updateAuthorizer], [0.3, deleteAuthorizer], [1.5, tag], [0.5, untag], [0.7, createApiMapping], [0.4, deleteApiMapping],
  [0.4, createApi], [0.25, deleteApi], [1, refusedWrite],
];
const TOTAL = OPERATIONS.reduce((sum, [weight]) => sum + weight, 0);

/** Sends writes one after another until `stopped()` or the connection is lost. */
export async function runWriter(w: Writer, stopped: () => boolean): Promise<void> {
  while (!stopped() && !w.dead) {
    let roll = w.rng() * TOTAL;
    const [, operation] = OPERATIONS.find(([weight]) => (roll -= weight) < 0) ?? (OPERATIONS[0] as [number, (w: Writer) => Promise<void>]);
    await operation(w);
  }
}
