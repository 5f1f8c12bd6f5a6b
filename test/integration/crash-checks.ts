/**
 * What must hold of any store a crash leaves, whatever was in flight: no dangling reference, and
 * every auto-deploy stage deployed with the API's current configuration. After the restart: the
 * data plane serves what the store holds, and the management API lists what the store holds.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { GetRoutesCommand, GetStagesCommand } from '@aws-sdk/client-apigatewayv2';
import { call } from '../helpers/data-plane.js';
import type { Ledger, Tracked } from './crash-ledger.js';
import { quickRouteKey, TOP_SCOPE } from './crash-ledger.js';
import type { Dump, Row } from './crash-store.js';

const API_CHILDREN = new Set(['route', 'integration', 'authorizer', 'model', 'stage', 'deployment']);
/** The configuration a deployment freezes, by snapshot member (DeploymentSnapshot in src/model/resources.ts). */
const SNAPSHOT_MEMBERS = { routes: 'route', integrations: 'integration', authorizers: 'authorizer', models: 'model' } as const;

/** Dangling references and auto-deploy stages whose deployment is not the API's current configuration. */
export function structuralProblems(dump: Dump): string[] {
  const problems: string[] = [];
  for (const row of dump.rows) {
    if (API_CHILDREN.has(row.kind) && !dump.get('api', TOP_SCOPE, row.scope)) problems.push(`${row.kind} ${row.id} belongs to API ${row.scope}, which does not exist`);
  }
  for (const route of dump.ofKind('route')) {
    const target = route.data.target;
    if (typeof target === 'string' && !dump.get('integration', route.scope, target.replace(/^integrations\//, ''))) {
      problems.push(`route ${route.id} (${String(route.data.routeKey)}) of API ${route.scope} targets ${target}, which does not exist`);
    }
    const authorizerId = route.data.authorizerId;
    if (typeof authorizerId === 'string' && !dump.get('authorizer', route.scope, authorizerId)) problems.push(`route ${route.id} of API ${route.scope} uses authorizer ${authorizerId}, which does not exist`);
  }
  for (const stage of dump.ofKind('stage')) {
    const deploymentId = stage.data.deploymentId;
    if (typeof deploymentId === 'string' && !dump.get('deployment', stage.scope, deploymentId)) {
      problems.push(`stage ${stage.id} of API ${stage.scope} points at deployment ${deploymentId}, which does not exist`);
    } else if (stage.data.autoDeploy === true) {
      problems.push(...autoDeployProblems(dump, stage));
    }
  }
  for (const mapping of dump.ofKind('apiMapping')) {
    const [, top, domain] = /^domainnames\/([^/]+)\/(.+)$/.exec(mapping.scope) ?? [];
    if (!top || !domain || !dump.get('domainName', top, domain)) problems.push(`API mapping ${mapping.id} is in ${mapping.scope}, a domain name that does not exist`);
    const { apiId, stage } = mapping.data as { apiId: string; stage: string };
    if (!dump.get('stage', apiId, stage)) problems.push(`API mapping ${mapping.id} (${String(mapping.key)}) maps stage ${stage} of API ${apiId}, which does not exist`);
  }
  return problems;
}

/** An auto-deploy stage serves a deployment of exactly the API's routes, integrations, authorizers and models. */
function autoDeployProblems(dump: Dump, stage: Row): string[] {
  const where = `auto-deploy stage ${stage.id} of API ${stage.scope}`;
  const message = String(stage.data.lastDeploymentStatusMessage);
  if (dump.children('route', stage.scope).length === 0) {
    return message.startsWith('Deployment attempt failed') ? [] : [`${where} has no routes to deploy, yet says "${message}"`];
  }
  const deploymentId = stage.data.deploymentId as string | undefined;
  const snapshot = deploymentId === undefined ? undefined : (dump.get('deployment', stage.scope, deploymentId)?.data.snapshot as Record<string, unknown[]> | undefined);
  if (!snapshot) return [`${where} was never deployed (deploymentId ${deploymentId})`];
  const problems: string[] = [];
  if (message !== `Successfully deployed stage with deployment ID '${deploymentId}'`) problems.push(`${where} serves ${deploymentId} but says "${message}"`);
  for (const [member, kind] of Object.entries(SNAPSHOT_MEMBERS)) {
    const current = dump.children(kind, stage.scope).map((r) => r.data);
    const deployed = snapshot[member] ?? [];
    if (isDeepStrictEqual(deployed, current)) continue;
    // Named by id (routeId, integrationId, ...); an item in both but different is "changed".
    const idOf = (item: unknown) => String(Object.entries(item as object).find(([k]) => k.endsWith('Id') && k.startsWith(kind))?.[1]);
    const byId = (items: unknown[]) => new Map(items.map((i) => [idOf(i), JSON.stringify(i)]));
    const [now, then] = [byId(current), byId(deployed)];
    const missing = [...now.keys()].filter((id) => !then.has(id));
    const gone = [...then.keys()].filter((id) => !now.has(id));
    const changed = [...now.keys()].filter((id) => then.has(id) && then.get(id) !== now.get(id));
    problems.push(`${where} serves deployment ${deploymentId}, whose ${member} are not the API's: not deployed [${missing}], deleted since [${gone}], changed since [${changed}]`);
  }
  return problems;
}

const pathOf = (routeKey: string) => routeKey.slice(routeKey.indexOf(' ') + 1);

/**
 * Calls every route changed in the round on the API's `$default` stage (Host header) and on up to
 * three of its other auto-deploy stages (path-style): a route that exists answers 200 from the
 * echo function with its route key and stage, a deleted one 404.
 */
export async function probeDataPlane(port: number, ledger: Ledger, dump: Dump): Promise<{ problems: string[]; probes: number }> {
  const problems: string[] = [];
  let probes = 0;
  const routes = ledger.tracked.filter((t) => t.touched && t.kind === 'route').map((t) => ({ t, routeKey: t.routeKey as string }));
  const quick = ledger.tracked.filter((t) => t.touched && t.kind === 'api' && t.exists === 'yes').map((t) => ({ t: { ...t, apiId: t.id as string }, routeKey: quickRouteKey(t.token) }));
  for (const { t, routeKey } of [...routes, ...quick]) {
    if (!dump.get('api', TOP_SCOPE, t.apiId)) continue;
    const stages = dump.children('stage', t.apiId).filter((s) => s.data.autoDeploy === true).map((s) => s.id);
    const named = stages.filter((s) => s !== '$default').slice(-3);
    for (const stage of stages.includes('$default') ? ['$default', ...named] : named) {
      probes++;
      const problem = await probe(port, t, routeKey, stage);
      if (problem) problems.push(problem);
    }
  }
  return { problems, probes };
}

async function probe(port: number, t: Tracked, routeKey: string, stage: string): Promise<string | undefined> {
  const path = pathOf(routeKey);
  const reply =
    stage === '$default'
      ? await call(port, t.apiId, 'GET', path)
      : await call(port, t.apiId, 'GET', `/_aws/execute-api/${t.apiId}/${stage}${path}`, { host: `127.0.0.1:${port}` });
  const where = `GET ${path} on stage ${stage} of API ${t.apiId}`;
  if (t.exists === 'no') return reply.status === 404 ? undefined : `${where}: the route is deleted, yet it answers ${reply.status} ${reply.text.slice(0, 200)}`;
  if (reply.status !== 200) return `${where}: the route exists, yet it answers ${reply.status} ${reply.text.slice(0, 200)}`;
  const event = reply.json<{ routeKey?: string; requestContext?: { stage?: string } }>();
  if (event.routeKey !== routeKey || event.requestContext?.stage !== stage) return `${where}: served as ${event.routeKey} on ${event.requestContext?.stage}`;
  return undefined;
}

/** GetRoutes and GetStages of every API list exactly the routes and stages in the store. */
export async function controlPlaneProblems(client: ApiGatewayV2Client, dump: Dump): Promise<string[]> {
  const problems: string[] = [];
  for (const api of dump.children('api', TOP_SCOPE)) {
    const routes: string[] = [];
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await client.send(new GetRoutesCommand({ ApiId: api.id, ...(token ? { NextToken: token } : {}) }));
      routes.push(...(page.Items ?? []).map((r) => r.RouteId as string));
      token = page.NextToken;
    }
    const stages = (await client.send(new GetStagesCommand({ ApiId: api.id }))).Items?.map((s) => s.StageName as string) ?? [];
    const stored = (kind: string) => dump.children(kind, api.id).map((r) => r.id).sort();
    if (!isDeepStrictEqual(routes.sort(), stored('route'))) problems.push(`GetRoutes of API ${api.id} lists ${routes.length} routes; the store holds ${stored('route').length}`);
    if (!isDeepStrictEqual(stages.sort(), stored('stage'))) problems.push(`GetStages of API ${api.id} lists ${stages.join(', ')}; the store holds ${stored('stage').join(', ')}`);
  }
  return problems;
}
