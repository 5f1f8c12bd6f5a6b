/**
 * The project-local modules a JavaScript handler imports, read from its source before its first
 * load: what hot reload watches when that load runs without the module hooks, and whether it needs
 * them after all (`module-loader.ts` says why they are avoided).
 *
 * Only specifiers written as string literals are seen: `import … from '…'`, `import '…'`,
 * `export … from '…'` and `import('…')`. Relative (`./`, `../`), absolute (`/`) and `file:`
 * specifiers name files; subpath imports (`#lib/x.js`) and packages are resolved as `require`
 * would (with its conditions), and count when they land outside `node_modules` (a workspace
 * package linked there). Paths are real paths, as Node's loader reports them. An `import()` with a
 * computed specifier makes the load use the hooks after all. A match inside a
 * comment or a string only adds a file to watch. CommonJS `require` is not read here: the loader
 * walks the `require` cache after the load (`ModuleGraph.addRequired`).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ModuleEdge } from './module-hooks.js';
import { projectFile, TYPESCRIPT, typescriptTwin } from './module-files.js';

/**
 * `import`/`export … from '…'` (anything but quotes and semicolons between, so comments and any
 * identifiers may sit in the clause), side-effect `import '…'`, and `import('…')` with a literal.
 */
const SPECIFIER =
  /(?:^|[^\w$.])(?:(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])([^'"\r\n]+)\1|import\s*(['"])([^'"\r\n]+)\3|import\s*\(\s*(['"])([^'"\r\n]+)\5\s*[,)])/g;

/** An `import(` whose specifier is not a string literal: what it loads only Node's loader can tell. */
const COMPUTED_IMPORT = /(?:^|[^\w$.])import\s*\(\s*(?!['"\s])/;

/** The module specifiers of `source` written as string literals, in order, each once. */
export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(SPECIFIER)) found.add((m[2] ?? m[4] ?? m[6])!);
  return [...found];
}

const LOCAL = /^(?:\.{1,2}\/|\/|file:)/;
/** Files read per walk at most: a bound for a project that is a whole tree. */
const MAX_FILES = 5_000;


async function fileAt(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isFile() ? await realpath(path) : undefined;
  } catch {
    return undefined;
  }
}

/** The file `specifier` names from `parentPath`, or undefined (a package in node_modules, a built-in, nothing). */
async function resolveSpecifier(specifier: string, parentPath: string, parentUrl: string): Promise<{ path: string; typescript: boolean } | undefined> {
  if (LOCAL.test(specifier)) {
    let target: URL;
    try {
      target = specifier.startsWith('/') ? pathToFileURL(specifier) : new URL(specifier, parentUrl);
    } catch {
      return undefined;
    }
    target.search = '';
    target.hash = '';
    const path = fileURLToPath(target);
    const found = await fileAt(path);
    if (found) return { path: found, typescript: TYPESCRIPT.test(found) };
    const twin = typescriptTwin(path);
    const twinFile = twin === undefined ? undefined : await fileAt(twin);
    return twinFile ? { path: twinFile, typescript: true } : undefined;
  }
  if (specifier.startsWith('node:')) return undefined;
  try {
    const path = createRequire(parentPath).resolve(specifier);
    return path.startsWith('/') ? { path, typescript: TYPESCRIPT.test(path) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reports `{ parent, url }` for every project-local import reachable from `entryUrl` through
 * literal specifiers (module comment), as the module hooks report what they resolve. `typescript`:
 * the load needs the hooks: some import names TypeScript (a `.ts` file, or `./util.js` standing for
 * `util.ts`), or some `import()` computes its specifier (it may, and only the hooks would see it).
 */
export async function readImportGraph(entryUrl: string, report: (edge: ModuleEdge) => void): Promise<{ typescript: boolean }> {
  const seen = new Set<string>([entryUrl]);
  const queue = [entryUrl];
  let typescript = false;
  for (let i = 0; i < queue.length && i < MAX_FILES; i++) {
    const parent = queue[i]!;
    const parentPath = fileURLToPath(parent);
    let source: string;
    try {
      source = await readFile(parentPath, 'utf8');
    } catch {
      continue;
    }
    // A computed import may name TypeScript, and only the hooks see what it loads (and watch it).
    typescript ||= COMPUTED_IMPORT.test(source);
    for (const specifier of importSpecifiers(source)) {
      const target = await resolveSpecifier(specifier, parentPath, parent);
      if (!target || !projectFile(target.path)) continue;
      typescript ||= target.typescript;
      const url = pathToFileURL(target.path).href;
      report({ parent, url });
      if (!seen.has(url)) {
        seen.add(url);
        queue.push(url);
      }
    }
  }
  return { typescript };
}
