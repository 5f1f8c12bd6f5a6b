/**
 * Gatehouse configuration: flags, environment and defaults, parsed and validated once, then frozen.
 * Nothing else in the codebase reads `process.env` or `process.argv`.
 */

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
}

/** Every setting, its flag, its environment variable and its default. */
export const SETTINGS = {
  port: { flag: '--port', env: 'GATEHOUSE_PORT', default: '4580' },
  host: { flag: '--host', env: 'GATEHOUSE_HOST', default: '127.0.0.1' },
  dataDir: { flag: '--data-dir', env: 'GATEHOUSE_DATA_DIR', default: './.gatehouse' },
  responseFormat: { flag: '--response-format', env: 'GATEHOUSE_RESPONSE_FORMAT', default: 'aws' },
  region: { flag: '--region', env: 'GATEHOUSE_REGION', default: 'us-east-1' },
  publicUrl: { flag: '--public-url', env: 'GATEHOUSE_PUBLIC_URL', default: '' },
} as const;

type SettingName = keyof typeof SETTINGS;

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
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const fromEnv = env[s.env];
    raw.set(name, fromEnv !== undefined && fromEnv !== '' ? fromEnv : s.default);
  }
  const byFlag = new Map<string, SettingName>(Object.entries(SETTINGS).map(([name, s]) => [s.flag, name as SettingName]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const name = byFlag.get(flag);
    if (!name) throw new ConfigError(`unknown option ${flag} (known: ${[...byFlag.keys()].join(', ')})`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new ConfigError(`option ${flag} needs a value`);
    raw.set(name, value);
  }
  const get = (n: SettingName) => raw.get(n) as string;

  const portText = get('port');
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(`${SETTINGS.port.flag} / ${SETTINGS.port.env} must be a port number 0-65535, got "${portText}"`);
  }
  const responseFormat = get('responseFormat');
  if (responseFormat !== 'aws' && responseFormat !== 'envelope') {
    throw new ConfigError(
      `${SETTINGS.responseFormat.flag} / ${SETTINGS.responseFormat.env} must be "aws" or "envelope", got "${responseFormat}"`,
    );
  }
  const region = get('region');
  if (!REGION.test(region)) {
    throw new ConfigError(`${SETTINGS.region.flag} / ${SETTINGS.region.env} must be an AWS region such as us-east-1, got "${region}"`);
  }
  const publicUrl = get('publicUrl');
  if (publicUrl !== '' && !/^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(publicUrl)) {
    throw new ConfigError(
      `${SETTINGS.publicUrl.flag} / ${SETTINGS.publicUrl.env} must be an origin such as http://localhost:4580 (no path), got "${publicUrl}"`,
    );
  }
  const dataDir = get('dataDir');
  if (dataDir === '') throw new ConfigError(`${SETTINGS.dataDir.flag} / ${SETTINGS.dataDir.env} must not be empty`);
  return Object.freeze({
    port,
    host: get('host'),
    dataDir,
    responseFormat,
    region,
    publicUrl: publicUrl === '' ? undefined : publicUrl,
  });
}
