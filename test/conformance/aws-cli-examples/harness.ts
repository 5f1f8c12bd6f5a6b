/**
 * Runs the AWS CLI against a Gatehouse, finds the installed examples, swaps the examples' ids for
 * real ones, and empties the server between examples.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ApiGatewayV2 } from '@aws-sdk/client-apigatewayv2';

const run = promisify(execFile);

/** The `aws` binary and the examples shipped with its package, or why they are not usable. */
export type Installation = { aws: string; examples: string; version: string } | { skip: string };

/** Locates `aws` on PATH and `awscli/examples/apigatewayv2` in the Python package that provides it. */
export async function findInstallation(): Promise<Installation> {
  let version: string;
  try {
    const { stdout, stderr } = await run('aws', ['--version'], { timeout: 30_000 });
    version = (stdout || stderr).trim();
  } catch {
    return { skip: 'no `aws` binary on PATH' };
  }
  let dir: string;
  try {
    dir = (await run('python3', ['-c', 'import awscli,os;print(os.path.dirname(awscli.__file__))'], { timeout: 30_000 })).stdout.trim();
  } catch {
    return { skip: `the awscli Python package is not importable by python3 (aws: ${version})` };
  }
  const examples = join(dir, 'examples', 'apigatewayv2');
  if (!existsSync(examples)) return { skip: `${examples} does not exist (aws: ${version})` };
  return { aws: 'aws', examples, version };
}

/** What one `aws` process did. */
export interface AwsRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `aws apigatewayv2 <operation> <args>` against `url` with dummy credentials, no config file, no pager and no retries. */
export async function runAws(aws: string, url: string, cwd: string, operation: string, args: readonly string[]): Promise<AwsRun> {
  // The caller's environment minus its AWS settings (the pyenv shim of `aws` needs the rest).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  const env = {
    ...inherited,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  };
  const argv = ['apigatewayv2', operation, ...args, '--endpoint-url', url, '--region', 'us-east-1', '--output', 'json'];
  try {
    const { stdout, stderr } = await run(aws, argv, { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr || e.message };
  }
}

/** The example's placeholder ids and the real ids that replace them. */
export class IdMap {
  readonly #map = new Map<string, string>();

  /** Records that `placeholder` (as written in the example) names the resource `real`; returns `real`. */
  set(placeholder: string, real: string): string {
    this.#map.set(placeholder, real);
    return real;
  }

  /** The real ids (an id member whose recorded value is one of these must match exactly). */
  reals(): Set<string> {
    return new Set(this.#map.values());
  }

  /** Replaces each placeholder that stands alone (not inside a longer word or id) with its real id. */
  substitute(text: string): string {
    const placeholders = [...this.#map.keys()].sort((a, b) => b.length - a.length);
    if (placeholders.length === 0) return text;
    const escaped = placeholders.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${escaped.join('|')})(?![A-Za-z0-9])`, 'g');
    return text.replace(pattern, (p) => this.#map.get(p) ?? p);
  }

  /** `substitute` applied to every string inside a parsed JSON value. */
  substituteJson(value: unknown): unknown {
    if (typeof value === 'string') return this.substitute(value);
    if (Array.isArray(value)) return value.map((v) => this.substituteJson(v));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.substituteJson(v)]));
    return value;
  }

  /** The pairs, for reports. */
  entries(): [string, string][] {
    return [...this.#map.entries()];
  }
}

/** Deletes every domain name (with its mappings), API and VPC link, so each example starts from an empty account. */
export async function emptyAccount(gw: ApiGatewayV2): Promise<void> {
  for (const domain of (await gw.getDomainNames({ MaxResults: '500' })).Items ?? []) {
    const name = domain.DomainName as string;
    for (const m of (await gw.getApiMappings({ DomainName: name, MaxResults: '500' })).Items ?? []) {
      await gw.deleteApiMapping({ DomainName: name, ApiMappingId: m.ApiMappingId });
    }
    await gw.deleteDomainName({ DomainName: name });
  }
  for (const api of (await gw.getApis({ MaxResults: '500' })).Items ?? []) await gw.deleteApi({ ApiId: api.ApiId });
  for (const link of (await gw.getVpcLinks({ MaxResults: '500' })).Items ?? []) await gw.deleteVpcLink({ VpcLinkId: link.VpcLinkId });
}
