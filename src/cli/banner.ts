/**
 * The start-up banner of `gatehouse serve`: the management endpoint, the store, the local functions,
 * and every API with its stages and invoke URLs (path style, which every client resolves, and host
 * style where it can resolve); the API listing again whenever the data plane's stages change.
 */
import { relative, resolve } from 'node:path';
import type { Config } from '../config.js';
import { apiBaseUrls, stageUrl } from '../endpoints.js';
import type { Paint } from '../logger.js';
import { clockTime } from '../logger.js';
import { accountRegionOfScope } from '../model/account-region.js';
import { oidcIssuerUrl } from '../oidc/issuer.js';
import type { ApiRecord, StageRecord } from '../model/resources.js';
import type { Store } from '../store/store.js';
import { byName } from '../text-order.js';

/** One stage of the listing. */
export interface StageListing {
  readonly name: string;
  /** Invoke URLs; absent when the stage has no deployment. */
  readonly urls?: { readonly path: string; readonly host?: string };
  /** Why it serves nothing (its last deployment status message). */
  readonly notDeployed?: string;
}

/** One API of the listing. */
export interface ApiListing {
  readonly id: string;
  readonly name: string;
  readonly protocolType: string;
  readonly region?: string;
  readonly stages: readonly StageListing[];
}

/** A host the URL parser wrote as an IPv4 address: it always writes four decimal numbers. */
const IPV4_HOST = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Whether `{apiId}.execute-api.{host}` can name anything: not on an IP address. The URL parser
 * writes an IPv6 host in brackets and an IPv4 one canonically (`0x7f.1` is `127.0.0.1`), so this
 * needs no `net.isIP`, whose expressions took ~10 ms of start-up to compile.
 */
export const hostStyleUsable = (publicUrl: string) => {
  const host = new URL(publicUrl).hostname;
  return !host.startsWith('[') && !IPV4_HOST.test(host);
};

/** Every API in the store with its stages and their invoke URLs, by name. */
export async function listApis(store: Store, config: Config, publicUrl: string, port: number): Promise<ApiListing[]> {
  const apis = await store.listEveryScope<ApiRecord>('api');
  const listing = await Promise.all(
    apis.map(async (api): Promise<ApiListing> => {
      const stages = await store.listAll<StageRecord>('stage', api.id);
      const base = apiBaseUrls({ publicUrl }, port, api.id, api.data.protocolType);
      const withHost = hostStyleUsable(publicUrl);
      const region = accountRegionOfScope(api.scope)?.region;
      return {
        id: api.id,
        name: api.data.name,
        protocolType: api.data.protocolType,
        ...(region && region !== config.region ? { region } : {}),
        stages: [...stages]
          .sort((a, b) => byName(a.id, b.id))
          .map((stage): StageListing =>
            stage.data.deploymentId && !api.data.disableExecuteApiEndpoint
              ? { name: stage.id, urls: { path: stageUrl(base.path, stage.id), ...(withHost ? { host: stageUrl(base.host, stage.id) } : {}) } }
              : { name: stage.id, notDeployed: api.data.disableExecuteApiEndpoint ? 'the default execute-api endpoint is disabled' : (stage.data.lastDeploymentStatusMessage ?? 'no deployment') },
          ),
      };
    }),
  );
  return listing.sort((a, b) => byName(a.name, b.name) || byName(a.id, b.id));
}

const MAX_APIS = 30;

/** The API section: one block per API, its stages with their URLs. */
export function formatApis(p: Paint, apis: readonly ApiListing[], config: Pick<Config, 'endpointStyle'>): string {
  if (apis.length === 0) return `  ${p.bold('APIs')}            none yet (create one with the AWS CLI, an SDK or Terraform)\n`;
  let text = `  ${p.bold('APIs')}\n`;
  for (const api of apis.slice(0, MAX_APIS)) {
    text += `    ${p.bold(api.name)}  ${p.dim(`${api.id}  ${api.protocolType}${api.region ? `  ${api.region}` : ''}`)}\n`;
    if (api.stages.length === 0) text += `      ${p.dim('no stages')}\n`;
    const width = Math.max(...api.stages.map((s) => s.name.length), 8);
    for (const stage of api.stages) {
      const label = stage.name.padEnd(width);
      if (!stage.urls) {
        text += `      ${label}  ${p.dim(`not served: ${stage.notDeployed ?? ''}`)}\n`;
        continue;
      }
      const { path, host } = stage.urls;
      // The primary URL first: the one apiEndpoint is built on.
      const [first, second] = config.endpointStyle === 'host' && host ? [host, path] : [path, host];
      text += `      ${label}  ${p.cyan(first)}\n`;
      if (second) text += `      ${' '.repeat(width)}  ${p.dim(second)}${second === host && host.includes('.localhost') ? p.dim('  (curl and browsers only)') : ''}\n`;
    }
  }
  if (apis.length > MAX_APIS) text += `    ${p.dim(`… and ${apis.length - MAX_APIS} more (aws apigatewayv2 get-apis)`)}\n`;
  return text;
}

/** What the banner shows besides the APIs. */
export interface BannerInfo {
  readonly version: string;
  readonly startupMs: number;
  /** Where the management API answers. */
  readonly managementUrl: string;
  /** The server's public origin (issuer URLs). */
  readonly publicUrl: string;
  readonly config: Config;
  readonly requestLog: boolean;
  readonly cwd: string;
  /** The `--serverless` project: its file, service, stage and functions (Lambda name → handler spec). */
  readonly serverless?: { readonly file: string; readonly service: string; readonly stage: string; readonly functions: Readonly<Record<string, string>> };
}

/** A database or cache URL with its password replaced by `****` (`postgres://u:****@h/db`, `redis://:****@h`). */
export const maskPassword = (url: string) => url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/, '$1****@');

/** The whole banner. */
export function formatBanner(p: Paint, info: BannerInfo, apis: readonly ApiListing[]): string {
  const { config } = info;
  const row = (label: string, value: string) => `  ${p.bold(label.padEnd(16))}${value}\n`;
  const allFunctions = { ...config.functions, ...info.serverless?.functions };
  const fnNames = Object.keys(allFunctions);
  const fnWidth = Math.max(0, ...fnNames.map((n) => n.length));
  const functions = fnNames.map((name, i) => {
    const spec = allFunctions[name] as string;
    const hash = spec.lastIndexOf('#');
    const file = relative(info.cwd, resolve(info.cwd, spec.slice(0, hash)));
    return `${i === 0 ? '' : ' '.repeat(18)}${name.padEnd(fnWidth)}  ${p.dim(`${file.startsWith('.') ? file : `./${file}`}${spec.slice(hash)}`)}`;
  });
  let text = `\n${p.bold(`Gatehouse ${info.version}`)} ${p.dim(`ready in ${info.startupMs} ms`)}\n`;
  text += row('management API', `${p.cyan(info.managementUrl)}  ${p.dim(`aws apigatewayv2 --endpoint-url ${info.managementUrl} ...`)}`);
  text += row('store', config.store ? `PostgreSQL ${maskPassword(config.store)}` : `SQLite in ${resolve(info.cwd, config.dataDir)}`);
  if (info.serverless) {
    const file = relative(info.cwd, info.serverless.file);
    const where = p.dim(`${file.startsWith('.') ? file : `./${file}`} (reloaded when it changes)`);
    if (config.serverless?.format === 'cdk') text += row('CDK app', `stacks ${info.serverless.service}  ${where}`);
    else text += row(config.serverless?.format === 'sam' ? 'SAM template' : 'serverless.yml', `${info.serverless.service}, stage ${info.serverless.stage}  ${where}`);
  }
  text += row('functions', functions.length ? `${functions.join('\n')}${p.dim(`  (${config.functionIsolation})`)}` : p.dim('none (--function name=./file.mjs#handler)'));
  if (config.workers > 1) text += row('workers', `${config.workers} processes on one port`);
  if (config.redis) text += row('Redis', `${maskPassword(config.redis)}  ${p.dim('(cluster-wide throttling)')}`);
  if (config.lambdaEndpoint) text += row('Lambda API', config.lambdaEndpoint);
  if (config.oidcIssuers.length > 0) text += row('OIDC issuers', config.oidcIssuers.map((n, i) => `${i === 0 ? '' : ' '.repeat(18)}${n}  ${p.dim(oidcIssuerUrl(info.publicUrl, n))}`).join('\n'));
  text += row('request log', info.requestLog ? 'on (--request-log off to silence)' : 'off (--request-log on)');
  return `${text}${formatApis(p, apis, config)}`;
}

/** The header of a listing printed again after a change. */
export const changedHeader = (p: Paint, time: number) => `\n${p.dim(clockTime(time))} ${p.bold('APIs changed')}\n`;

/**
 * Calls `print` with the API listing after each change of the data plane's stages, debounced and
 * only when the listing differs from the last one printed.
 */
export function watchListing(options: {
  readonly subscribe: (listener: () => void) => () => void;
  readonly list: () => Promise<ApiListing[]>;
  readonly print: (apis: ApiListing[]) => void;
  readonly initial: readonly ApiListing[];
  readonly onError: (err: unknown) => void;
  readonly delayMs?: number;
}): () => void {
  let last = JSON.stringify(options.initial);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const refresh = () => {
    running = running.then(async () => {
      const apis = await options.list();
      const text = JSON.stringify(apis);
      if (text === last) return;
      last = text;
      options.print(apis);
    }).catch(options.onError);
  };
  const unsubscribe = options.subscribe(() => {
    clearTimeout(timer);
    timer = setTimeout(refresh, options.delayMs ?? 150);
    timer.unref();
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
