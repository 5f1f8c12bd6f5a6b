/**
 * Where a handler module's syntax error is. Node's `import()` rejects with a SyntaxError whose stack
 * names only the loader's internals (the file and line are printed only for a fatal error), so on
 * that rare path the module is checked once more with `node --check` (in a child process, never
 * blocking the gateway), which prints them. The answer is kept per file until the file changes.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';

const checked = new Map<string, { readonly mtimeMs: number; readonly excerpt: string | undefined }>();

/** The `file:line`, source line and caret `node --check` prints for `file`, or undefined when it parses. */
function checkSyntax(file: string): Promise<string | undefined> {
  let mtimeMs = -1;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return Promise.resolve(undefined);
  }
  const known = checked.get(file);
  if (known?.mtimeMs === mtimeMs) return Promise.resolve(known.excerpt);
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 5000 }, (error, _stdout, stderr) => {
      const excerpt = error ? (String(stderr).split('\n\n')[0]?.trimEnd() ?? '') : '';
      const where = excerpt.split('\n')[0] ?? '';
      const found = where.startsWith(file) && /:\d+$/.test(where) ? excerpt : undefined;
      checked.set(file, { mtimeMs, excerpt: found });
      resolve(found);
    });
  });
}

/**
 * `error` itself, or for a SyntaxError of the JavaScript module `file` without a location: a copy
 * whose message ends with `(file:line)` and whose stack starts with the offending line.
 */
export async function locateSyntaxError(error: unknown, file: string): Promise<unknown> {
  if (!(error instanceof Error) || error.name !== 'SyntaxError' || (error.stack ?? '').includes(file)) return error;
  // Only JavaScript: `node --check` knows nothing of other languages (a TypeScript loader reports its own locations).
  if (!/\.[cm]?js$/.test(file)) return error;
  const excerpt = await checkSyntax(file);
  // Undefined: the file itself parses, the error is in a module it imports.
  if (excerpt === undefined) return error;
  const located = new SyntaxError(`${error.message} (${excerpt.split('\n')[0] ?? file})`, { cause: error });
  located.stack = `${excerpt}\n\n${error.stack ?? `${error.name}: ${error.message}`}`;
  return located;
}
