/**
 * `gatehouse token`: mints an access token of a built-in OIDC issuer (src/oidc), signed with the
 * key the server uses (same data dir), for testing JWT-protected routes with real signatures:
 *
 *   curl -H "Authorization: Bearer $(gatehouse token --issuer dev --aud my-api --scope read)" ...
 *
 * The token's `iss` is `{url}/_gatehouse/oidc/{issuer}`: it must be the issuer the server advertises
 * and the JWT authorizer is configured with, so `--url` must be the server's public URL.
 * Like the server's `--oidc-issuer`, it creates the issuer (its key) when absent; a server on the
 * same data dir then serves it, without a restart.
 */
import { ConfigError, SETTINGS } from '../config.js';
import { mintToken, oidcIssuerUrl, parseTokenRequest, TokenRequestError } from '../oidc/issuer.js';
import { ISSUER_NAME } from '../oidc/keys.js';

/** Usage text of the command. */
export const TOKEN_USAGE = `usage: gatehouse token --issuer <name> [--aud <audience>]... [--scope "a b"] [--sub <subject>]
                      [--expires-in <seconds>] [--claims '<json object>'] [--data-dir <dir>] [--url <server url>]

  --issuer       built-in issuer name; created when absent (its key lives in <data-dir>/oidc/<name>.json)
  --aud          audience (repeat for several; leave out for a token without aud)
  --scope        space-separated scopes
  --sub          subject (default: user)
  --expires-in   lifetime in seconds (default: 3600; negative mints an expired token)
  --claims       extra claims as a JSON object, applied last
  --data-dir     default: ${SETTINGS.dataDir.env} or ${SETTINGS.dataDir.default}
  --url          the server's public URL; default: ${SETTINGS.publicUrl.env}, or http://localhost:${SETTINGS.port.env}|${SETTINGS.port.default}`;

const FLAGS = new Set(['--issuer', '--aud', '--scope', '--sub', '--expires-in', '--claims', '--data-dir', '--url']);
const ORIGIN = /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?\/?$/;

const usageError = (message: string) => new ConfigError(`${message}\n${TOKEN_USAGE}`);

function parseFlags(argv: readonly string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(name)) throw usageError(`gatehouse token: unknown argument ${arg}`);
    let value: string | undefined;
    if (eq !== -1 && arg.startsWith('--')) value = arg.slice(eq + 1);
    else value = argv[++i];
    if (value === undefined) throw usageError(`gatehouse token: ${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

/** Runs `gatehouse token <argv>`; resolves with the token to print. */
export async function tokenCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const flags = parseFlags(argv);
  const last = (name: string): string | undefined => flags.get(name)?.at(-1);
  const name = last('--issuer');
  if (name === undefined) throw usageError('gatehouse token: --issuer is required');
  if (!ISSUER_NAME.test(name)) throw usageError(`gatehouse token: --issuer must be 1-64 of A-Z a-z 0-9 _ -, got ${JSON.stringify(name)}`);
  const url = last('--url') ?? (env[SETTINGS.publicUrl.env] || `http://localhost:${env[SETTINGS.port.env] || SETTINGS.port.default}`);
  if (!ORIGIN.test(url)) throw usageError(`gatehouse token: --url must be an origin such as http://localhost:4580, got ${JSON.stringify(url)}`);
  const dataDir = last('--data-dir') ?? (env[SETTINGS.dataDir.env] || SETTINGS.dataDir.default);
  let options;
  try {
    options = parseTokenRequest(
      JSON.stringify({ audience: flags.get('--aud') ?? [], scope: last('--scope'), sub: last('--sub'), expires_in: last('--expires-in'), claims: last('--claims') }),
      'application/json',
    );
  } catch (error) {
    if (error instanceof TokenRequestError) throw usageError(`gatehouse token: ${error.message}`);
    throw error;
  }
  return mintToken({ ...options, dataDir, name, issuerUrl: oidcIssuerUrl(url, name) });
}
