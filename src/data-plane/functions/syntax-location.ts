/**
 * Where a handler module's syntax error is. Node's `import()` rejects with a SyntaxError whose stack
 * names only the loader's internals (the file and line are printed only for a fatal error), so on
 * that rare path the module is checked once more with `node --check`, which prints them.
 */
import { execFileSync } from 'node:child_process';

/** `error` itself, or for a SyntaxError without a location: a copy whose message names `file:line` and whose stack starts with the offending line. */
export function locateSyntaxError(error: unknown, file: string): unknown {
  if (!(error instanceof Error) || error.name !== 'SyntaxError' || (error.stack ?? '').includes(file)) return error;
  let report = '';
  try {
    execFileSync(process.execPath, ['--check', file], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
    return error; // the file itself parses: the error is in a module it imports
  } catch (failure) {
    report = String((failure as { stderr?: Buffer }).stderr ?? '');
  }
  const excerpt = report.split('\n\n')[0]?.trimEnd() ?? '';
  const where = excerpt.split('\n')[0] ?? '';
  if (!/:\d+$/.test(where)) return error;
  const located = new SyntaxError(`${error.message} (${where})`, { cause: error });
  located.stack = `${excerpt}\n\n${error.stack ?? `${error.name}: ${error.message}`}`;
  return located;
}
