/**
 * `gatehouse token`: an access token of a built-in OIDC issuer (src/oidc), for testing JWT-protected
 * routes with real signatures:
 *
 *   curl -H "Authorization: Bearer $(gatehouse token --issuer dev --aud my-api --scope read)" ...
 *
 * It asks the running server (`POST {url}/_gatehouse/oidc/{issuer}/token`), so the token's `iss` is
 * the issuer URL that server advertises. The server is found by `--url`, else `GATEHOUSE_URL`, else
 * the `server.json` a server writes into its data directory (`--data-dir`, `GATEHOUSE_DATA_DIR` or
 * `./.gatehouse`). An issuer the server does not know is created in that data directory (its key),
 * which the server serves at once: a directory given by --data-dir or GATEHOUSE_DATA_DIR, or the
 * default one when its server.json names the server. With no server known at all the token is signed here with the
 * data directory's key, for the issuer URL `GATEHOUSE_PUBLIC_URL` or `http://localhost:{GATEHOUSE_PORT|4580}`.
 */
import { resolve } from 'node:path';
import { ConfigError, SETTINGS } from '../config.js';
import { mintToken, oidcIssuerUrl, OIDC_PATH_PREFIX, parseTokenRequest, TokenRequestError } from '../oidc/issuer.js';
import { ISSUER_NAME, loadOrCreateIssuerKey } from '../oidc/keys.js';
import { readServerFile, SERVER_FILE } from './server-file.js';

/** The environment variable naming the running server. */
export const URL_ENV = 'GATEHOUSE_URL';

/** Usage text of the command. */
export const TOKEN_USAGE = `usage: gatehouse token --issuer <name> [options]

Prints an access token of the built-in OIDC issuer <name>, from the running server.

options:
  --issuer <name>        built-in issuer name (1-64 of A-Z a-z 0-9 _ -); created in the server's data
                         directory when it does not exist yet
  --aud <audience>       audience (repeat for several; leave out for a token without aud)
  --scope "<a b>"        space-separated scopes
  --sub <subject>        subject (default: user)
  --expires-in <s>       lifetime in seconds (default: 3600; negative mints an expired token)
  --claims '<json>'      extra claims as a JSON object, applied last
  --url <url>            the running server; default: ${URL_ENV}, else the URL in <data-dir>/${SERVER_FILE}
                         (written by gatehouse serve)
  --data-dir <dir>       the server's data directory; default: ${SETTINGS.dataDir.env} or ${SETTINGS.dataDir.default}
  --help                 this text

With no server found, the token is signed with the key in <data-dir> for the issuer URL
${SETTINGS.publicUrl.env} or http://localhost:<${SETTINGS.port.env} or ${SETTINGS.port.default}>.`;

const FLAGS = new Set(['--issuer', '--aud', '--scope', '--sub', '--expires-in', '--claims', '--data-dir', '--url']);
const ORIGIN = /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?\/?$/;

const usageError = (message: string) => new ConfigError(`${message} (gatehouse token --help)`);

function parseFlags(argv: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(name)) throw usageError(`unknown argument ${arg}`);
    let value: string | undefined;
    if (eq !== -1 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw usageError(`${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

/** Asks the server at `url` for a token; undefined when it does not know the issuer (404). */
async function requestToken(url: string, name: string, body: string, from: string): Promise<string | undefined> {
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, '')}${OIDC_PATH_PREFIX}${name}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ConfigError(`no Gatehouse answers at ${url} (${from}): ${reason}; start it with gatehouse serve, or pass the server's URL with --url or ${URL_ENV}`);
  }
  const text = await res.text();
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new ConfigError(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
  const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') throw new ConfigError(`${url} answered without an access_token: ${text.slice(0, 300)}`);
  return token;
}

/** Runs `gatehouse token <argv>`; resolves with the token to print. */
export async function tokenCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const flags = parseFlags(argv);
  const last = (name: string): string | undefined => flags.get(name)?.at(-1);
  const name = last('--issuer');
  if (name === undefined) throw usageError('--issuer is required');
  if (!ISSUER_NAME.test(name)) throw usageError(`--issuer must be 1-64 of A-Z a-z 0-9 _ -, got ${JSON.stringify(name)}`);
  const dataDir = last('--data-dir') ?? (env[SETTINGS.dataDir.env] || SETTINGS.dataDir.default);
  const request = { audience: flags.get('--aud') ?? [], scope: last('--scope'), sub: last('--sub'), expires_in: last('--expires-in'), claims: last('--claims') };
  let options;
  try {
    options = parseTokenRequest(JSON.stringify(request), 'application/json');
  } catch (error) {
    if (error instanceof TokenRequestError) throw usageError(error.message);
    throw error;
  }
  const file = readServerFile(dataDir);
  const [url, from] =
    last('--url') !== undefined
      ? [last('--url') as string, '--url']
      : env[URL_ENV]
        ? [env[URL_ENV], URL_ENV]
        : file
          ? [file.url, resolve(dataDir, SERVER_FILE)]
          : [undefined, ''];
  if (url === undefined) {
    const issuerBase = env[SETTINGS.publicUrl.env] || `http://localhost:${env[SETTINGS.port.env] || SETTINGS.port.default}`;
    return mintToken({ ...options, dataDir, name, issuerUrl: oidcIssuerUrl(issuerBase, name) });
  }
  if (!ORIGIN.test(url)) throw usageError(`${from} must be an origin such as http://localhost:4580, got ${JSON.stringify(url)}`);
  const body = JSON.stringify(request);
  const token = await requestToken(url, name, body, from);
  if (token !== undefined) return token;
  // The server has no such issuer yet: create its key in the server's data directory, which serves it at once.
  // The default directory counts as the server's only when its server.json names that server.
  const origin = (u: string | undefined) => u?.replace(/\/+$/, '').toLowerCase();
  const named = file !== undefined && [file.url, file.publicUrl, file.adminUrl].some((u) => origin(u) === origin(url));
  const chosen = last('--data-dir') !== undefined || Boolean(env[SETTINGS.dataDir.env]);
  if (!named && !chosen) {
    throw new ConfigError(
      `the server at ${url} has no OIDC issuer "${name}", and ${resolve(dataDir, SERVER_FILE)} does not name that server; start it with --oidc-issuer ${name}, or pass its --data-dir`,
    );
  }
  await loadOrCreateIssuerKey(dataDir, name);
  const retried = await requestToken(url, name, body, from);
  if (retried === undefined) {
    throw new ConfigError(`the server at ${url} does not serve the issuer "${name}" created in ${resolve(dataDir)}: pass the server's own --data-dir, or start it with --oidc-issuer ${name}`);
  }
  return retried;
}
