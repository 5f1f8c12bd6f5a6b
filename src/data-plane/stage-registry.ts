/**
 * Holds every API's compiled stages and keeps them current from the store's change feed.
 * Each API's stages are rebuilt off the hot path and swapped whole; a stage is recompiled only
 * when its record or its deployment changed. A request for an API whose rebuild is in flight
 * waits for it, so a change made through this node's control plane is served by its next request.
 */
import { stageConfigurationNotActedOn } from '../model/not-acted-on.js';
import type { ApiRecord, DeploymentRecord, DeploymentSnapshot, StageRecord } from '../model/resources.js';
import type { Logger } from '../logger.js';
import type { AccountRegion } from '../model/account-region.js';
import { accountRegionOfScope, DEFAULT_ACCOUNT_ID } from '../model/account-region.js';
import type { ChangeEvent, Store, StoredResource } from '../store/store.js';
import { CustomDomains } from './custom-domains.js';
import type { CompiledStage } from './invocation.js';
import type { StageCompilers } from './snapshot.js';
import { compileStage, refusingStage } from './snapshot.js';

/** An API's stages by name. */
export type CompiledApi = ReadonlyMap<string, CompiledStage>;

interface CacheEntry {
  readonly stageVersion: number;
  readonly deploymentId: string;
  readonly compiled: CompiledStage;
}

/** The data plane's view of every API. */
export class StageRegistry {
  readonly #store: Store;
  readonly #compilers: StageCompilers;
  readonly #logger: Logger;
  readonly #defaultRegion: string;
  #apis = new Map<string, CompiledApi>();
  readonly #cache = new Map<string, CacheEntry>();
  readonly #pending = new Map<string, Promise<void>>();
  #unwatch: (() => void) | undefined;
  readonly #rebuilt = new Set<(apiId: string) => void>();
  #domainsLoading: Promise<void> | undefined;
  #loaded = false;
  /** Custom domain names and their API mappings. */
  readonly domains: CustomDomains;

  /** `defaultRegion`: the region of APIs stored before resources were scoped by account and region. */
  constructor(store: Store, compilers: StageCompilers, logger: Logger, defaultRegion = 'us-east-1') {
    this.#store = store;
    this.#defaultRegion = defaultRegion;
    this.#compilers = compilers;
    this.#logger = logger;
    this.domains = new CustomDomains(store);
  }

  /** Compiles every API and starts following the change feed. */
  async start(): Promise<void> {
    this.#unwatch = this.#store.watch((event) => this.#onChange(event));
    const apis = await this.#store.listEveryScope<ApiRecord>('api');
    await Promise.all([...apis.map((api) => this.refresh(api.id)), this.#reloadDomains()]);
    this.#loaded = true;
  }

  /** True once `start()` compiled every API's stages (readiness); false again after `close()`. */
  get loaded(): boolean {
    return this.#loaded;
  }

  /** Resolves once no reload of the custom domains is in flight. */
  domainsSettled(): Promise<void> | undefined {
    return this.#domainsLoading;
  }

  #reloadDomains(): Promise<void> {
    const loading = (this.#domainsLoading ?? Promise.resolve())
      .then(() => this.domains.load())
      .catch((err: unknown) => this.#logger.error('data plane: cannot load custom domain names', { error: String(err) }));
    this.#domainsLoading = loading;
    void loading.then(() => {
      if (this.#domainsLoading === loading) this.#domainsLoading = undefined;
    });
    return loading;
  }

  /** The compiled stages of an API (undefined when the API does not exist or has no deployed stage). */
  get(apiId: string): CompiledApi | undefined {
    return this.#apis.get(apiId);
  }

  /** Resolves once no rebuild of `apiId` is in flight. */
  settled(apiId: string): Promise<void> | undefined {
    return this.#pending.get(apiId);
  }

  /** Rebuilds one API's stages (serialised per API so swaps happen in order). */
  refresh(apiId: string): Promise<void> {
    const previous = this.#pending.get(apiId) ?? Promise.resolve();
    const next = previous.then(() => this.#rebuild(apiId)).catch((err: unknown) => {
      this.#logger.error('data plane: cannot compile the stages of an API', { apiId, error: err instanceof Error ? err.stack : String(err) });
    });
    this.#pending.set(apiId, next);
    void next.then(() => {
      if (this.#pending.get(apiId) === next) this.#pending.delete(apiId);
      for (const listener of this.#rebuilt) listener(apiId);
    });
    return next;
  }

  /** Calls `listener` after each rebuild of an API's stages (the start-up banner lists them again); returns the unsubscribe. */
  onRebuilt(listener: (apiId: string) => void): () => void {
    this.#rebuilt.add(listener);
    return () => this.#rebuilt.delete(listener);
  }

  async #rebuild(apiId: string): Promise<void> {
    // API ids are unique across accounts and regions: the data plane serves an API wherever it lives.
    const api = await this.#store.getInAnyScope<ApiRecord>('api', apiId);
    if (!api) {
      this.#apis.delete(apiId);
      for (const key of this.#cache.keys()) if (key.startsWith(`${apiId}/`)) this.#cache.delete(key);
      return;
    }
    const stages = await this.#store.listAll<StageRecord>('stage', apiId);
    const compiled = new Map<string, CompiledStage>();
    const place = accountRegionOfScope(api.scope) ?? { accountId: DEFAULT_ACCOUNT_ID, region: this.#defaultRegion };
    for (const stage of stages) {
      const entry = await this.#compile(apiId, place, stage);
      if (entry) compiled.set(stage.id, entry);
    }
    for (const key of this.#cache.keys()) if (key.startsWith(`${apiId}/`) && !compiled.has(key.slice(apiId.length + 1))) this.#cache.delete(key);
    this.#apis.set(apiId, compiled);
  }

  async #compile(apiId: string, place: AccountRegion, stage: StoredResource<StageRecord>): Promise<CompiledStage | undefined> {
    const deploymentId = stage.data.deploymentId;
    if (!deploymentId) return undefined;
    const key = `${apiId}/${stage.id}`;
    const cached = this.#cache.get(key);
    if (cached && cached.stageVersion === stage.version && cached.deploymentId === deploymentId) return cached.compiled;
    const deployment = await this.#store.get<DeploymentRecord>('deployment', apiId, deploymentId);
    if (!deployment) {
      this.#logger.warn('data plane: a stage points at a missing deployment; it serves nothing', { apiId, stage: stage.id, deploymentId });
      return undefined;
    }
    let compiled: CompiledStage;
    try {
      compiled = compileStage(apiId, place, stage.data, deploymentId, deployment.data.snapshot, this.#compilers);
      this.#warnNotActedOn(apiId, stage.data, deployment.data.snapshot);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.#logger.error('data plane: a stage cannot be compiled; it answers 500 until fixed', { apiId, stage: stage.id, deploymentId, reason });
      compiled = refusingStage(apiId, place, stage.data, deploymentId, deployment.data.snapshot, reason);
    }
    this.#cache.set(key, { stageVersion: stage.version, deploymentId, compiled });
    return compiled;
  }

  /** One warning per compiled stage listing what it stores but does not act on (README "Fidelity"). */
  #warnNotActedOn(apiId: string, stage: StageRecord, snapshot: DeploymentSnapshot): void {
    const entries = stageConfigurationNotActedOn(snapshot, stage);
    if (entries.length === 0) return;
    this.#logger.warn('data plane: the stage stores configuration Gatehouse does not act on', {
      apiId,
      stage: stage.stageName,
      notActedOn: entries.map((e) => `${e.member}: ${e.reason}${e.awsIgnores ? ' (AWS ignores it too)' : ''}`),
    });
  }

  #onChange(event: ChangeEvent): void {
    const apiIds = new Set<string>();
    let all = false;
    for (const scope of event.scopes) {
      const topLevel = scope === '' || accountRegionOfScope(scope) !== undefined;
      if (scope === '*' || (topLevel && event.kinds.includes('api'))) all = true;
      else if (!topLevel && !scope.startsWith('domainnames/')) apiIds.add(scope.split('/')[0] as string);
    }
    if (event.kinds.includes('domainName') || event.kinds.includes('apiMapping') || event.kinds.includes('routingRule') || event.scopes.includes('*')) void this.#reloadDomains();
    if (all) void this.#refreshAll();
    for (const apiId of apiIds) void this.refresh(apiId);
  }

  async #refreshAll(): Promise<void> {
    const ids = new Set((await this.#store.listEveryScope('api')).map((a) => a.id));
    for (const known of this.#apis.keys()) ids.add(known);
    await Promise.all([...ids].map((id) => this.refresh(id)));
  }

  /** Stops following the change feed. */
  close(): void {
    this.#loaded = false;
    this.#unwatch?.();
  }
}
