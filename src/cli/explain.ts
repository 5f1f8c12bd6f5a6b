/**
 * `gatehouse explain <apiId> <stage> "GET /pets/7"`: which route of a deployed stage a request (or,
 * on a WebSocket API, a message) selects and why, asked of the running server's explain API
 * (`GET /_gatehouse/explain`, the console's). The server is found as `gatehouse token` finds it
 * (`--url`, `GATEHOUSE_URL`, `<data-dir>/server.json`, where its admin listener comes first).
 * With `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` set the request is SigV4-signed (service
 * `apigateway`), as a server with `--credentials` requires.
 */
import { resolve } from 'node:path';
import { signRequest } from '../auth/sigv4.js';
import { ConfigError, SETTINGS } from '../config.js';
import type { Explanation } from '../console/explain.js';
import { readServerFile, SERVER_FILE } from './server-file.js';
import { URL_ENV } from './token.js';

const VALUE_FLAGS = new Set(['--header', '--message', '--region', '--url', '--data-dir']);
const usageError = (message: string) => new ConfigError(`${message} (gatehouse explain --help)`);

interface ExplainArgs {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
  readonly json: boolean;
}

function parseArgs(argv: readonly string[]): ExplainArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!VALUE_FLAGS.has(name)) throw usageError(`unknown option ${arg}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw usageError(`${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags, json };
}

/** The readable answer. */
function formatExplanation(x: Explanation): string {
  const lines: string[] = [];
  const what = 'message' in x.request ? `message ${JSON.stringify(x.request.message)}` : `${x.request.method} ${x.request.path}`;
  lines.push(`${what} on ${x.apiId}/${x.stage} → ${x.routeKey ?? 'no route (404)'}`);
  if (x.routeSelection) lines.push(`route selection: ${x.routeSelection.expression} = ${JSON.stringify(x.routeSelection.value)}`);
  if (x.pathParameters) lines.push(`path parameters: ${Object.entries(x.pathParameters).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const a = x.authorizer;
  lines.push(
    `authorizer: ${
      a
        ? `${a.authorizationType}${a.name ? ` ${a.name}` : ''}${a.authorizationScopes ? ` scopes ${a.authorizationScopes.join(' ')}` : ''}${a.identitySource ? ` (identity ${a.identitySource.join(', ')})` : ''}${a.missingIdentity ? `; missing ${a.missingIdentity.join(', ')}: 401` : ''}`
        : 'none'
    }`,
  );
  const i = x.integration;
  lines.push(`integration: ${i ? `${i.label ?? i.integrationType}${i.payloadFormatVersion ? ` (payload ${i.payloadFormatVersion})` : ''}` : 'none'}`);
  if (x.throttling) lines.push(`throttling: burst ${x.throttling.burstLimit ?? '-'}, rate ${x.throttling.rateLimit ?? '-'}/s`);
  lines.push('', 'routes considered, in priority order:');
  const width = Math.max(...x.candidates.map((c) => c.routeKey.length), 5);
  x.candidates.forEach((c, n) => lines.push(`  ${String(n + 1).padStart(2)}. ${c.routeKey.padEnd(width)}  ${c.outcome.padEnd(8)}  ${c.reason}`));
  if (x.candidates.length === 0) lines.push('  (the stage has no routes)');
  if (x.notes.length > 0) lines.push('', ...x.notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}

/** Runs `gatehouse explain <argv>`; resolves with the text to print. */
export async function explainCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const { positional, flags, json } = parseArgs(argv);
  const last = (name: string) => flags.get(name)?.at(-1);
  const message = last('--message');
  const [apiId, stage, request, ...extra] = positional;
  if (apiId === undefined || stage === undefined) throw usageError('name the API id and the stage');
  if (extra.length > 0) throw usageError(`unexpected argument ${JSON.stringify(extra[0])}; quote the request: "GET /pets/7"`);
  if (request === undefined && message === undefined) throw usageError('give the request, e.g. "GET /pets/7", or --message for a WebSocket API');
  const query = new URLSearchParams({ apiId, stage });
  if (message !== undefined) query.set('message', message);
  if (request !== undefined) {
    const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(request) ?? /^\s*()(\/\S*)\s*$/.exec(request);
    if (!m) throw usageError(`the request is "<METHOD> <path>", such as "GET /pets/7"; got ${JSON.stringify(request)}`);
    query.set('method', (m[1] as string) || 'GET');
    query.set('path', m[2] as string);
  }
  for (const header of flags.get('--header') ?? []) query.append('header', header);
  const region = last('--region');
  if (region !== undefined) query.set('region', region);

  const dataDir = last('--data-dir') ?? (env[SETTINGS.dataDir.env] || SETTINGS.dataDir.default);
  const file = readServerFile(dataDir);
  const [base, from] =
    last('--url') !== undefined
      ? [last('--url') as string, '--url']
      : env[URL_ENV]
        ? [env[URL_ENV], URL_ENV]
        : file
          ? [file.adminUrl ?? file.url, resolve(dataDir, SERVER_FILE)]
          : [undefined, ''];
  if (base === undefined) throw new ConfigError(`no running server found: start one with gatehouse serve, or pass its URL with --url or ${URL_ENV}`);
  let url: URL;
  try {
    url = new URL(`${base.replace(/\/+$/, '')}/_gatehouse/explain?${query.toString()}`);
  } catch {
    throw usageError(`${from} must be a URL such as http://localhost:4580, got ${JSON.stringify(base)}`);
  }
  const headers: Record<string, string> = {};
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    const credentials = { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
    Object.assign(headers, signRequest({ method: 'GET', url, headers: {}, body: '' }, credentials, { region: region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1', service: 'apigateway' }));
  }
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ConfigError(`no Gatehouse answers at ${base} (${from}): ${reason}; start it with gatehouse serve, or pass the server's URL with --url or ${URL_ENV}`);
  }
  const text = await res.text();
  if (res.status !== 200) {
    let reason = text.slice(0, 300);
    try {
      reason = (JSON.parse(text) as { message?: string }).message ?? reason;
    } catch {
      /* not JSON */
    }
    throw new ConfigError(`${base} answered ${res.status}: ${reason}`);
  }
  return json ? JSON.stringify(JSON.parse(text), null, 2) : formatExplanation(JSON.parse(text) as Explanation);
}
