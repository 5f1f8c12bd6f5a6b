/**
 * `gatehouse serve --serverless ./serverless.yml`: loads the project at start-up (a problem stops
 * the server with one line), registers its functions with the local runtime, makes its APIs
 * ordinary Gatehouse state through the management API's operations, and reloads when the file
 * changes: resources are updated in place under their ids, so WebSocket connections stay open.
 * A reload that fails is logged and the previous version keeps serving.
 */
import { createHash } from 'node:crypto';
import type { FSWatcher } from 'node:fs';
import { readFileSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import type { ControlPlaneDeps } from '../control-plane/context.js';
import { invokeThen, type FunctionInvoker } from '../data-plane/functions/invoker.js';
import { createLocalInvoker, type LocalInvokerOptions } from '../data-plane/functions/local.js';
import type { Logger } from '../logger.js';
import { ProjectApplier } from './apply.js';
import type { ServerlessFunction, ServerlessProject } from './project.js';
import { loadServerlessProject } from './project.js';
import { apiIds, desiredResources } from './resources.js';
import { loadSamTemplate } from './sam.js';
import { assemblyManifests, loadCloudAssembly } from './cdk.js';
import { canonical } from '../model/json-values.js';

/** Whether this Node.js strips TypeScript types (22.18+ / 23.6+ by default; earlier behind a flag). */
export const runsTypeScript = (): boolean => Boolean((process.features as { typescript?: unknown }).typescript);

/** What a template load takes from the server: where inline code goes, and the endpoint `Fn::GetAtt Api.ApiEndpoint` gives. */
export interface TemplateContext {
  readonly dataDir?: string;
  readonly apiEndpoint?: (apiId: string, protocolType: string) => string;
}

/** Loads the project `config.serverless` names. */
export function loadProject(serverless: NonNullable<Config['serverless']>, region: string, context: TemplateContext = {}): ServerlessProject {
  if (serverless.format === 'cdk') {
    return loadCloudAssembly(serverless.file, {
      region,
      ...(serverless.stackNames ? { stackNames: serverless.stackNames } : {}),
      ...(serverless.parameterOverrides ? { parameterOverrides: serverless.parameterOverrides } : {}),
      ...(context.dataDir ? { inlineCodeDirectory: join(context.dataDir, 'template-functions') } : {}),
      ...(context.apiEndpoint ? { apiEndpoint: context.apiEndpoint } : {}),
      typescript: runsTypeScript(),
    });
  }
  if (serverless.format === 'sam') {
    return loadSamTemplate(serverless.file, {
      region,
      ...(serverless.parameterOverrides ? { parameterOverrides: serverless.parameterOverrides } : {}),
      ...(serverless.stackName ? { stackName: serverless.stackName } : {}),
      ...(serverless.assetPaths ? { assetPaths: serverless.assetPaths } : {}),
      ...(context.dataDir ? { inlineCodeDirectory: join(context.dataDir, 'template-functions') } : {}),
      ...(context.apiEndpoint ? { apiEndpoint: context.apiEndpoint } : {}),
      typescript: runsTypeScript(),
    });
  }
  return loadServerlessProject(serverless.file, {
    env: serverless.env,
    options: {},
    region,
    ...(serverless.stage ? { stage: serverless.stage } : {}),
    typescript: runsTypeScript(),
  });
}

/** What this server can serve of the project: aws_iam routes need access keys to check signatures against. */
export function checkRuntime(project: ServerlessProject, credentials: Config['credentials']): void {
  const iam = project.httpApi?.routes.find((r) => r.authorization?.type === 'aws_iam');
  const templateIam = project.apis?.flatMap((a) => a.routes).find((r) => r.members.authorizationType === 'AWS_IAM');
  if (templateIam && !credentials) {
    throw new ConfigError(
      `${project.file}: ${templateIam.label} uses AuthorizationType AWS_IAM, which checks SigV4 signatures against the server's access keys; configure them with --credentials <file> or GATEHOUSE_CREDENTIALS=AKID:SECRET`,
    );
  }
  if (iam && !credentials) {
    throw new ConfigError(
      `${project.file}: route ${iam.routeKey} (function ${iam.functionKey}) uses authorizer type aws_iam, which checks SigV4 signatures against the server's access keys; configure them with --credentials <file> or GATEHOUSE_CREDENTIALS=AKID:SECRET`,
    );
  }
}

const sameFunction = (a: ServerlessFunction, b: ServerlessFunction) =>
  a.handler === b.handler && a.timeout === b.timeout && a.memorySize === b.memorySize && canonical(a.environment).text === canonical(b.environment).text;

/**
 * The project's functions in front of the server's own invoker: a project function runs in its own
 * local invoker (with its environment in worker isolation); any other goes to `base`.
 */
export class ProjectFunctions implements FunctionInvoker {
  #functions = new Map<string, { fn: ServerlessFunction; invoker: FunctionInvoker }>();

  constructor(
    readonly base: FunctionInvoker,
    readonly isolation: Config['functionIsolation'],
    /** What every local invoker of the server gets: shared variables, the logger, the gateway's own names. */
    readonly runtime: Pick<LocalInvokerOptions, 'env' | 'logger' | 'ownEndpoints' | 'reload'> = {},
  ) {}

  /** Registers `functions` (by Lambda name); unchanged ones keep their warm invokers, removed ones are closed. */
  set(functions: readonly ServerlessFunction[]): void {
    const next = new Map<string, { fn: ServerlessFunction; invoker: FunctionInvoker }>();
    for (const fn of functions) {
      const kept = this.#functions.get(fn.functionName);
      if (kept && sameFunction(kept.fn, fn)) {
        next.set(fn.functionName, { fn, invoker: kept.invoker });
        continue;
      }
      const invoker = createLocalInvoker({
        functions: { [fn.functionName]: fn.handler },
        baseDir: dirname(fn.handler),
        isolation: this.isolation,
        ...this.runtime,
        // The function's own environment, timeout and memory size, in either isolation mode.
        settings: { [fn.functionName]: { environment: fn.environment, timeout: fn.timeout, memorySize: fn.memorySize } },
      });
      next.set(fn.functionName, { fn, invoker });
    }
    const old = [...this.#functions.entries()].filter(([name, entry]) => next.get(name)?.invoker !== entry.invoker).map(([, entry]) => entry.invoker);
    this.#functions = next;
    for (const invoker of old) void invoker.close();
  }

  invoke: FunctionInvoker['invoke'] = (fn, event, options) => {
    const entry = this.#functions.get(fn.functionName);
    return entry ? entry.invoker.invoke(fn, event, options) : this.base.invoke(fn, event, options);
  };

  invokeThen: NonNullable<FunctionInvoker['invokeThen']> = (fn, event, options, done) => {
    invokeThen(this.#functions.get(fn.functionName)?.invoker ?? this.base, fn, event, options, done);
  };

  async close(): Promise<void> {
    await Promise.all([...[...this.#functions.values()].map((e) => e.invoker.close()), this.base.close()]);
  }
}

/** A served project: applied to the store and watched. */
export class ServedProject {
  #project: ServerlessProject;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #digest = '';
  #running: Promise<void> = Promise.resolve();
  readonly #applier: ProjectApplier;
  /** The region Lambda ARNs are built in. */
  readonly #region: string;
  readonly #credentials: Config['credentials'];
  readonly #context: TemplateContext;
  /** What the log lines call the file. */
  readonly #kind: string;

  constructor(
    readonly settings: NonNullable<Config['serverless']>,
    project: ServerlessProject,
    readonly functions: ProjectFunctions,
    deps: ControlPlaneDeps,
    readonly logger: Logger,
  ) {
    this.#project = project;
    this.#applier = new ProjectApplier(deps, settings.file);
    this.#region = deps.config.region;
    this.#credentials = deps.config.credentials;
    this.#context = { dataDir: deps.config.dataDir, apiEndpoint: (apiId, protocolType) => deps.endpoints.apiEndpoint(apiId, protocolType) };
    this.#kind = settings.format === 'cdk' ? 'cloud assembly' : settings.format === 'sam' ? 'template' : 'serverless.yml';
    functions.set(project.functions);
    // Notes are headed by what the project is: `serverless.yml:`, `template:` or `cdk:`.
    for (const note of project.notes ?? []) logger.info(`${settings.format === 'cdk' ? 'cdk' : settings.format === 'sam' ? 'template' : 'serverless.yml'}: ${note}`, { file: settings.file });
    for (const plugin of project.plugins) logger.warn(`serverless.yml: plugin ${plugin} is ignored (Gatehouse does not run Serverless Framework plugins)`, { file: settings.file, plugin });
  }

  get project(): ServerlessProject {
    return this.#project;
  }

  /** Applies the loaded project; the APIs of the other protocol (or of a previous service/stage) are removed. */
  async apply(previous?: ServerlessProject): Promise<void> {
    const project = this.#project;
    const desired = desiredResources(project, this.#region);
    const keep = new Set(desired.map((a) => a.apiId));
    const candidates = [
      ...[apiIds(project.service, project.stage), ...(previous ? [apiIds(previous.service, previous.stage)] : [])].flatMap((ids) => [ids.http, ids.webSocket]),
      // A template's AWS::ApiGatewayV2::Api resources the file no longer defines.
      ...(previous?.apis ?? []).map((a) => a.apiId),
    ];
    const report = await this.#applier.apply(desired, [...new Set(candidates)].filter((id) => !keep.has(id)));
    this.logger.info(`${this.#kind} applied`, { file: this.settings.file, service: project.service, stage: project.stage, ...report });
  }

  /** Watches the file (its directory, so editors that replace the file are seen) and reloads on change. */
  watch(debounceMs = 150): void {
    this.#digest = this.#fileDigest();
    const name = basename(this.settings.file);
    this.#watcher = watch(dirname(this.settings.file), (_event, filename) => {
      if (filename !== null && filename !== name) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        this.#running = this.#running.then(() => this.reload());
      }, debounceMs);
    });
    this.#watcher.on('error', (err) => this.logger.warn(`${this.#kind}: cannot watch the file any more`, { file: this.settings.file, error: String(err) }));
  }

  #fileDigest(): string {
    try {
      // A cloud assembly: its manifest.json and those of its Stages (a Stage's stack changes its own manifest only).
      const files = this.settings.format === 'cdk' ? assemblyManifests(this.settings.file) : [this.settings.file];
      const hash = createHash('sha256');
      for (const file of files) hash.update(readFileSync(file)).update('\0');
      return hash.digest('hex');
    } catch {
      return '';
    }
  }

  /** Reloads the file if its content changed; a failure is logged and the previous version keeps serving. */
  async reload(): Promise<void> {
    const digest = this.#fileDigest();
    if (digest === '' || digest === this.#digest) return;
    this.#digest = digest;
    const previous = this.#project;
    const error = (err: unknown) => (err instanceof Error ? err.message : String(err));
    let project: ServerlessProject;
    try {
      project = loadProject(this.settings, this.#region, this.#context);
      checkRuntime(project, this.#credentials);
    } catch (err) {
      this.logger.error(`${this.#kind} reload failed; the previous version keeps serving`, { file: this.settings.file, error: error(err) });
      return;
    }
    try {
      this.functions.set(project.functions);
      this.#project = project;
      await this.apply(previous);
      this.logger.info(`${this.#kind} reloaded`, { file: this.settings.file });
    } catch (err) {
      // The management API refused a change: what was applied before it is served; the next save applies the file again.
      this.logger.error(`${this.#kind} reload applied in part; fix the file and save it again`, { file: this.settings.file, error: error(err) });
    }
  }

  /** Resolves once the reloads started so far have finished (tests). */
  settled(): Promise<void> {
    return this.#running;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
  }
}
