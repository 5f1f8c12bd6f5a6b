/**
 * A minimal structured logger: one JSON line per event on stderr (stdout is kept for access logs).
 */

/** Logs events with fields. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const write = (level: string) => (message: string, fields: Record<string, unknown> = {}) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
};

/** Logs to stderr. */
export const consoleLogger: Logger = { info: write('info'), warn: write('warn'), error: write('error') };

/** Discards everything (tests); errors still go to stderr so failures stay visible. */
export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: write('error') };
