/**
 * Runs the real `terraform` CLI (AWS provider from the local filesystem mirror, no network) against a
 * Gatehouse URL in a temp working directory initialised once, and parses the plan / error output so each
 * resource gets its own assertion message.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The terraform binary (override with GATEHOUSE_TERRAFORM). */
export const TERRAFORM = process.env.GATEHOUSE_TERRAFORM ?? '/usr/local/bin/terraform';
/** The provider mirror (override with GATEHOUSE_TF_MIRROR). */
export const MIRROR = process.env.GATEHOUSE_TF_MIRROR ?? '/opt/tf-plugins';
/** The AWS provider version in the mirror that the configurations pin. */
export const AWS_PROVIDER_VERSION = '5.100.0';
/** Upper bound for one terraform command (an apply of the ~50 resources takes 10-50 s on a shared 2-core box). */
export const COMMAND_TIMEOUT_MS = 240_000;

/** Why the terraform suites cannot run here, or false when they can. */
export function terraformSkipReason(): string | false {
  if (!existsSync(TERRAFORM)) return `terraform not installed (${TERRAFORM})`;
  const provider = join(MIRROR, 'registry.terraform.io/hashicorp/aws', AWS_PROVIDER_VERSION);
  if (!existsSync(provider)) return `AWS provider ${AWS_PROVIDER_VERSION} not in the filesystem mirror (${provider})`;
  return false;
}

/** Reads a .tf fixture of a scenario (test/fixtures/terraform/<scenario>/<file>). */
export function fixture(scenario: string, file: string): string {
  return readFileSync(new URL(`../../../../test/fixtures/terraform/${scenario}/${file}`, import.meta.url), 'utf8');
}

/** The provider configuration pointing the apigatewayv2 client at Gatehouse, with every AWS account look-up off. */
export function providerConfig(endpoint: string): string {
  return `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "${AWS_PROVIDER_VERSION}"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "AKIDEXAMPLE"
  secret_key                  = "secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  # A 5xx is retried 25 times by default; one retry keeps a failing run short without hiding anything.
  max_retries = 1

  endpoints {
    apigatewayv2 = "${endpoint}"
  }
}
`;
}

/** The outcome of one terraform command. */
export interface TfResult {
  readonly args: readonly string[];
  /** Exit code (null when killed by the timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** stdout and stderr of a result, for assertion messages. */
export function show(r: TfResult | undefined): string {
  if (!r) return '(terraform was not run)';
  return `$ terraform ${r.args.join(' ')}  -> exit ${r.code} after ${Math.round(r.ms / 1000)} s\n${r.stdout}\n${r.stderr}`.trimEnd();
}

/** A terraform working directory: one root module calling one child module per scenario, initialised once. */
export class Workspace {
  private constructor(
    readonly root: string,
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
    readonly modules: readonly string[],
  ) {}

  /**
   * Creates a temp directory with an offline CLI configuration (filesystem mirror only), a provider block
   * pointing at `endpoint`, one `module "<name>" { source = "./<name>" }` per module, and runs `terraform init`.
   */
  static async create(endpoint: string, modules: readonly string[]): Promise<Workspace> {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-tf-'));
    const cliConfig = join(root, 'cli.tfrc');
    writeFileSync(
      cliConfig,
      `provider_installation {
  filesystem_mirror {
    path    = "${MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["*/*/*"]
  }
}
`,
    );
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: root,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const dir = join(root, 'work');
    mkdirSync(dir);
    writeFileSync(join(dir, 'provider.tf'), providerConfig(endpoint));
    writeFileSync(join(dir, 'main.tf'), modules.map((m) => `module "${m}" {\n  source = "./${m}"\n}\n`).join('\n'));
    for (const m of modules) {
      mkdirSync(join(dir, m));
      writeFileSync(join(dir, m, 'main.tf'), '');
    }
    const ws = new Workspace(root, dir, env, modules);
    const init = await run(dir, env, ['init', '-input=false', '-no-color']);
    if (init.code !== 0) {
      ws.remove();
      throw new Error(`terraform init failed\n${show(init)}`);
    }
    return ws;
  }

  /** Replaces a module's configuration. */
  write(module: string, config: string): void {
    writeFileSync(join(this.dir, module, 'main.tf'), config);
  }

  /** `terraform apply -auto-approve`. */
  apply(): Promise<TfResult> {
    return run(this.dir, this.env, ['apply', '-auto-approve', '-input=false', '-no-color']);
  }

  /** `terraform plan -detailed-exitcode` (0: no changes, 2: changes, 1: error). */
  plan(): Promise<TfResult> {
    return run(this.dir, this.env, ['plan', '-detailed-exitcode', '-input=false', '-no-color']);
  }

  /** `terraform destroy -auto-approve`. */
  destroy(): Promise<TfResult> {
    return run(this.dir, this.env, ['destroy', '-auto-approve', '-input=false', '-no-color']);
  }

  /** The managed resources in terraform.tfstate (address -> attributes). */
  state(): Map<string, Record<string, any>> {
    const path = join(this.dir, 'terraform.tfstate');
    const out = new Map<string, Record<string, any>>();
    if (!existsSync(path)) return out;
    const state = JSON.parse(readFileSync(path, 'utf8')) as {
      resources?: { module?: string; mode: string; type: string; name: string; instances: { attributes: Record<string, any> }[] }[];
    };
    for (const r of state.resources ?? []) {
      if (r.mode !== 'managed') continue;
      for (const i of r.instances) out.set(`${r.module ? `${r.module}.` : ''}${r.type}.${r.name}`, i.attributes);
    }
    return out;
  }

  /** Removes the temp directory. */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Runs terraform in its own process group; past COMMAND_TIMEOUT_MS the group gets SIGINT, then SIGKILL. */
function run(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<TfResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(TERRAFORM, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const signal = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // the group is already gone
      }
    };
    let kill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      stderr += `\n[harness] terraform ${args[0]} still running after ${COMMAND_TIMEOUT_MS / 1000} s: interrupted\n`;
      signal('SIGINT');
      kill = setTimeout(() => signal('SIGKILL'), 15_000);
    }, COMMAND_TIMEOUT_MS);
    child.on('error', (err) => {
      stderr += `\n[harness] ${String(err)}\n`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(kill);
      resolve({ args, code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * The per-resource blocks of a human-readable plan: `# <address> will be created|updated in-place|...`
 * (planned actions) and `# <address> has changed|has been deleted` (drift since the last apply).
 */
export function planBlocks(output: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    const head = /^ {2}# (\S+) (.+)$/.exec(line);
    if (head) {
      const address = head[1]!.replace(/\[.*$/, '');
      current = blocks.get(address) ?? [];
      blocks.set(address, current);
      current.push(line.trim());
      continue;
    }
    if (/^(Plan:|Unless you have made|Changes to Outputs|─|Note: |Terraform will perform|Error: )/.test(line)) current = undefined;
    else if (current && line !== '') current.push(line);
  }
  return blocks;
}

/** The `Error:` diagnostics of a run, keyed by the resource address they name (`with <address>,`); '' for unattributed ones. */
export function errorsByResource(r: TfResult | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!r) return out;
  const text = `${r.stdout}\n${r.stderr}`;
  const parts = text.split(/^(?:│ )?Error: /m).slice(1);
  for (const part of parts) {
    const body = part.replace(/^│ ?/gm, '').split(/\n(?:╵|\n\n)/)[0]!.trim();
    const address = /\n\s*with ([^\s,]+),/.exec(`\n${body}`)?.[1]?.replace(/\[.*$/, '') ?? '';
    const list = out.get(address) ?? [];
    list.push(`Error: ${body}`);
    out.set(address, list);
  }
  return out;
}
