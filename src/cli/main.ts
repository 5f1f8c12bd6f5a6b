#!/usr/bin/env node
/**
 * The `gatehouse` command: `gatehouse serve [options]`, `gatehouse token --issuer <name> [options]`,
 * `gatehouse explain <apiId> <stage> "GET /path"`,
 * `gatehouse --version`, `gatehouse [<command>] --help`. Start-up failures a user can fix (a bad
 * setting, a port in use, an unreadable handler file) print one line naming the setting and the fix.
 */
import { ConfigError } from '../config.js';
import { ListenError } from '../server.js';
import { EXPLAIN_USAGE, MAIN_HELP, serveHelp, version } from './help.js';
import { explainCommand } from './explain.js';
import { listenErrorLine, serve } from './serve.js';
import { tokenCommand, TOKEN_USAGE } from './token.js';

const wantsHelp = (argv: readonly string[]) => argv.some((a) => a === '--help' || a === '-h');

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`gatehouse ${version()}\n`);
    return;
  }
  if (command === undefined || command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
    process.stdout.write(`${MAIN_HELP}\n`);
    return;
  }
  const topic = command === 'help' ? rest[0] : wantsHelp(rest) ? command : undefined;
  if (topic === 'serve') return void process.stdout.write(`${serveHelp()}\n`);
  if (topic === 'token') return void process.stdout.write(`${TOKEN_USAGE}\n`);
  if (topic === 'explain') return void process.stdout.write(`${EXPLAIN_USAGE}\n`);
  if (command === 'serve') return serve(rest);
  if (command === 'token') {
    process.stdout.write(`${await tokenCommand(rest, process.env)}\n`);
    return;
  }
  if (command === 'explain') {
    process.stdout.write(`${await explainCommand(rest, process.env)}\n`);
    return;
  }
  throw new ConfigError(`unknown command "${topic ?? command}"; the commands are serve, token and explain (gatehouse --help)`);
}

// Messages name the command they come from: `gatehouse: ...`, `gatehouse token: ...`.
const prefix = process.argv[2] === 'token' || process.argv[2] === 'explain' ? `gatehouse ${process.argv[2]}` : 'gatehouse';

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${prefix}: ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof ListenError) {
    process.stderr.write(`gatehouse: ${listenErrorLine(err)}\n`);
    process.exit(2);
  }
  process.stderr.write(`${prefix}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
