/**
 * The project-local ES modules a JavaScript handler imports, read from its source: what hot reload
 * watches after a first load that ran without the module hooks (`module-loader.ts` says why).
 *
 * Only specifiers written as string literals are seen: `import … from './x.js'`, `import './x.js'`,
 * `export … from './x.js'` and `import('./x.js')`, relative (`./`, `../`), absolute (`/`) or
 * `file:` URLs naming a file that exists. Bare specifiers (packages) are not project files.
 * A match inside a comment or a string only adds a file to watch. CommonJS `require` is not read
 * here: the loader walks the `require` cache after the load instead (`ModuleGraph.addRequired`).
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ModuleEdge } from './module-hooks.js';

/** `import`/`export … from '…'`, side-effect `import '…'`, and `import('…')` with a literal. */
const SPECIFIER =
  /(?:^|[^\w$.])(?:(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?(['"])([^'"\r\n]+)\1|import\s*\(\s*(['"])([^'"\r\n]+)\3\s*[,)])/g;

/** The module specifiers of `source` written as string literals, in order, each once. */
export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(SPECIFIER)) found.add((m[2] ?? m[4])!);
  return [...found];
}

const LOCAL = /^(?:\.{1,2}\/|\/|file:)/;
/** Files read per walk at most: a bound for a project that is a whole tree. */
const MAX_FILES = 5_000;

/** A `file:` URL outside any `node_modules`. */
const projectUrl = (url: string) => url.startsWith('file:') && !url.includes('/node_modules/');

async function isFile(url: URL): Promise<boolean> {
  try {
    return (await stat(url)).isFile();
  } catch {
    return false;
  }
}

/**
 * Reports `{ parent, url }` for every project-local import reachable from `entryUrl` through
 * literal specifiers (module comment), as the module hooks report what they resolve.
 */
export async function readImportGraph(entryUrl: string, report: (edge: ModuleEdge) => void): Promise<void> {
  const seen = new Set<string>([entryUrl]);
  const queue = [entryUrl];
  for (let i = 0; i < queue.length && i < MAX_FILES; i++) {
    const parent = queue[i]!;
    let source: string;
    try {
      source = await readFile(new URL(parent), 'utf8');
    } catch {
      continue;
    }
    for (const specifier of importSpecifiers(source)) {
      if (!LOCAL.test(specifier)) continue;
      let target: URL;
      try {
        target = specifier.startsWith('/') ? pathToFileURL(specifier) : new URL(specifier, parent);
      } catch {
        continue;
      }
      target.search = '';
      target.hash = '';
      if (!projectUrl(target.href) || !(await isFile(target))) continue;
      const url = pathToFileURL(fileURLToPath(target)).href;
      report({ parent, url });
      if (!seen.has(url)) {
        seen.add(url);
        queue.push(url);
      }
    }
  }
}
