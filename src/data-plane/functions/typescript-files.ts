/**
 * TypeScript's file conventions, shared by the module hooks (their own thread), the loader and the
 * import reader: which files are TypeScript, and the `.ts` file a `.js` name stands for under
 * `"moduleResolution": "nodenext"` (`./util.js` → `./util.ts`, `.mjs` → `.mts`, `.cjs` → `.cts`).
 * Node built-ins only: the hooks thread imports it.
 */

/** A TypeScript file name: loading it needs the module hooks. */
export const TYPESCRIPT = /\.(ts|mts|cts)$/;

const TWIN: Readonly<Record<string, string>> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };

/** The TypeScript name a JavaScript name (a path, URL or specifier) stands for; undefined for other names. */
export function typescriptTwin(name: string): string | undefined {
  const ext = /\.(js|mjs|cjs)$/.exec(name)?.[0];
  return ext === undefined ? undefined : name.slice(0, -ext.length) + TWIN[ext];
}
