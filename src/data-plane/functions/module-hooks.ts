/**
 * Module customization hooks for local functions (node:module `register()`; they run on Node's
 * hooks thread, registered by `module-loader.ts`). Two jobs:
 *
 * - **Generations** (hot reload): Node caches an ES module per URL for the life of the thread, so
 *   a changed handler is loaded again under a new URL: the handler is imported as
 *   `file:///…/pets.mjs?gen=3`, and every project-local file it imports (transitively; not
 *   `node_modules`) gets the same `?gen=3`, so a whole fresh graph is loaded. Modules in
 *   `node_modules` keep one instance.
 * - **TypeScript** (`.ts`, `.mts`, `.cts`): transpiled with esbuild's `transform` (types removed,
 *   no type checking) with an inline source map, so stack traces name the `.ts` line once source
 *   maps are enabled. `.mts` is ESM, `.cts` CommonJS, `.ts` follows the nearest package.json's
 *   `"type"` and is ESM when it sets none (TypeScript handlers are written with `import`/`export`).
 *   A `./util.js` specifier that does not exist resolves to `./util.ts` (TypeScript's convention
 *   under `"moduleResolution": "nodenext"`), likewise `.mjs` → `.mts` and `.cjs` → `.cts`.
 *
 * Every resolved project-local `file:` URL is reported on the port given at registration as an
 * edge `{ parent, url }`, so the loader can tell which files each function loaded (and watch them).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { projectFile, TYPESCRIPT, typescriptTwin } from './module-files.js';

/** An import seen by the resolve hook: `parent` (a URL, or undefined for an entry point) imported `url`. */
export interface ModuleEdge {
  readonly parent: string | undefined;
  readonly url: string;
}

/** What `register()` passes to `initialize`. */
export interface ModuleHooksData {
  readonly port: MessagePort;
}

type Format = 'module' | 'commonjs' | 'json' | 'builtin' | 'wasm' | null | undefined;
interface ResolveContext {
  readonly parentURL?: string;
  readonly conditions: readonly string[];
  readonly importAttributes?: Record<string, string>;
}
interface ResolveResult {
  readonly url: string;
  readonly format?: Format;
  readonly shortCircuit?: boolean;
  readonly importAttributes?: Record<string, string>;
}
interface LoadContext {
  readonly format?: Format;
  readonly conditions: readonly string[];
  readonly importAttributes?: Record<string, string>;
}
interface LoadResult {
  readonly format: Format;
  readonly source?: string | ArrayBuffer | Uint8Array | null;
  readonly shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

const GENERATION = /[?&]gen=(\d+)/;

let port: MessagePort | undefined;

export function initialize(data: ModuleHooksData | undefined): void {
  port = data?.port;
}

/** A file of the project: a `file:` URL outside any `node_modules`. */
const projectUrl = (url: string): boolean => url.startsWith('file:') && projectFile(url);

/** The generation (`?gen=N`) of a module URL, if it has one. */
function generationOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : GENERATION.exec(url)?.[1];
}

function withGeneration(url: string, generation: string): string {
  if (generationOf(url) === generation) return url;
  const u = new URL(url);
  u.searchParams.set('gen', generation);
  return u.href;
}

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  let result: ResolveResult;
  try {
    result = await nextResolve(specifier, context);
  } catch (error) {
    const twin = tsTwin(specifier);
    if (twin === undefined || (error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    try {
      result = await nextResolve(twin, context);
    } catch {
      throw error;
    }
  }
  if (!projectUrl(result.url)) return result;
  const generation = generationOf(context.parentURL);
  const url = generation !== undefined && context.parentURL !== undefined && projectUrl(context.parentURL) ? withGeneration(result.url, generation) : result.url;
  const edge: ModuleEdge = { parent: context.parentURL, url };
  port?.postMessage(edge);
  const format = TYPESCRIPT.test(new URL(url).pathname) ? await typescriptFormat(fileURLToPath(url)) : result.format;
  return { ...result, url, format, shortCircuit: true };
}

/** `./util.js` → `./util.ts` (relative specifiers only). */
function tsTwin(specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../') && !specifier.startsWith('file:')) return undefined;
  return typescriptTwin(specifier);
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith('file:') || !TYPESCRIPT.test(new URL(url).pathname)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const format = await typescriptFormat(file);
  const source = await readFile(file, 'utf8');
  const { transform } = await import('esbuild');
  const { code } = await transform(source, {
    loader: 'ts',
    format: format === 'module' ? 'esm' : 'cjs',
    target: `node${process.versions.node}`,
    sourcemap: 'inline',
    sourcefile: file,
  });
  return { format, source: code, shortCircuit: true };
}

/** package.json `"type"` per directory (as Node reads it: the nearest one wins). */
const packageTypes = new Map<string, 'module' | 'commonjs' | undefined>();

async function packageType(dir: string): Promise<'module' | 'commonjs' | undefined> {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: 'module' | 'commonjs' | undefined;
  try {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
    type = pkg.type === 'commonjs' ? 'commonjs' : 'module';
  } catch {
    const parent = dirname(dir);
    type = parent === dir ? undefined : await packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

async function typescriptFormat(file: string): Promise<'module' | 'commonjs'> {
  if (file.endsWith('.mts')) return 'module';
  if (file.endsWith('.cts')) return 'commonjs';
  return (await packageType(dirname(file))) ?? 'module';
}
