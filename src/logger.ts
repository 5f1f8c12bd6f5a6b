/**
 * A small structured logger on stderr (stdout is kept for access logs), in one of two formats:
 * `json` (one JSON object a line, for machines) or `pretty` (a readable line, for a terminal).
 */

/** Logs events with fields. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** How log lines look. */
export type LogFormat = 'pretty' | 'json';

/** Where log lines go: anything with `write` (process.stderr, a test's buffer). */
export interface LogStream {
  write(text: string): unknown;
}

/** ANSI colours, or no-ops when colour is off. */
export interface Paint {
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly green: (s: string) => string;
  readonly cyan: (s: string) => string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const plain = (s: string) => s;

/** Colours when `on`; identity functions otherwise. */
export function paint(on: boolean): Paint {
  return on
    ? { dim: sgr(2, 22), bold: sgr(1, 22), red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39), cyan: sgr(36, 39) }
    : { dim: plain, bold: plain, red: plain, yellow: plain, green: plain, cyan: plain };
}

/** Colour on a terminal unless NO_COLOR is set (https://no-color.org) or FORCE_COLOR=0. */
export function colourWanted(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** `HH:MM:SS.mmm` in local time: a terminal reader's clock. */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const ms = d.getMilliseconds();
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

/** A field value as `key=value` text: bare when simple, JSON-quoted otherwise. */
function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return JSON.stringify(value);
}

/** The pretty form of one event: time, level, message, `key=value` fields; multi-line values (stacks) indented below. */
export function prettyLine(p: Paint, time: number, level: string, message: string, fields: Record<string, unknown>): string {
  const tag = level === 'error' ? p.red('ERROR') : level === 'warn' ? p.yellow('WARN ') : p.dim('INFO ');
  let line = `${p.dim(clockTime(time))} ${tag} ${level === 'info' ? message : p.bold(message)}`;
  let below = '';
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.includes('\n')) below += `\n${value.replace(/^/gm, '    ')}`;
    else if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) below += `\n${(value as string[]).map((v) => `    ${key}: ${v}`).join('\n')}`;
    else line += ` ${p.dim(`${key}=`)}${fieldText(value)}`;
  }
  return `${line}${below}\n`;
}

/** A logger writing `format` lines to `stream`. */
export function createLogger(options: { readonly format: LogFormat; readonly stream?: LogStream; readonly colour?: boolean; readonly now?: () => number }): Logger {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const p = paint(options.colour === true);
  const write =
    options.format === 'pretty'
      ? (level: string) => (message: string, fields: Record<string, unknown> = {}) => void stream.write(prettyLine(p, now(), level, message, fields))
      : (level: string) => (message: string, fields: Record<string, unknown> = {}) =>
          void stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, message, ...fields })}\n`);
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** Logs JSON lines to stderr. */
export const consoleLogger: Logger = createLogger({ format: 'json' });

/** Discards everything (tests); errors still go to stderr so failures stay visible. */
export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: consoleLogger.error };
