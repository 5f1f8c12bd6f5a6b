/**
 * Which files a function's modules are, shared by the module hooks (their own thread), the loader and
 * the import reader: the project's own (what hot reload watches), TypeScript, and the `.ts` file a
 * `.js` name stands for under `"moduleResolution": "nodenext"` (`./util.js` → `./util.ts`, `.mjs` →
 * `.mts`, `.cjs` → `.cts`). No imports: the hooks thread loads it.
 */

/** A file of the project (a path or a `file:` URL): anything outside a `node_modules` directory. */
export const projectFile = (pathOrUrl: string): boolean => !pathOrUrl.includes('/node_modules/');

/** A TypeScript file name: loading it needs the module hooks. */
export const TYPESCRIPT = /\.(ts|mts|cts)$/;

const TWIN: Readonly<Record<string, string>> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

/** The TypeScript name a JavaScript name (a path, URL or specifier) stands for; undefined for other names. */
export function typescriptTwin(name: string): string | undefined {
  const ext = /\.(js|mjs|cjs)$/.exec(name)?.[0];
  return ext === undefined ? undefined : name.slice(0, -ext.length) + TWIN[ext];
}
