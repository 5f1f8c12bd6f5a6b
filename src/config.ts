/**
 * Gatehouse configuration: flags, environment and defaults, parsed and validated once, then frozen.
 * Nothing else in the codebase reads `process.env` or `process.argv`.
 */
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { parseIamPolicy, PolicyError } from './auth/iam-policy.js';
import type { FunctionSettings } from './data-plane/functions/environment.js';
import { RESERVED_VARIABLES } from './data-plane/functions/environment.js';
import type { IamKey } from './auth/iam-callers.js';
import { yaml } from './model/yaml.js';
import { ISSUER_NAME } from './oidc/keys.js';
import type { TlsConfig } from './tls/config.js';
import { parseTlsConfig, TLS_FILE_SECTIONS, TlsConfigError } from './tls/config.js';

/** How the control plane renders responses (DESIGN.md "Response formats of the control plane"). */
export type ResponseFormat = 'aws' | 'envelope';

/** The validated, frozen configuration of one server. */
export interface Config {
  /** TCP port of the single listener; 0 picks a free port. */
  readonly port: number;
  /** Interface to bind. */
  readonly host: string;
  /** Directory of the embedded SQLite store. */
  readonly dataDir: string;
  /** Default control-plane response format (a request may override it with `x-gatehouse-response-format`). */
  readonly responseFormat: ResponseFormat;
  /** AWS region reported in endpoints and ARNs. */
  readonly region: string;
  /** Public base URL of this server as clients reach it; derived from host/port when unset. */
  readonly publicUrl: string | undefined;
  /** Local Lambda handlers by function name: `./handlers/pets.js#handler` (relative to the working directory). */
  readonly functions: Readonly<Record<string, string>>;
  /** Per-function `environment`, `timeout` (s) and `memorySize` (MB) from the configuration file's `functions`. */
  readonly functionSettings: Readonly<Record<string, FunctionSettings>>;
  /** Variables of the server's environment every local function gets: PATH, LANG, TZ and the AWS credentials. */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  /** How local handlers run: in this process (fast) or each in a worker thread (isolated, can be stopped). */
  readonly functionIsolation: 'inprocess' | 'worker';
  /** Whether an edit of a local handler's files is served without a restart (hot reload). */
  readonly functionReload: 'on' | 'off';
  /** Lambda Invoke API endpoint for functions not registered locally; undefined = local functions only. */
  readonly lambdaEndpoint: string | undefined;
  /** Credentials for the Lambda Invoke API (from the standard AWS environment variables). */
  readonly lambdaCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string } | undefined;
  /** Where access log lines go: `stdout`, `stderr` or a file path. */
  readonly accessLog: string;
  /** PostgreSQL connection URL of a shared store; undefined = the embedded SQLite store in dataDir. */
  readonly store: string | undefined;
  /** Access keys the management API requires SigV4 signatures from; absent = any or no signature accepted. */
  readonly credentials?: readonly AccessKey[];
  /** The management API's own listener; absent = it shares the main listener. */
  readonly admin?: { readonly port: number; readonly host: string };
  /** Milliseconds a client has to send a request's line and headers (every listener); over it: 408. */
  readonly headersTimeoutMs: number;
  /** Milliseconds a client has to send a whole request, body included (every listener); over it: 408. */
  readonly requestTimeoutMs: number;
  /** Built-in OIDC issuers created (keys generated if absent) at start-up; issuers with keys in the data dir are served too. */
  readonly oidcIssuers: readonly string[];
  /** Refuse (400) configuration AWS accepts but Gatehouse stores without acting on (model/not-acted-on.ts). */
  readonly strict: boolean;
  /** Where AWS service integrations call: `aws` (the real regional endpoints) or one origin for every service; undefined = they answer 500. */
  readonly awsEndpoint: string | undefined;
  /** The TLS listener of the data plane (custom domains' certificates, mutual TLS); absent = none. */
  readonly tls?: TlsConfig;
  /** API keys WebSocket `$connect` routes with `apiKeyRequired` accept (`--api-keys`); empty refuses them all. */
  readonly apiKeys: readonly ApiKey[];
  /** Server log lines (start-up banner, events, request log): readable `pretty` or one JSON object a line; `auto` = pretty on a terminal. */
  readonly logFormat: 'pretty' | 'json' | 'auto';
  /** One log line per data-plane request: `on`, `off`, or `auto` = on when the log format is pretty. */
  readonly requestLog: 'on' | 'off' | 'auto';
  /** `apiEndpoint` and invoke URLs: `path` (`{publicUrl}/_aws/execute-api/{apiId}`, resolves everywhere) or `host` (AWS's `{apiId}.execute-api.{host}`). */
  readonly endpointStyle: 'path' | 'host';
  /** Redis shared by the nodes of a cluster (`redis://` or `rediss://`): cluster-wide throttling. */
  readonly redis?: string;
  /** Processes behind the port (`--workers N`, `auto` = one per core); 1 = this process alone. */
  readonly workers: number;
  /** A Serverless Framework project served as it is (`--serverless`), its stage, and the environment its `${env:...}` variables read. */
  readonly serverless?: {
    readonly file: string;
    readonly stage?: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    /** `sam`: a SAM template (`--template`), with its `--parameter-overrides`; `cdk`: a cloud assembly (`--cdk`), `file` its manifest.json. */
    readonly format?: 'sam' | 'cdk';
    readonly parameterOverrides?: Readonly<Record<string, string>>;
    /** `--stack-name`: AWS::StackName of a template (default `sam-app`). */
    readonly stackName?: string;
    /** `--stack-name` with `--cdk`: the stacks of the cloud assembly to serve (all when unset). */
    readonly stackNames?: readonly string[];
    /** Local copies of the S3 objects the template names (S3Key → absolute path), e.g. a cloud assembly's assets. */
    readonly assetPaths?: Readonly<Record<string, string>>;
  };
  /** On SIGTERM/SIGINT: how long in-flight requests may run before their connections are cut (ms). */
  readonly drainTimeoutMs: number;
  /** A bearer token `/_gatehouse/metrics` requires; undefined = the metrics are open to whoever reaches the listener. */
  readonly metricsToken: string | undefined;
  /**
   * `gatehouse serve`: the MB V8's young-generation semi-spaces may grow to in this process (1, 2, 4, 8 or 16;
   * 0 = V8's own ceiling, 16 MB on 64-bit Node 20). See cli/young-generation.ts.
   */
  readonly semiSpaceMb: number;
  /**
   * `gatehouse serve`: how far V8 lets the old generation grow past its live size before a full collection, in
   * percent (V8's `--heap-growing-percent`; 0 = V8's own factor). See cli/old-generation.ts.
   */
  readonly heapGrowingPercent: number;
}

/** An API key: its id (`$context.identity.apiKeyId`) and value (what clients send). */
export interface ApiKey {
  readonly id: string;
  readonly value: string;
}

/** An access key id and its secret, with the optional IAM user name and identity-based policies of its caller. */
export type AccessKey = IamKey;

/** Every setting, its flag, its environment variable and its default. */
export const SETTINGS = {
  port: { flag: '--port', env: 'GATEHOUSE_PORT', default: '4580' },
  host: { flag: '--host', env: 'GATEHOUSE_HOST', default: '127.0.0.1' },
  dataDir: { flag: '--data-dir', env: 'GATEHOUSE_DATA_DIR', default: './.gatehouse' },
  responseFormat: { flag: '--response-format', env: 'GATEHOUSE_RESPONSE_FORMAT', default: 'aws' },
  region: { flag: '--region', env: 'GATEHOUSE_REGION', default: 'us-east-1' },
  publicUrl: { flag: '--public-url', env: 'GATEHOUSE_PUBLIC_URL', default: '' },
  functions: { flag: '--function', env: 'GATEHOUSE_FUNCTIONS', default: '' },
  functionIsolation: { flag: '--function-isolation', env: 'GATEHOUSE_FUNCTION_ISOLATION', default: 'inprocess' },
  functionReload: { flag: '--function-reload', env: 'GATEHOUSE_FUNCTION_RELOAD', default: 'on' },
  lambdaEndpoint: { flag: '--lambda-endpoint', env: 'GATEHOUSE_LAMBDA_ENDPOINT', default: '' },
  accessLog: { flag: '--access-log', env: 'GATEHOUSE_ACCESS_LOG', default: 'stdout' },
  store: { flag: '--store', env: 'GATEHOUSE_STORE', default: 'sqlite' },
  config: { flag: '--config', env: 'GATEHOUSE_CONFIG', default: '' },
  credentialsFile: { flag: '--credentials', env: 'GATEHOUSE_CREDENTIALS_FILE', default: '' },
  adminPort: { flag: '--admin-port', env: 'GATEHOUSE_ADMIN_PORT', default: '' },
  adminHost: { flag: '--admin-host', env: 'GATEHOUSE_ADMIN_HOST', default: '127.0.0.1' },
  headersTimeout: { flag: '--headers-timeout', env: 'GATEHOUSE_HEADERS_TIMEOUT', default: '10000' },
  requestTimeout: { flag: '--request-timeout', env: 'GATEHOUSE_REQUEST_TIMEOUT', default: '30000' },
  oidcIssuers: { flag: '--oidc-issuer', env: 'GATEHOUSE_OIDC_ISSUERS', default: '' },
  strict: { flag: '--strict', env: 'GATEHOUSE_STRICT', default: 'false' },
  awsEndpoint: { flag: '--aws-endpoint', env: 'GATEHOUSE_AWS_ENDPOINT', default: '' },
  tlsPort: { flag: '--tls-port', env: 'GATEHOUSE_TLS_PORT', default: '' },
  apiKeys: { flag: '--api-keys', env: 'GATEHOUSE_API_KEYS_FILE', default: '' },
  logFormat: { flag: '--log-format', env: 'GATEHOUSE_LOG_FORMAT', default: 'auto' },
  requestLog: { flag: '--request-log', env: 'GATEHOUSE_REQUEST_LOG', default: 'auto' },
  endpointStyle: { flag: '--endpoint-style', env: 'GATEHOUSE_ENDPOINT_STYLE', default: 'path' },
  redis: { flag: '--redis', env: 'GATEHOUSE_REDIS_URL', default: '' },
  workers: { flag: '--workers', env: 'GATEHOUSE_WORKERS', default: '1' },
  serverless: { flag: '--serverless', env: 'GATEHOUSE_SERVERLESS', default: '' },
  stage: { flag: '--stage', env: 'GATEHOUSE_STAGE', default: '' },
  template: { flag: '--template', env: 'GATEHOUSE_TEMPLATE', default: '' },
  parameterOverrides: { flag: '--parameter-overrides', env: 'GATEHOUSE_PARAMETER_OVERRIDES', default: '' },
  cdk: { flag: '--cdk', env: 'GATEHOUSE_CDK', default: '' },
  stackName: { flag: '--stack-name', env: 'GATEHOUSE_STACK_NAME', default: '' },
  drainTimeout: { flag: '--drain-timeout', env: 'GATEHOUSE_DRAIN_TIMEOUT', default: '10000' },
  metricsToken: { flag: '--metrics-token', env: 'GATEHOUSE_METRICS_TOKEN', default: '' },
  semiSpaceSize: { flag: '--semi-space-size', env: 'GATEHOUSE_SEMI_SPACE_SIZE', default: '8' },
  heapGrowingPercent: { flag: '--heap-growing-percent', env: 'GATEHOUSE_HEAP_GROWING_PERCENT', default: '10' },
} as const;

/** Environment-only setting (keeps secrets off the command line): `AKID:SECRET[,AKID2:SECRET2]`. */
export const CREDENTIALS_ENV = 'GATEHOUSE_CREDENTIALS';

const ACCESS_KEY_ID = /^[A-Za-z0-9_.+=@-]{1,128}$/;
const SECRET = /^[\x21-\x7e]{1,256}$/;

function accessKey(accessKeyId: unknown, secretAccessKey: unknown, where: string): AccessKey {
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID.test(accessKeyId)) {
    throw new ConfigError(`${where}: access key id must be 1-128 letters, digits or _.+=@-, got ${JSON.stringify(accessKeyId)}`);
  }
  if (typeof secretAccessKey !== 'string' || !SECRET.test(secretAccessKey)) {
    throw new ConfigError(`${where}: the secret access key of ${accessKeyId} must be 1-256 printable characters without spaces`);
  }
  return { accessKeyId, secretAccessKey };
}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** The optional `userName` and `policies` (IAM policy documents, objects or JSON text) of a credentials-file entry. */
function identity(userName: unknown, policies: unknown, where: string): { userName?: string; policies?: AccessKey['policies'] } {
  if (userName !== undefined && (typeof userName !== 'string' || !USER_NAME.test(userName))) {
    throw new ConfigError(`${where}: userName must be an IAM user name (1-64 letters, digits or _+=,.@-), got ${JSON.stringify(userName)}`);
  }
  if (policies !== undefined && !Array.isArray(policies)) throw new ConfigError(`${where}: policies must be a list of IAM policy documents`);
  const parsed = (policies as unknown[] | undefined)?.map((doc, i) => {
    try {
      return parseIamPolicy(doc);
    } catch (err) {
      if (err instanceof PolicyError) throw new ConfigError(`${where}: policy ${i + 1}: ${err.message}`);
      throw err;
    }
  });
  return { ...(userName !== undefined ? { userName } : {}), ...(parsed ? { policies: Object.freeze(parsed) } : {}) };
}

/** `{"credentials":[{"accessKeyId","secretAccessKey","userName"?,"policies"?}]}`, or the AWS shared-credentials INI format. */
function readCredentialsFile(path: string, setting: string): AccessKey[] {
  const where = `${setting} (${path})`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${where}: cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
  }
  const keys: AccessKey[] = [];
  if (text.trimStart().startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${where}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
    const list = (doc as { credentials?: unknown }).credentials;
    if (!Array.isArray(list)) throw new ConfigError(`${where}: expected {"credentials":[{"accessKeyId":"...","secretAccessKey":"..."}]}`);
    for (const entry of list as unknown[]) {
      const { accessKeyId, secretAccessKey, userName, policies } = (entry ?? {}) as Record<string, unknown>;
      keys.push({ ...accessKey(accessKeyId, secretAccessKey, where), ...identity(userName, policies, `${where}: access key ${String(accessKeyId)}`) });
    }
  } else {
    let profile = '';
    const sections = new Map<string, Record<string, string>>();
    for (const [i, line] of text.split(/\r?\n/).entries()) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
      const section = /^\[\s*([^\]]+?)\s*\]$/.exec(trimmed);
      const pair = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(trimmed);
      if (section) sections.set((profile = section[1] as string), {});
      else if (pair && profile) (sections.get(profile) as Record<string, string>)[(pair[1] as string).toLowerCase()] = pair[2] as string;
      else throw new ConfigError(`${where}: line ${i + 1} is neither JSON, a [profile] nor a key = value line`);
    }
    for (const [name, values] of sections) {
      const { aws_access_key_id: id, aws_secret_access_key: secret } = values;
      if (id === undefined && secret === undefined) continue;
      keys.push(accessKey(id, secret, `${where} [${name}]`));
    }
  }
  if (keys.length === 0) throw new ConfigError(`${where}: the file holds no credentials`);
  return keys;
}

function parseCredentials(file: string, setting: string, inline: string | undefined): readonly AccessKey[] | undefined {
  const keys = file === '' ? [] : readCredentialsFile(file, setting);
  for (const entry of inline ? inline.split(',') : []) {
    const colon = entry.indexOf(':');
    if (colon === -1) throw new ConfigError(`${CREDENTIALS_ENV} takes AKID:SECRET[,AKID2:SECRET2], got an entry without ":"`);
    keys.push(accessKey(entry.slice(0, colon).trim(), entry.slice(colon + 1).trim(), CREDENTIALS_ENV));
  }
  const byId = new Map<string, AccessKey>();
  for (const key of keys) {
    const seen = byId.get(key.accessKeyId);
    if (seen && seen.secretAccessKey !== key.secretAccessKey) throw new ConfigError(`access key ${key.accessKeyId} is configured twice with different secrets`);
    // The same key again (file and environment): the entry with a user name or policies keeps them.
    if (!seen || (seen.policies === undefined && seen.userName === undefined)) byId.set(key.accessKeyId, Object.freeze(key));
  }
  return byId.size === 0 ? undefined : Object.freeze([...byId.values()]);
}

/**
 * The optional configuration file (`--config` / GATEHOUSE_CONFIG), JSON or YAML: an object whose
 * keys are setting names (`port`, `dataDir`, `functions`, ...). It sits between the defaults and
 * the environment; function paths are relative to the file's directory.
 */
function readConfigFile(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): {
  values: Map<SettingName, string>;
  functions: string[];
  settings: Record<string, FunctionSettings>;
  oidcIssuers: string[];
  tls: Record<string, unknown>;
  apiKeys: ApiKey[];
  dir: string;
  where: string;
  path?: string;
} {
  let path = env[SETTINGS.config.env] || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === SETTINGS.config.flag) path = argv[i + 1];
    else if (arg.startsWith(`${SETTINGS.config.flag}=`)) path = arg.slice(SETTINGS.config.flag.length + 1);
  }
  const values = new Map<SettingName, string>();
  const functions: string[] = [];
  const settings: Record<string, FunctionSettings> = {};
  const oidcIssuers: string[] = [];
  const tls: Record<string, unknown> = {};
  const apiKeys: ApiKey[] = [];
  if (!path) return { values, functions, settings, oidcIssuers, tls, apiKeys, dir: process.cwd(), where: SETTINGS.config.flag };
  const where = `${SETTINGS.config.flag} / ${SETTINGS.config.env} (${path})`;
  let doc: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    doc = path.endsWith('.json') ? JSON.parse(text) : yaml().parse(text);
  } catch (err) {
    throw new ConfigError(`${where}: cannot read the configuration file: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ConfigError(`${where}: the file must hold an object of settings`);
  const dir = dirname(resolvePath(path));
  for (const [key, value] of Object.entries(doc)) {
    if (TLS_FILE_SECTIONS.has(key)) {
      tls[key] = value;
      continue;
    }
    if (key === 'config' || !Object.hasOwn(SETTINGS, key)) throw new ConfigError(unknownKeyMessage(path, key));
    if (key === 'functions') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where}: "functions" must map names to "./path.js#export"`);
      for (const [fn, entry] of Object.entries(value as Record<string, unknown>)) {
        const { spec, ...fnSettings } = functionEntry(entry, `${path}: "functions.${fn}"`);
        if (Object.keys(fnSettings).length > 0) settings[fn] = Object.freeze(fnSettings);
        const hash = spec.indexOf('#');
        const file = hash === -1 ? spec : spec.slice(0, hash);
        functions.push(`${fn}=${isAbsolute(file) ? file : resolvePath(dir, file)}${hash === -1 ? '' : spec.slice(hash)}`);
      }
      continue;
    }
    if (key === 'oidcIssuers') {
      const names: unknown[] = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value];
      if (!names.every((n): n is string => typeof n === 'string')) throw new ConfigError(`${where}: "oidcIssuers" must be a list of issuer names`);
      oidcIssuers.push(...names);
      continue;
    }
    if (key === 'apiKeys' && Array.isArray(value)) {
      apiKeys.push(...parseApiKeys(value, `${where}: "apiKeys"`));
      continue;
    }
    if (key === 'apiKeys' && typeof value === 'string' && !isAbsolute(value)) {
      values.set('apiKeys', resolvePath(dir, value));
      continue;
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new ConfigError(`${where}: setting "${key}" must be a string or a number`);
    // Paths in the file are relative to the file, as function paths are.
    const text = String(value);
    values.set(key as SettingName, FILE_PATH_SETTINGS.has(key) && text !== '' && !STREAMS.has(text) && !isAbsolute(text) ? resolvePath(dir, text) : text);
  }
  return { values, functions, settings, oidcIssuers, tls, apiKeys, dir, where, path };
}

/** Lambda's pattern for environment variable names. */
const VARIABLE_NAME = /^[a-zA-Z]\w+$/;

const FUNCTION_KEYS = ['handler', 'environment', 'timeout', 'memorySize'];

/** A `functions` entry of the file: `"./path.js#export"` or `{handler, environment, timeout, memorySize}`. */
function functionEntry(entry: unknown, where: string): FunctionSettings & { spec: string } {
  const shape = `"./path.js#export" or {handler: "./path.js#export", environment: {NAME: "value"}, timeout: 3, memorySize: 256}`;
  if (typeof entry === 'string') return { spec: entry };
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new ConfigError(`${where} must be ${shape}`);
  const o = entry as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !FUNCTION_KEYS.includes(k));
  if (unknown !== undefined) throw new ConfigError(`${where}: unknown key "${unknown}" (known: ${FUNCTION_KEYS.join(', ')})`);
  if (typeof o.handler !== 'string' || o.handler === '') throw new ConfigError(`${where}.handler must be a "./path.js#export" string`);
  const out: { spec: string; environment?: Record<string, string>; timeout?: number; memorySize?: number } = { spec: o.handler };
  if (o.environment !== undefined) {
    if (typeof o.environment !== 'object' || o.environment === null || Array.isArray(o.environment)) throw new ConfigError(`${where}.environment must map variable names to values`);
    const environment: Record<string, string> = {};
    for (const [name, v] of Object.entries(o.environment as Record<string, unknown>)) {
      if (!VARIABLE_NAME.test(name)) throw new ConfigError(`${where}.environment: "${name}" is not a variable name Lambda accepts (a letter, then letters, digits or _)`);
      if (RESERVED_VARIABLES.has(name)) throw new ConfigError(`${where}.environment: ${name} is reserved: Lambda sets it (remove it)`);
      if (!['string', 'number', 'boolean'].includes(typeof v)) throw new ConfigError(`${where}.environment.${name} must be a string`);
      environment[name] = String(v as string | number | boolean);
    }
    out.environment = Object.freeze(environment);
  }
  const integer = (key: 'timeout' | 'memorySize', min: number, max: number, unit: string): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${where}.${key} must be whole ${unit} from ${min} to ${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const timeout = integer('timeout', 1, 900, 'seconds');
  const memorySize = integer('memorySize', 128, 10240, 'megabytes');
  if (timeout !== undefined) out.timeout = timeout;
  if (memorySize !== undefined) out.memorySize = memorySize;
  return out;
}

/** The server's variables every local function gets (Lambda gives a function PATH, LANG, TZ and its credentials). */
function functionEnvironment(env: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string>> {
  const names = ['PATH', 'LANG', 'TZ', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
  return Object.freeze(Object.fromEntries(names.flatMap((n) => (env[n] ? [[n, env[n]]] : []))) as Record<string, string>);
}

/** Settings that name a file or directory: relative values in the configuration file are relative to the file. */
const FILE_PATH_SETTINGS = new Set<string>(['dataDir', 'accessLog', 'credentialsFile', 'serverless', 'template', 'cdk']);
/** `accessLog` values that are not paths. */
const STREAMS = new Set(['stdout', 'stderr']);

/** Edit distance, for "did you mean" in the message about an unknown key. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] as number;
}

/** One line: the file, the key, the closest known key (or the flag a user wrote as a key), and what to do. */
function unknownKeyMessage(path: string, key: string): string {
  const known = [...Object.keys(SETTINGS).filter((k) => k !== 'config'), ...TLS_FILE_SECTIONS];
  const byFlag = Object.entries(SETTINGS).find(([name, s]) => name !== 'config' && (s.flag === key || s.flag === `--${key}` || s.env === key))?.[0];
  const closest = byFlag ?? known.map((k) => [k, distance(key.toLowerCase(), k.toLowerCase())] as const).sort((x, y) => x[1] - y[1]).find(([, d]) => d <= 3)?.[0];
  const fix = closest ? `rename it to "${closest}"` : 'remove it';
  return `${path}: unknown setting "${key}"${closest ? ` (did you mean "${closest}"?)` : ''}; ${fix} (settings: ${known.join(', ')})`;
}

/** Settings that may be given several times; their values accumulate (the env variable takes a comma-separated list). */
const REPEATABLE = new Set<string>(['functions', 'oidcIssuers']);

/** On/off settings: the bare flag turns them on (`--strict`); `--strict=false`, the variable and the file take true/false. */
const SWITCHES = new Set<string>(['strict']);

const FUNCTION_SPEC = /^([A-Za-z0-9_-]{1,64})=([^#]+)(?:#([A-Za-z_$][A-Za-z0-9_$]*))?$/;

function parseFunctions(specs: readonly string[]): Record<string, string> {
  const functions: Record<string, string> = {};
  for (const spec of specs) {
    const m = FUNCTION_SPEC.exec(spec.trim());
    if (!m) {
      throw new ConfigError(`${SETTINGS.functions.flag} / ${SETTINGS.functions.env} takes name=path#export (e.g. pets=./handlers/pets.js#handler), got "${spec}"`);
    }
    functions[m[1] as string] = `${m[2]}#${m[3] ?? 'handler'}`;
  }
  return functions;
}

/** Issuer names, trimmed, validated (they name files in the data dir) and without duplicates. */
function parseOidcIssuers(names: readonly string[]): readonly string[] {
  const unique = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (!ISSUER_NAME.test(name)) {
      throw new ConfigError(`${SETTINGS.oidcIssuers.flag} / ${SETTINGS.oidcIssuers.env} takes issuer names of 1-64 letters, digits, _ or -, got ${JSON.stringify(raw)}`);
    }
    unique.add(name);
  }
  return Object.freeze([...unique]);
}

type SettingName = keyof typeof SETTINGS;

const API_KEY_VALUE = /^[\x21-\x7e]{20,128}$/;

/** API keys from a list: `"value"` (its id is `key-{n}`) or `{"id": "...", "value": "..."}`; AWS's keys are 20-128 characters. */
function parseApiKeys(list: readonly unknown[], where: string): ApiKey[] {
  return list.map((entry, n) => {
    const { id, value } = typeof entry === 'string' ? { id: `key-${n + 1}`, value: entry } : ((entry ?? {}) as { id?: unknown; value?: unknown });
    if (typeof value !== 'string' || !API_KEY_VALUE.test(value)) throw new ConfigError(`${where}: entry ${n + 1} must be a key of 20-128 printable characters without spaces`);
    if (typeof id !== 'string' || id === '') throw new ConfigError(`${where}: entry ${n + 1} needs a non-empty "id"`);
    return { id, value };
  });
}

/** `--api-keys FILE`: JSON `{"apiKeys": [...]}` (or a bare list), else one key per line (`id=value` or the value alone; `#` comments). */
function readApiKeysFile(path: string): ApiKey[] {
  const where = `${SETTINGS.apiKeys.flag} / ${SETTINGS.apiKeys.env} (${path})`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${where}: cannot read the API keys file: ${(err as Error).message}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (err) {
      throw new ConfigError(`${where}: ${(err as Error).message}`);
    }
    const list = Array.isArray(doc) ? doc : (doc as { apiKeys?: unknown }).apiKeys;
    if (!Array.isArray(list)) throw new ConfigError(`${where}: expected {"apiKeys":[{"id":"...","value":"..."}]}`);
    return parseApiKeys(list, where);
  }
  const entries = trimmed
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const eq = line.indexOf('=');
      return eq === -1 ? line : { id: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() };
    });
  return parseApiKeys(entries, where);
}

/** True for a host name other than an IP address or a `localhost` name (their subdomains do not resolve everywhere). */
function isDnsName(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(bare) !== 0) return false;
  return bare !== 'localhost' && !bare.endsWith('.localhost') && bare.includes('.');
}

/** A configuration error: names the setting and what is wrong with it. Fatal at start-up. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * Parses command-line flags (`--port 4580` or `--port=4580`) over environment variables over defaults.
 * Throws ConfigError naming the setting for an unknown flag or an invalid value.
 */
export function loadConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Config {
  const raw = new Map<SettingName, string>();
  const lists = new Map<SettingName, string[]>();
  const file = readConfigFile(argv, env);
  // Where each value came from, so an invalid one is blamed on the file's key, the variable or the flag.
  const fromFile = new Set<SettingName>();
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') raw.set(name, fromEnv);
    else if (file.values.has(name)) {
      raw.set(name, file.values.get(name) as string);
      fromFile.add(name);
    } else raw.set(name, s.default);
  }
  const label = (name: SettingName): string => (fromFile.has(name) ? `${file.path}: "${name}"` : `${SETTINGS[name].flag} / ${SETTINGS[name].env}`);
  // Functions accumulate from the file, the environment and the flags; a later definition of a name wins.
  lists.set('functions', [...file.functions, ...(env[SETTINGS.functions.env] ? (env[SETTINGS.functions.env] as string).split(',') : [])]);
  // Issuers accumulate the same way: every source adds issuers, none removes one.
  lists.set('oidcIssuers', [...file.oidcIssuers, ...(env[SETTINGS.oidcIssuers.env] ? (env[SETTINGS.oidcIssuers.env] as string).split(',') : [])]);
  const byFlag = new Map<string, SettingName>(Object.entries(SETTINGS).map(([name, s]) => [s.flag, name as SettingName]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const name = byFlag.get(flag);
    if (!name) throw new ConfigError(`unknown option ${flag} (known: ${[...byFlag.keys()].join(', ')})`);
    const value = eq === -1 ? (SWITCHES.has(name) ? 'true' : argv[++i]) : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new ConfigError(`option ${flag} needs a value`);
    if (REPEATABLE.has(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
    else {
      raw.set(name, value);
      fromFile.delete(name);
    }
  }
  const get = (n: SettingName) => raw.get(n) as string;

  const portText = get('port');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(`${label('port')} must be a port number 0-65535, got "${portText}"`);
  }
  const responseFormat = get('responseFormat');
  if (responseFormat !== 'aws' && responseFormat !== 'envelope') {
    throw new ConfigError(
      `${label('responseFormat')} must be "aws" or "envelope", got "${responseFormat}"`,
    );
  }
  const region = get('region');
  if (!REGION.test(region)) {
    throw new ConfigError(`${label('region')} must be an AWS region such as us-east-1, got "${region}"`);
  }
  const publicUrl = get('publicUrl');
  if (publicUrl !== '' && !/^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(publicUrl)) {
    throw new ConfigError(
      `${label('publicUrl')} must be an origin such as http://localhost:4580 (no path), got "${publicUrl}"`,
    );
  }
  const functionSpecs = lists.get('functions') ?? [];
  const functionIsolation = get('functionIsolation');
  if (functionIsolation !== 'inprocess' && functionIsolation !== 'worker') {
    throw new ConfigError(`${label('functionIsolation')} must be "inprocess" or "worker", got "${functionIsolation}"`);
  }
  const functionReload = get('functionReload');
  if (functionReload !== 'on' && functionReload !== 'off') throw new ConfigError(`${label('functionReload')} must be "on" or "off", got "${functionReload}"`);
  const lambdaEndpoint = get('lambdaEndpoint');
  if (lambdaEndpoint !== '' && !/^https?:\/\/[^\s/]+\/?$/.test(lambdaEndpoint)) {
    throw new ConfigError(`${label('lambdaEndpoint')} must be an origin such as http://localhost:9001, got "${lambdaEndpoint}"`);
  }
  const keyId = env.AWS_ACCESS_KEY_ID;
  const secret = env.AWS_SECRET_ACCESS_KEY;
  const lambdaCredentials = keyId && secret ? { accessKeyId: keyId, secretAccessKey: secret, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } : undefined;
  const credentials = parseCredentials(get('credentialsFile'), label('credentialsFile'), env[CREDENTIALS_ENV]);
  const adminPortText = get('adminPort');
  let admin: Config['admin'];
  if (adminPortText !== '') {
    const adminPort = Number(adminPortText);
    const where = label('adminPort');
    if (!/^\d+$/.test(adminPortText) || adminPort > 65535) throw new ConfigError(`${where} must be a port number 0-65535, got "${adminPortText}"`);
    if (adminPort !== 0 && adminPort === port) throw new ConfigError(`${where} must differ from ${SETTINGS.port.flag} (${port})`);
    const adminHost = get('adminHost');
    if (adminHost === '') throw new ConfigError(`${label('adminHost')} must not be empty`);
    admin = Object.freeze({ port: adminPort, host: adminHost });
  }
  const store = get('store');
  if (store !== 'sqlite' && !/^postgres(ql)?:\/\/\S+$/.test(store)) {
    throw new ConfigError(`${label('store')} must be "sqlite" or a postgres:// URL, got "${store}"`);
  }
  const timeout = (name: 'headersTimeout' | 'requestTimeout' | 'drainTimeout'): number => {
    const text = get(name);
    const ms = Number(text);
    if (!/^\d+$/.test(text) || ms < 1 || ms > 3_600_000) {
      throw new ConfigError(`${label(name)} must be milliseconds from 1 to 3600000, got "${text}"`);
    }
    return ms;
  };
  const headersTimeoutMs = timeout('headersTimeout');
  const requestTimeoutMs = timeout('requestTimeout');
  const drainTimeoutMs = timeout('drainTimeout');
  const semiSpaceText = get('semiSpaceSize');
  if (!/^(0|1|2|4|8|16)$/.test(semiSpaceText)) {
    throw new ConfigError(`${label('semiSpaceSize')} must be MB of a V8 semi-space: 1, 2, 4, 8 or 16 (0 = V8's own ceiling), got "${semiSpaceText}"`);
  }
  const heapGrowingText = get('heapGrowingPercent');
  // Above 300 the factor (1 + percent / 100) would pass V8's own largest, 4.
  if (!/^(0|[1-9][0-9]{0,2})$/.test(heapGrowingText) || Number(heapGrowingText) > 300) {
    throw new ConfigError(`${label('heapGrowingPercent')} must be a whole percent from 1 to 300 (0 = V8's own growth), got "${heapGrowingText}"`);
  }
  const metricsToken = get('metricsToken');
  if (metricsToken !== '' && !/^[\x21-\x7e]{16,256}$/.test(metricsToken)) {
    throw new ConfigError(`${label('metricsToken')} must be 16-256 printable characters without spaces`);
  }
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `${label('headersTimeout')} (${headersTimeoutMs}) must not exceed ${label('requestTimeout')} (${requestTimeoutMs})`,
    );
  }
  const dataDir = get('dataDir');
  if (dataDir === '') throw new ConfigError(`${label('dataDir')} must not be empty`);
  const awsEndpoint = get('awsEndpoint');
  if (awsEndpoint !== '' && awsEndpoint !== 'aws' && !/^https?:\/\/[^\s/]+\/?$/.test(awsEndpoint)) {
    throw new ConfigError(`${label('awsEndpoint')} must be "aws" (the real AWS endpoints) or an origin such as http://localhost:4566, got "${awsEndpoint}"`);
  }
  const strictText = get('strict').toLowerCase();
  if (!['true', 'false', '1', '0'].includes(strictText)) {
    throw new ConfigError(`${label('strict')} must be true or false, got "${get('strict')}"`);
  }
  const logFormat = get('logFormat');
  if (logFormat !== 'pretty' && logFormat !== 'json' && logFormat !== 'auto') {
    throw new ConfigError(`${label('logFormat')} must be "pretty", "json" or "auto" (pretty on a terminal), got "${logFormat}"`);
  }
  const requestLog = get('requestLog');
  if (requestLog !== 'on' && requestLog !== 'off' && requestLog !== 'auto') {
    throw new ConfigError(`${label('requestLog')} must be "on", "off" or "auto" (on with pretty logs), got "${requestLog}"`);
  }
  const endpointStyle = get('endpointStyle');
  if (endpointStyle !== 'path' && endpointStyle !== 'host') throw new ConfigError(`${label('endpointStyle')} must be "path" or "host", got "${endpointStyle}"`);
  // `{apiId}.execute-api.{host}` needs a DNS name whose subdomains resolve: never an IP address, never localhost (Node and Python do not resolve *.localhost).
  const publicHost = publicUrl === '' ? 'localhost' : new URL(publicUrl).hostname;
  if (endpointStyle === 'host' && !isDnsName(publicHost)) {
    throw new ConfigError(
      `${label('endpointStyle')} "host" needs ${label('publicUrl')} with a DNS name whose *.execute-api subdomains resolve to this server (such as https://gw.example.com), not ${publicHost}; use the default "path" style instead`,
    );
  }
  const workersText = get('workers');
  const workers = workersText === 'auto' ? availableParallelism() : Number(workersText);
  if (!/^(auto|\d+)$/.test(workersText) || workers < 1 || workers > 64) throw new ConfigError(`${label('workers')} must be a number of processes from 1 to 64, or auto (one per core), got "${workersText}"`);
  const redis = get('redis');
  if (redis !== '' && !/^rediss?:\/\/\S+$/.test(redis)) throw new ConfigError(`${label('redis')} must be a redis:// or rediss:// URL, got "${redis}"`);
  const serverlessFile = get('serverless');
  const stage = get('stage');
  if (stage !== '' && !/^[A-Za-z0-9_-]+$/.test(stage)) throw new ConfigError(`${label('stage')} must hold only letters, digits, - and _, got "${stage}"`);
  const templateFile = get('template');
  if (templateFile !== '' && serverlessFile !== '') throw new ConfigError(`${label('template')} and ${label('serverless')} cannot be used together; serve one project`);
  const cdkDir = get('cdk');
  if (cdkDir !== '' && (templateFile !== '' || serverlessFile !== '')) throw new ConfigError(`${label('cdk')} and ${label(templateFile !== '' ? 'template' : 'serverless')} cannot be used together; serve one project`);
  const overridesText = get('parameterOverrides');
  if (overridesText !== '' && templateFile === '' && get('cdk') === '') {
    throw new ConfigError(`${label('parameterOverrides')} applies to the parameters of a --template or of the --cdk stacks; add ${SETTINGS.template.flag} ./template.yaml or ${SETTINGS.cdk.flag} ./cdk.out`);
  }
  const parameterOverrides: Record<string, string> = {};
  for (const pair of overridesText.split(/\s+/).filter((p) => p !== '')) {
    // Name=Value (sam deploy), or ParameterKey=Name,ParameterValue=Value (aws cloudformation).
    const m = /^ParameterKey=([A-Za-z0-9]+),ParameterValue=(.*)$/.exec(pair) ?? /^([A-Za-z0-9]+)=(.*)$/.exec(pair);
    if (!m) throw new ConfigError(`${label('parameterOverrides')} must be Name=Value (or ParameterKey=Name,ParameterValue=Value) pairs separated by spaces, got "${pair}"`);
    parameterOverrides[m[1] as string] = m[2] as string;
  }
  const stackNameText = get('stackName');
  if (stackNameText !== '' && templateFile === '' && cdkDir === '') throw new ConfigError(`${label('stackName')} applies to a SAM or CloudFormation template, or chooses the stacks of a CDK cloud assembly; add ${SETTINGS.template.flag} ./template.yaml or ${SETTINGS.cdk.flag} ./cdk.out`);
  // --cdk: stacks to serve (names, or construct paths such as Prod/Api), comma separated; --template: AWS::StackName.
  const stackNames = cdkDir === '' ? [] : stackNameText.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const stackName = cdkDir === '' ? stackNameText : '';
  if (stackName !== '' && !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) throw new ConfigError(`${label('stackName')} must start with a letter and hold up to 128 letters, digits and hyphens (as CloudFormation requires), got "${stackName}"`);
  if (stage !== '' && serverlessFile === '') throw new ConfigError(`${label('stage')} applies to a serverless.yml project; add ${SETTINGS.serverless.flag} ./serverless.yml`);
  let tls: TlsConfig | undefined;
  try {
    const taken = [{ port, name: SETTINGS.port.flag }, ...(admin ? [{ port: admin.port, name: SETTINGS.adminPort.flag }] : [])];
    tls = parseTlsConfig(get('tlsPort'), file.tls, file.dir, taken, { port: `${SETTINGS.tlsPort.flag} / ${SETTINGS.tlsPort.env}`, file: file.where });
  } catch (err) {
    throw err instanceof TlsConfigError ? new ConfigError(err.message) : err;
  }
  return Object.freeze({
    logFormat,
    requestLog,
    endpointStyle,
    port,
    host: get('host'),
    dataDir,
    responseFormat,
    region,
    publicUrl: publicUrl === '' ? undefined : publicUrl,
    functions: Object.freeze(parseFunctions(functionSpecs)),
    functionSettings: Object.freeze(file.settings),
    functionEnvironment: functionEnvironment(env),
    functionIsolation,
    functionReload,
    lambdaEndpoint: lambdaEndpoint === '' ? undefined : lambdaEndpoint.replace(/\/$/, ''),
    lambdaCredentials,
    accessLog: get('accessLog'),
    store: store === 'sqlite' ? undefined : store,
    ...(credentials ? { credentials } : {}),
    ...(admin ? { admin } : {}),
    headersTimeoutMs,
    requestTimeoutMs,
    drainTimeoutMs,
    metricsToken: metricsToken === '' ? undefined : metricsToken,
    semiSpaceMb: Number(semiSpaceText),
    heapGrowingPercent: Number(heapGrowingText),
    oidcIssuers: parseOidcIssuers(lists.get('oidcIssuers') ?? []),
    strict: strictText === 'true' || strictText === '1',
    awsEndpoint: awsEndpoint === '' ? undefined : awsEndpoint.replace(/\/$/, ''),
    ...(tls ? { tls } : {}),
    ...(redis ? { redis } : {}),
    workers,
    apiKeys: Object.freeze([...file.apiKeys, ...(get('apiKeys') === '' ? [] : readApiKeysFile(get('apiKeys')))]),
    ...(templateFile !== '' ? { serverless: Object.freeze({ file: resolvePath(templateFile), format: 'sam' as const, parameterOverrides: Object.freeze(parameterOverrides), ...(stackName !== '' ? { stackName } : {}), env: Object.freeze({ ...env }) }) } : {}),
    ...(serverlessFile !== '' ? { serverless: Object.freeze({ file: resolvePath(serverlessFile), ...(stage !== '' ? { stage } : {}), env: Object.freeze({ ...env }) }) } : {}),
    ...(cdkDir !== ''
      ? { serverless: Object.freeze({ file: resolvePath(cdkDir, 'manifest.json'), format: 'cdk' as const, parameterOverrides: Object.freeze(parameterOverrides), ...(stackNames.length > 0 ? { stackNames: Object.freeze(stackNames) } : {}), env: Object.freeze({ ...env }) }) }
      : {}),
  });
}

/**
 * Checks that every local function's handler file can be read (at start-up and whenever functions are
 * registered), so a wrong path stops the server with one line rather than failing the first request.
 */
export function checkHandlerFiles(functions: Readonly<Record<string, string>>, baseDir: string): void {
  for (const [name, spec] of Object.entries(functions)) {
    const hash = spec.lastIndexOf('#');
    const file = hash === -1 ? spec : spec.slice(0, hash);
    const path = resolvePath(baseDir, file);
    let problem: string | undefined;
    try {
      accessSync(path, fsConstants.R_OK);
      if (!statSync(path).isFile()) problem = 'it is not a file';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problem = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    }
    if (problem === undefined) continue;
    const relativeTo = isAbsolute(file) ? '' : ` (relative to the working directory ${baseDir})`;
    throw new ConfigError(
      `function "${name}": cannot read its handler file ${path}: ${problem}; fix the path in ${SETTINGS.functions.flag} ${name}=<path>#<export>${relativeTo}, ${SETTINGS.functions.env} or "functions" in the --config file (relative to the file)`,
    );
  }
}
