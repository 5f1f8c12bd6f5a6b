#!/usr/bin/env node
/**
 * The `gatehouse` command: `gatehouse serve [--port N] [--host H] [--data-dir D] [--response-format aws|envelope] [--region R] [--public-url URL]`.
 */
import { ConfigError, CREDENTIALS_ENV, loadConfig, SETTINGS } from '../config.js';
import { consoleLogger } from '../logger.js';
import { createServer } from '../server.js';
import { tokenCommand, TOKEN_USAGE } from './token.js';

const USAGE = `usage: gatehouse serve [options]

options (each also settable by its environment variable):
${Object.values(SETTINGS)
  .map((s) => `  ${s.flag.padEnd(18)} ${s.env.padEnd(26)} default: ${s.default || '(derived)'}`)
  .join('\n')}
  ${'(no flag)'.padEnd(18)} ${CREDENTIALS_ENV.padEnd(26)} access keys AKID:SECRET[,AKID2:SECRET2] (also --credentials <file>)`;

async function serve(argv: readonly string[]): Promise<void> {
  const config = loadConfig(argv, process.env);
  const server = await createServer({ config });
  consoleLogger.info('gatehouse listening', {
    url: server.url,
    ...(server.adminUrl ? { adminUrl: server.adminUrl } : {}),
    ...(server.tlsUrl ? { tlsUrl: server.tlsUrl } : {}),
    dataDir: config.dataDir,
    responseFormat: config.responseFormat,
    sigv4: config.credentials ? `required (${config.credentials.length} access keys)` : 'not enforced (any credentials accepted)',
    ...(config.oidcIssuers.length > 0 ? { oidcIssuers: config.oidcIssuers.join(', ') } : {}),
  });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    consoleLogger.info('gatehouse shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        consoleLogger.error('shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'serve') return serve(rest);
  if (command === 'token') {
    process.stdout.write(`${await tokenCommand(rest, process.env)}\n`);
    return;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n\n${TOKEN_USAGE}\n`);
    return;
  }
  throw new ConfigError(`unknown command ${command}\n${USAGE}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`gatehouse: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`gatehouse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
