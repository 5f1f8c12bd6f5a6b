/**
 * Brings the store in line with a serverless.yml's resources through the management API's own
 * operations (CreateApi, UpdateRoute, DeleteIntegration, CreateDeployment, ...), bound and
 * validated exactly as a request's input is: the project's resources are ordinary Gatehouse state.
 * Resources that already match are left alone (a restart writes nothing); changed ones are updated
 * in place under the same id; ones the file no longer defines are deleted.
 */
import { accountRegionScope, DEFAULT_ACCOUNT_ID } from '../model/account-region.js';
import type { IdGenerator, IdKind } from '../model/ids.js';
import { OPERATIONS } from '../model/service-model.js';
import type { StageRecord } from '../model/resources.js';
import type { ControlPlaneContext, ControlPlaneDeps } from '../control-plane/context.js';
import { AwsError } from '../control-plane/errors.js';
import { HANDLERS } from '../control-plane/handlers.js';
import { bindInput } from '../control-plane/input.js';
import { createHash } from 'node:crypto';
import type { DesiredApi, DesiredChild, DesiredStage } from './resources.js';
import { ServerlessError } from './variables.js';
import { canonical } from '../model/json-values.js';

/** What an apply changed, for the log. */
export interface ApplyReport {
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
}

type Labels = Readonly<Record<string, string>>;

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The tag that records which OpenAPI definition an API was last imported from (so a restart reimports nothing). */
export const DEFINITION_TAG = 'gatehouse:definition-sha256';

/** Canonical JSON text (sorted keys, model/json-values.ts), so two equal values compare equal whatever their key order. */
const canonicalText = (value: unknown): string => canonical(value ?? null).text;

/** Empty values ("" and []) stand for "unset" in the desired members. */
const isEmpty = (v: unknown) => v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** True when `current` differs from `desired` in a member `desired` names. */
function differs(current: Readonly<Record<string, unknown>>, desired: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(desired).some(([key, value]) => (isEmpty(value) && isEmpty(current[key]) ? false : canonicalText(current[key]) !== canonicalText(value)));
}

/** Create members: without the empty values that mean "unset". */
const createMembers = (members: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.entries(members).filter(([, v]) => !isEmpty(v)));

/** Update members: without the empty values that are empty in `current` too (nothing to clear). */
const updateMembers = (members: Readonly<Record<string, unknown>>, current: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(members).filter(([key, value]) => !(isEmpty(value) && isEmpty(current[key]))));

/**
 * A map member that merges on update, where `""` removes an entry (stage variables, request parameter
 * mappings): the file's entries, and `""` for each stored entry the file no longer names; undefined
 * when nothing was dropped.
 */
function withRemovedKeys(want: Readonly<Record<string, string>> | undefined, have: Readonly<Record<string, unknown>> | undefined): Record<string, string> | undefined {
  const removed = Object.keys(have ?? {}).filter((key) => !Object.hasOwn(want ?? {}, key));
  return removed.length === 0 ? undefined : { ...want, ...Object.fromEntries(removed.map((key) => [key, ''])) };
}

/**
 * A template's integration with the request parameter mappings the stored one has and the file no
 * longer names set to `""`, which removes a mapping on UpdateIntegration (mappings merge on update).
 */
function withRemovedMappings<T extends { readonly members: Readonly<Record<string, unknown>> }>(wanted: T, stored: Readonly<Record<string, unknown>> | undefined): T {
  const requestParameters = withRemovedKeys(wanted.members.requestParameters as Record<string, string> | undefined, stored?.requestParameters as Record<string, unknown> | undefined);
  return requestParameters ? { ...wanted, members: { ...wanted.members, requestParameters } } : wanted;
}

/** Applies the resources of one project; `file` names it in messages. */
export class ProjectApplier {
  readonly #ctx: ControlPlaneContext;
  readonly #file: string;
  #report = { created: 0, updated: 0, deleted: 0 };

  constructor(deps: ControlPlaneDeps, file: string) {
    const caller = { accountId: DEFAULT_ACCOUNT_ID, region: deps.config.region };
    this.#ctx = { ...deps, caller, scope: accountRegionScope(caller) };
    this.#file = file;
  }

  /** Runs one operation as a request would; `id` is the id a Create gives its resource. */
  async #call(operation: string, labels: Labels, body: Record<string, unknown>, what: string, id?: { kind: IdKind; id: string }, query = new URLSearchParams()): Promise<Record<string, unknown>> {
    const spec = OPERATIONS.find((op) => op.name === operation);
    const handler = HANDLERS[lowerFirst(operation)];
    if (!spec || !handler) throw new Error(`no operation ${operation}`);
    const base = this.#ctx.ids;
    const ids: IdGenerator = id ? (kind) => (kind === id.kind ? id.id : base(kind)) : base;
    try {
      const input = bindInput(spec, labels, query, Buffer.from(JSON.stringify(body)));
      const result = await handler(input, { ...this.#ctx, ids });
      return result?.body && !Buffer.isBuffer(result.body) ? result.body : {};
    } catch (err) {
      if (err instanceof AwsError) throw new ServerlessError(`${this.#file}: ${what}: ${operation} refused it: ${err.message}`);
      throw err;
    }
  }

  /** Makes the store hold `apis`, and no API of `removed` (ids of APIs the project no longer defines). */
  async apply(apis: readonly DesiredApi[], removed: readonly string[]): Promise<ApplyReport> {
    this.#report = { created: 0, updated: 0, deleted: 0 };
    for (const api of apis) await this.#applyApi(api);
    for (const apiId of removed) {
      if (await this.#ctx.store.get('api', this.#ctx.scope, apiId)) {
        await this.#call('DeleteApi', { ApiId: apiId }, {}, `API ${apiId}`);
        this.#report.deleted++;
      }
    }
    return this.#report;
  }

  async #applyApi(api: DesiredApi): Promise<void> {
    const { store, scope } = this.#ctx;
    const ApiId = api.apiId;
    const label = `${api.protocolType === 'HTTP' ? 'HTTP' : 'WebSocket'} API ${String(api.members.name)}`;
    let changed = false;
    let current = await store.get('api', scope, ApiId);
    const definitionDigest = api.definition ? createHash('sha256').update(JSON.stringify(api.definition)).digest('hex') : undefined;
    if (!current) {
      await this.#call('CreateApi', {}, { ...createMembers(api.members), ...(definitionDigest ? { tags: { [DEFINITION_TAG]: definitionDigest } } : {}) }, label, { kind: 'api', id: ApiId });
      this.#report.created++;
      changed = true;
    } else if (current.data.protocolType !== api.protocolType) {
      throw new ServerlessError(`${this.#file}: ${label}: the API ${ApiId} exists with protocol ${String(current.data.protocolType)}; delete it (aws apigatewayv2 delete-api --api-id ${ApiId})`);
    }
    if (api.definition) {
      // Imported when new or when the definition changed (its digest is a tag), then the template's own members win.
      const tags = (current?.data.tags ?? {}) as Record<string, string>;
      if (!current || tags[DEFINITION_TAG] !== definitionDigest) {
        const query = new URLSearchParams();
        if (api.definition.basePath) query.set('basepath', api.definition.basePath);
        if (api.definition.failOnWarnings) query.set('failOnWarnings', 'true');
        await this.#call('ReimportApi', { ApiId }, { body: api.definition.body }, `${label} OpenAPI definition`, undefined, query);
        if (current) {
          await this.#call('TagResource', { ResourceArn: `arn:aws:apigateway:${this.#ctx.caller.region}::/apis/${ApiId}` }, { tags: { [DEFINITION_TAG]: definitionDigest } }, `${label} tags`);
          this.#report.updated++;
        }
        changed = true;
      }
      current = await store.get('api', scope, ApiId);
    }
    if (current) {
      const { corsConfiguration, protocolType: _p, ...rest } = api.members;
      if (differs(current.data, rest) || (corsConfiguration !== undefined && differs(current.data, { corsConfiguration }))) {
        // Empty values clear a member the API has; a member it lacks stays absent.
        const update = updateMembers(rest, current.data);
        await this.#call('UpdateApi', { ApiId }, { ...update, ...(corsConfiguration !== undefined ? { corsConfiguration } : {}) }, label);
        if (!changed) this.#report.updated++;
        changed = true;
      }
      // An imported definition may bring its own CORS (x-amazon-apigateway-cors).
      if (corsConfiguration === undefined && current.data.corsConfiguration !== undefined && !api.definition) {
        await this.#call('DeleteCorsConfiguration', { ApiId }, {}, `${label} CORS`);
        this.#report.updated++;
        changed = true;
      }
    }
    if (api.definition) {
      await this.#applyStages(api, changed);
      return;
    }
    const [routes, integrations, authorizers] = await Promise.all(['route', 'integration', 'authorizer'].map((kind) => store.listAll(kind as 'route', ApiId)));
    const wanted = (list: readonly DesiredChild[]) => new Set(list.map((c) => c.id));
    // Routes the file dropped go first: a new route may take their route key.
    for (const r of routes ?? []) {
      if (!wanted(api.routes).has(r.id)) {
        await this.#call('DeleteRoute', { ApiId, RouteId: r.id }, {}, `route ${String(r.data.routeKey)}`);
        this.#report.deleted++;
        changed = true;
      }
    }
    const upsert = async (kind: 'authorizer' | 'integration' | 'route' | 'routeResponse' | 'integrationResponse' | 'model', noun: string, child: DesiredChild, have: Map<string, Readonly<Record<string, unknown>>>, labels: Labels) => {
      const data = have.get(child.id);
      const idLabel = `${noun}Id`;
      if (!data) {
        await this.#call(`Create${noun}`, labels, createMembers(child.members), child.label, { kind, id: child.id });
        this.#report.created++;
        return true;
      }
      if (!differs(data, child.members)) return false;
      // Empty values clear a member the resource has; a member it lacks stays absent.
      const members = updateMembers(child.members, data);
      await this.#call(`Update${noun}`, { ...labels, [idLabel]: child.id }, members, child.label);
      this.#report.updated++;
      return true;
    };
    const index = (list: readonly { id: string; data: Record<string, unknown> }[] | undefined) => new Map((list ?? []).map((x) => [x.id, x.data]));
    const haveAuthorizers = index(authorizers);
    const haveIntegrations = index(integrations);
    const haveRoutes = index(routes);
    const models = api.models ? await store.listAll('model', ApiId) : [];
    const haveModels = index(models);
    for (const m of api.models ?? []) changed = (await upsert('model', 'Model', m, haveModels, { ApiId })) || changed;
    for (const m of models) {
      if (!wanted(api.models ?? []).has(m.id)) {
        await this.#call('DeleteModel', { ApiId, ModelId: m.id }, {}, `model ${String(m.data.name)}`);
        this.#report.deleted++;
        changed = true;
      }
    }
    for (const a of api.authorizers) changed = (await upsert('authorizer', 'Authorizer', a, haveAuthorizers, { ApiId })) || changed;
    for (const i of api.integrations) {
      changed = (await upsert('integration', 'Integration', api.ownsStages === true ? withRemovedMappings(i, haveIntegrations.get(i.id)) : i, haveIntegrations, { ApiId })) || changed;
      if (!i.integrationResponses) continue;
      const responses = await store.listAll('integrationResponse', `${ApiId}/integrations/${i.id}`).catch(() => []);
      for (const ir of responses) {
        if (!wanted(i.integrationResponses).has(ir.id)) {
          await this.#call('DeleteIntegrationResponse', { ApiId, IntegrationId: i.id, IntegrationResponseId: ir.id }, {}, `integration response of ${i.label}`);
          this.#report.deleted++;
          changed = true;
        }
      }
      const haveResponses = index(responses);
      for (const ir of i.integrationResponses) changed = (await upsert('integrationResponse', 'IntegrationResponse', ir, haveResponses, { ApiId, IntegrationId: i.id })) || changed;
    }
    for (const r of api.routes) {
      changed = (await upsert('route', 'Route', r, haveRoutes, { ApiId })) || changed;
      const responses = await store.listAll('routeResponse', `${ApiId}/routes/${r.id}`).catch(() => []);
      for (const rr of responses) {
        if (!wanted(r.routeResponses).has(rr.id)) {
          await this.#call('DeleteRouteResponse', { ApiId, RouteId: r.id, RouteResponseId: rr.id }, {}, `route response of ${String(r.members.routeKey)}`);
          this.#report.deleted++;
          changed = true;
        }
      }
      const haveResponses = index(responses);
      for (const rr of r.routeResponses) changed = (await upsert('routeResponse', 'RouteResponse', rr, haveResponses, { ApiId, RouteId: r.id })) || changed;
    }
    for (const i of integrations ?? []) {
      if (!wanted(api.integrations).has(i.id)) {
        await this.#call('DeleteIntegration', { ApiId, IntegrationId: i.id }, {}, `integration ${i.id}`);
        this.#report.deleted++;
        changed = true;
      }
    }
    for (const a of authorizers ?? []) {
      if (!wanted(api.authorizers).has(a.id)) {
        await this.#call('DeleteAuthorizer', { ApiId, AuthorizerId: a.id }, {}, `authorizer ${String(a.data.name)}`);
        this.#report.deleted++;
        changed = true;
      }
    }
    await this.#applyStages(api, changed);
  }

  /** Creates, updates (and for a template's API deletes) the stages; deploys the ones that are deployed by hand after a change. */
  async #applyStages(api: DesiredApi, changed: boolean): Promise<void> {
    const { store } = this.#ctx;
    const ApiId = api.apiId;
    const have = await store.listAll<StageRecord>('stage', ApiId);
    const wanted = new Set(api.stages.map((s) => s.stageName));
    if (api.ownsStages) {
      for (const s of have) {
        if (!wanted.has(s.id)) {
          await this.#call('DeleteStage', { ApiId, StageName: s.id }, {}, `stage ${s.id}`);
          this.#report.deleted++;
        }
      }
    }
    for (const wantedStage of api.stages) await this.#applyStage(api, wantedStage, have.find((s) => s.id === wantedStage.stageName)?.data, changed);
  }

  async #applyStage(api: DesiredApi, desired: DesiredStage, stored: StageRecord | undefined, changed: boolean): Promise<void> {
    let current = stored;
    const ApiId = api.apiId;
    const { stageName, autoDeploy } = desired;
    let members = desired.members ?? {};
    if (current && api.ownsStages === true) {
      // A template's stage is all in the file. Stage variables merge on update and "" removes one
      // (control-plane/stages.ts): a variable the file no longer has is sent as "". Route settings
      // merge too: the ones the file no longer has are deleted (DeleteRouteSettings, as terraform does).
      const stageVariables = withRemovedKeys(members.stageVariables as Record<string, string> | undefined, current.stageVariables);
      if (stageVariables) members = { ...members, stageVariables };
      const settings = (members.routeSettings ?? {}) as Record<string, unknown>;
      const stale = Object.keys(current.routeSettings ?? {}).filter((key) => !Object.hasOwn(settings, key));
      for (const RouteKey of stale) await this.#call('DeleteRouteSettings', { ApiId, StageName: stageName, RouteKey }, {}, `route settings ${RouteKey} of stage ${stageName}`);
      if (stale.length > 0) {
        const routeSettings = { ...(current.routeSettings ?? {}) } as Record<string, unknown>;
        for (const key of stale) delete routeSettings[key];
        current = { ...current, routeSettings } as StageRecord;
      }
    }
    if (!current) {
      await this.#call('CreateStage', { ApiId }, { stageName, ...(autoDeploy ? { autoDeploy: true } : {}), ...createMembers(members) }, `stage ${stageName}`);
      this.#report.created++;
    } else {
      const data = current as unknown as Record<string, unknown>;
      // A template's stage says whether it is auto-deployed; an absent autoDeploy is false.
      const autoDeployChanged = api.ownsStages === true && (current.autoDeploy ?? false) !== autoDeploy;
      if (differs(data, members) || autoDeployChanged) {
        const update = updateMembers(members, data);
        await this.#call('UpdateStage', { ApiId, StageName: stageName }, { ...update, ...(autoDeployChanged ? { autoDeploy } : {}) }, `stage ${stageName}`);
        this.#report.updated++;
      }
    }
    const hasRoutes = api.routes.length > 0 || api.definition !== undefined;
    if (!autoDeploy && desired.deploy && hasRoutes && (changed || !current || current.deploymentId === undefined)) {
      await this.#call('CreateDeployment', { ApiId }, { stageName, description: `${this.#file.split('/').pop() ?? 'project'} ${new Date().toISOString()}` }, `deployment of stage ${stageName}`);
    }
  }
}
